//! SLA clocks with real calendars (Paris, default hours 09:00–12:30 and
//! 13:30–18:00) and an injected clock. 2027-06-07 is a Monday.

mod common;

use chrono::Duration;
use common::{at, cal, Story};
use guichet_domain::{Party, Priority, Status, UserId, Visibility};
use guichet_sla::{
    sla_clock, sla_dues, ClockState, DueKind, SlaClock, SlaPolicy, Target, TimeConfig,
};
use proptest::prelude::*;

fn clock(s: &Story, now: &str) -> SlaClock {
    sla_clock(&s.events, &TimeConfig::default(), &cal(), at(now)).unwrap()
}

#[test]
fn running_clock_projects_warning_and_due_moments() {
    let s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    let c = clock(&s, "2027-06-07 13:00");
    let fr = &c.first_response;
    assert_eq!(fr.target_minutes, 480);
    assert_eq!(fr.elapsed_minutes, 210, "the lunch break does not count");
    assert_eq!(fr.state, ClockState::Running);
    assert_eq!(fr.warn_at, Some(at("2027-06-07 16:24")), "80 % of 8 h");
    assert_eq!(fr.due_at, Some(at("2027-06-07 18:00")));
    assert_eq!(fr.breached_at, None);
    let res = &c.resolution;
    assert_eq!(res.target_minutes, 2400);
    assert_eq!(res.warn_at, Some(at("2027-06-10 18:00")));
    assert_eq!(res.due_at, Some(at("2027-06-11 18:00")));
}

#[test]
fn warning_at_80_percent() {
    let s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    let c = clock(&s, "2027-06-07 16:30");
    assert_eq!(c.first_response.state, ClockState::Warning);
    assert_eq!(c.first_response.elapsed_minutes, 390);
    assert_eq!(c.first_response.warn_at, Some(at("2027-06-07 16:24")));
    let dues = sla_dues(s.id, &c);
    let warning = dues
        .iter()
        .find(|d| {
            d.kind
                == DueKind::SlaWarning {
                    target: Target::FirstResponse,
                }
        })
        .unwrap();
    assert_eq!(warning.at, at("2027-06-07 16:24"));
    assert_eq!(
        warning.key,
        format!("sla_warning:{}:first_response:480", s.id)
    );
    assert_eq!(
        dues.len(),
        4,
        "warning and breach for both targets: {dues:?}"
    );
}

#[test]
fn breach_is_dated_when_the_target_was_reached() {
    let s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    let c = clock(&s, "2027-06-08 10:00");
    let fr = &c.first_response;
    assert_eq!(fr.state, ClockState::Breached);
    assert_eq!(fr.elapsed_minutes, 540);
    assert_eq!(fr.breached_at, Some(at("2027-06-07 18:00")));
    assert_eq!(fr.warn_at, Some(at("2027-06-07 16:24")));
    assert_eq!(fr.due_at, None);
    // A breached target yields its breach only (the warning is moot).
    let dues = sla_dues(s.id, &c);
    let fr_dues: Vec<_> = dues
        .iter()
        .filter(|d| d.key.contains("first_response"))
        .collect();
    assert_eq!(fr_dues.len(), 1);
    assert_eq!(
        fr_dues[0].kind,
        DueKind::SlaBreach {
            target: Target::FirstResponse
        }
    );
    assert_eq!(fr_dues[0].at, at("2027-06-07 18:00"));
}

#[test]
fn waiting_pauses_and_the_clock_resumes_where_it_stopped() {
    let mut s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    s.status("2027-06-07 10:00", Status::Waiting);
    let c = clock(&s, "2027-06-07 15:00");
    assert_eq!(c.first_response.state, ClockState::Paused);
    assert_eq!(c.first_response.elapsed_minutes, 60);
    assert_eq!(c.first_response.due_at, None);
    assert_eq!(c.resolution.state, ClockState::Paused);
    assert!(
        sla_dues(s.id, &c).is_empty(),
        "nothing projected while paused"
    );

    s.status("2027-06-08 09:00", Status::Open);
    let c = clock(&s, "2027-06-08 11:00");
    assert_eq!(c.first_response.state, ClockState::Running);
    assert_eq!(c.first_response.elapsed_minutes, 180);
    // 7 h left from Tuesday 11:00: 1.5 h before lunch, then 13:30 + 3.5 h.
    assert_eq!(c.first_response.due_at, Some(at("2027-06-08 17:00")));
    assert_eq!(c.resolution.elapsed_minutes, 180);
}

#[test]
fn a_reply_by_staff_meets_the_first_response() {
    let requester = UserId::new();
    let agent = UserId::new();
    let mut s = Story::with(
        "2027-06-07 09:00",
        "general",
        Priority::Normal,
        Some(Party::User(requester)),
        None,
    );
    // Neither an internal note nor the requester's own reply counts.
    s.comment("2027-06-07 10:00", agent, Visibility::Internal);
    s.comment("2027-06-07 10:30", requester, Visibility::Reply);
    let c = clock(&s, "2027-06-07 11:00");
    assert_eq!(c.first_response.state, ClockState::Running);
    assert_eq!(c.first_response.elapsed_minutes, 120);

    let mut on_time = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    on_time.comment("2027-06-07 11:00", agent, Visibility::Reply);
    let c = clock(&on_time, "2027-06-09 11:00");
    assert_eq!(c.first_response.state, ClockState::Met);
    assert_eq!(c.first_response.elapsed_minutes, 120);
    assert_eq!(c.first_response.due_at, None);
    assert_eq!(c.first_response.warn_at, None);
    assert_eq!(c.first_response.breached_at, None);
    assert!(sla_dues(on_time.id, &c)
        .iter()
        .all(|d| d.key.contains("resolution")));

    let mut late = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    late.comment("2027-06-08 10:00", agent, Visibility::Reply);
    let c = clock(&late, "2027-06-09 11:00");
    assert_eq!(c.first_response.state, ClockState::MetLate);
    assert_eq!(c.first_response.elapsed_minutes, 540);
    assert_eq!(c.first_response.breached_at, Some(at("2027-06-07 18:00")));
}

#[test]
fn reopening_resumes_the_resolution_clock() {
    let mut s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    s.status("2027-06-07 12:00", Status::Resolved);
    let c = clock(&s, "2027-06-07 15:00");
    assert_eq!(c.resolution.state, ClockState::Met);
    assert_eq!(c.resolution.elapsed_minutes, 180);
    assert_eq!(c.first_response.state, ClockState::Met, "resolving answers");

    s.status("2027-06-08 09:00", Status::Closed);
    s.status("2027-06-09 09:00", Status::Open);
    let c = clock(&s, "2027-06-09 10:00");
    assert_eq!(c.resolution.state, ClockState::Running);
    assert_eq!(c.resolution.elapsed_minutes, 240);
    assert_eq!(c.resolution.due_at, Some(at("2027-06-15 15:00")));
    assert_eq!(c.first_response.state, ClockState::Met);
    assert_eq!(c.first_response.elapsed_minutes, 180);
}

#[test]
fn a_priority_change_retargets_and_keeps_the_time_counted() {
    let mut s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    s.priority("2027-06-07 10:00", Priority::Urgent);
    let c = clock(&s, "2027-06-07 11:00");
    assert_eq!(c.first_response.target_minutes, 60);
    assert_eq!(c.first_response.state, ClockState::Breached);
    assert_eq!(c.first_response.breached_at, Some(at("2027-06-07 10:00")));
    assert_eq!(c.resolution.target_minutes, 480);
    assert_eq!(c.resolution.elapsed_minutes, 120);
    let keys: Vec<_> = sla_dues(s.id, &c).into_iter().map(|d| d.key).collect();
    assert!(keys.contains(&format!("sla_breach:{}:first_response:60", s.id)));
}

#[test]
fn the_most_specific_policy_wins() {
    let mut cfg = TimeConfig::default();
    let p = |category: Option<&str>, priority, fr, res| SlaPolicy {
        category: category.map(str::to_string),
        priority,
        first_response_minutes: fr,
        resolution_minutes: res,
    };
    cfg.sla = vec![
        p(None, None, 600, 6000),
        p(Some("court"), None, 45, 300),
        p(None, Some(Priority::Urgent), 60, 480),
        p(Some("court"), Some(Priority::Urgent), 30, 240),
    ];
    cfg.validate().unwrap();
    let fr = |c: &str, pr| cfg.policy_for(c, pr).unwrap().first_response_minutes;
    assert_eq!(fr("court", Priority::Urgent), 30);
    assert_eq!(fr("court", Priority::Low), 45);
    assert_eq!(fr("tax", Priority::Urgent), 60);
    assert_eq!(fr("tax", Priority::Low), 600);

    let s = Story::new("2027-06-07 09:00", "court", Priority::Urgent);
    let c = sla_clock(&s.events, &cfg, &cal(), at("2027-06-07 09:10")).unwrap();
    assert_eq!(c.first_response.target_minutes, 30);
    assert_eq!(c.first_response.due_at, Some(at("2027-06-07 09:30")));

    // Without a matching policy, no clock.
    cfg.sla.retain(|p| p.category.is_some());
    assert!(sla_clock(&s.events, &cfg, &cal(), at("2027-06-07 09:10")).is_some());
    let other = Story::new("2027-06-07 09:00", "tax", Priority::Low);
    assert!(sla_clock(&other.events, &cfg, &cal(), at("2027-06-07 09:10")).is_none());
}

#[test]
fn clocks_serialize_in_snake_case() {
    let s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    let json = serde_json::to_value(clock(&s, "2027-06-07 16:30")).unwrap();
    assert_eq!(json["first_response"]["state"], "warning");
    assert_eq!(json["resolution"]["target_minutes"], 2400);
    let again = clock(&s, "2027-06-08 16:30");
    let json = serde_json::to_string(&again).unwrap();
    let back: SlaClock = serde_json::from_str(&json).unwrap();
    assert_eq!(back, again);
}

proptest! {
    /// Whatever the pauses, the counted time never exceeds the business
    /// time since creation and never goes down as time passes.
    #[test]
    fn elapsed_is_bounded_and_monotonic(
        steps in proptest::collection::vec((1i64..(3 * 24 * 60), 0usize..3), 0..8),
        probe in 0i64..(30 * 24 * 60),
    ) {
        let mut s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
        let mut t = at("2027-06-07 09:00");
        for (gap, which) in steps {
            t += Duration::minutes(gap);
            let next = [Status::Waiting, Status::InProgress, Status::Resolved][which];
            if s.ticket().status == next {
                continue;
            }
            let when = t.with_timezone(&chrono_tz::Tz::Europe__Paris)
                .format("%Y-%m-%d %H:%M").to_string();
            s.status(&when, next);
        }
        let cal = cal();
        let cfg = TimeConfig::default();
        let now = at("2027-06-07 09:00") + Duration::minutes(probe);
        let later = now + Duration::hours(5);
        let a = sla_clock(&s.events, &cfg, &cal, now).unwrap();
        let b = sla_clock(&s.events, &cfg, &cal, later).unwrap();
        let bound = cal.working_between(at("2027-06-07 09:00"), now).num_minutes();
        prop_assert!(a.resolution.elapsed_minutes <= bound);
        prop_assert!(a.first_response.elapsed_minutes <= a.resolution.elapsed_minutes);
        prop_assert!(b.resolution.elapsed_minutes >= a.resolution.elapsed_minutes);
    }
}
