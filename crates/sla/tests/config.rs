//! The time settings document: defaults, JSON round trip, refusals naming
//! the field.

use guichet_calendar::{CalendarConfig, Country};
use guichet_domain::{Priority, Status, TeamId};
use guichet_sla::{ConfigError, SlaPolicy, TimeConfig};

fn refused(cfg: &TimeConfig) -> ConfigError {
    cfg.validate().unwrap_err()
}

#[test]
fn defaults_are_valid_and_sensible() {
    let cfg = TimeConfig::default();
    cfg.validate().unwrap();
    assert_eq!(cfg.warn_percent, 80);
    assert_eq!(cfg.pause_statuses, vec![Status::Waiting]);
    assert_eq!(cfg.reminders.default, vec![7, 2, 0]);
    let fr = |p| cfg.policy_for("anything", p).unwrap();
    assert_eq!(fr(Priority::Urgent).first_response_minutes, 60);
    assert_eq!(fr(Priority::Urgent).resolution_minutes, 8 * 60);
    assert_eq!(fr(Priority::High).resolution_minutes, 2 * 8 * 60);
    assert_eq!(fr(Priority::Low).resolution_minutes, 10 * 8 * 60);
    assert!(cfg.escalation.notify_lead_on_breach);
    assert!(!cfg.escalation.notify_lead_on_warning);
}

#[test]
fn json_round_trip_and_partial_documents() {
    let mut cfg = TimeConfig::default();
    let team = TeamId::new().to_string();
    cfg.team_calendars
        .insert(team.clone(), CalendarConfig::default_for(Country::DE));
    cfg.reminders
        .per_category
        .insert("court".into(), vec![10, 5, 1]);
    cfg.four_eyes_categories.push("tax/filing".into());
    let json = serde_json::to_string_pretty(&cfg).unwrap();
    assert!(
        json.contains(
            r#""pause_statuses": [
    "waiting"
  ]"#
        ),
        "{json}"
    );
    let back = TimeConfig::from_json(&json).unwrap();
    assert_eq!(back, cfg);
    assert!(back.requires_four_eyes("tax/filing"));
    assert!(!back.requires_four_eyes("court"));
    // Team calendars apply to their team only.
    assert_eq!(
        back.calendar_for(Some(&team)).unwrap().tz,
        chrono_tz::Tz::Europe__Berlin
    );
    assert_eq!(
        back.calendar_for(None).unwrap().tz,
        chrono_tz::Tz::Europe__Paris
    );
    assert_eq!(
        back.calendar_for(Some("another")).unwrap().tz,
        chrono_tz::Tz::Europe__Paris
    );

    let partial = TimeConfig::from_json(
        r#"{"warn_percent": 90, "escalation": {"raise_priority_on_breach": true}}"#,
    )
    .unwrap();
    assert_eq!(partial.warn_percent, 90);
    assert!(partial.escalation.raise_priority_on_breach);
    assert!(
        partial.escalation.notify_lead_on_breach,
        "others keep their default"
    );
    assert_eq!(partial.sla, TimeConfig::default().sla);

    let err = TimeConfig::from_json(r#"{"warn_percent": "high"}"#).unwrap_err();
    assert_eq!(err.field, "time settings");
    assert!(!err.problem.contains("high"));
}

#[test]
fn bad_settings_name_the_field() {
    let base = TimeConfig::default();

    let mut c = base.clone();
    c.sla[2].resolution_minutes = 0;
    let e = refused(&c);
    assert_eq!(e.field, "sla[2].resolution_minutes");
    assert!(e.accepted.contains("1 to 200000"), "{e}");

    let mut c = base.clone();
    c.sla[0].first_response_minutes = 600;
    assert_eq!(refused(&c).field, "sla[0].first_response_minutes");

    let mut c = base.clone();
    c.sla.push(SlaPolicy {
        category: None,
        priority: Some(Priority::High),
        first_response_minutes: 10,
        resolution_minutes: 20,
    });
    let e = refused(&c);
    assert_eq!(e.field, "sla[4]");
    assert!(e.problem.contains("sla[1]"), "{e}");

    let mut c = base.clone();
    c.sla[1].category = Some("Court Cases".into());
    assert_eq!(refused(&c).field, "sla[1].category");

    for bad in [0, 100, 255] {
        let mut c = base.clone();
        c.warn_percent = bad;
        let e = refused(&c);
        assert_eq!(e.field, "warn_percent");
        assert!(e.accepted.contains("1 to 99"));
    }

    let mut c = base.clone();
    c.reminders.per_category.insert("court".into(), vec![5, 61]);
    let e = refused(&c);
    assert_eq!(e.field, "reminders.per_category.court[1]");
    assert!(e.accepted.contains("0 to 60"));

    let mut c = base.clone();
    c.reminders.default = vec![7, 2, 7];
    assert_eq!(refused(&c).field, "reminders.default[2]");

    let mut c = base.clone();
    c.pause_statuses = vec![Status::Waiting, Status::Resolved];
    assert_eq!(refused(&c).field, "pause_statuses[1]");

    let mut c = base.clone();
    c.calendar.time_zone = "Paris".into();
    assert_eq!(refused(&c).field, "calendar.time_zone");
    assert_eq!(
        c.calendar_for(None).unwrap_err().field,
        "calendar.time_zone"
    );

    let mut c = base.clone();
    let team = TeamId::new().to_string();
    let mut cal = CalendarConfig::default_for(Country::FR);
    cal.hours.insert("mon".into(), vec!["nine to five".into()]);
    c.team_calendars.insert(team.clone(), cal);
    assert_eq!(
        refused(&c).field,
        format!("team_calendars.{team}.hours.mon")
    );

    let mut c = base.clone();
    c.team_calendars
        .insert("Litigation team".into(), CalendarConfig::default());
    let e = refused(&c);
    assert_eq!(e.field, "team_calendars");
    assert!(
        !e.to_string().contains("Litigation"),
        "no names in errors: {e}"
    );

    let mut c = base.clone();
    c.four_eyes_categories = vec!["tax".into(), "".into()];
    assert_eq!(refused(&c).field, "four_eyes_categories[1]");
}
