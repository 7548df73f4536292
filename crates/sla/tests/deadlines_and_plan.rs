//! Deadline reminders, the scheduler's plan, re-planning and catching up
//! after the computer was off. March 2027 in Paris: Easter Monday is the
//! 29th, summer time starts on the 28th.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{at, cal, day, Story};
use guichet_domain::{Priority, Status};
use guichet_sla::{deadline_dues, plan, ticket_dues, Due, DueKind, TimeConfig};
use std::collections::{BTreeSet, HashMap, HashSet};

/// No SLA policies: only deadline dues.
fn deadlines_only() -> TimeConfig {
    TimeConfig {
        sla: Vec::new(),
        ..TimeConfig::default()
    }
}

fn with_due(created: &str, due: &str) -> Story {
    Story::with(created, "general", Priority::Normal, None, Some(day(due)))
}

#[test]
fn reminders_count_working_days_before_the_rolled_deadline() {
    let s = with_due("2027-03-01 10:00", "2027-03-27");
    let dues = deadline_dues(&s.ticket(), &deadlines_only(), &cal());
    let got: Vec<_> = dues.iter().map(|d| (d.at, d.kind.clone())).collect();
    let reminder = |days| DueKind::Reminder {
        deadline: day("2027-03-30"),
        days_before: days,
    };
    assert_eq!(
        got,
        vec![
            (at("2027-03-18 09:00"), reminder(7)),
            (at("2027-03-25 09:00"), reminder(2)),
            (at("2027-03-30 09:00"), reminder(0)),
            (
                at("2027-03-30 18:00"),
                DueKind::DeadlineMissed {
                    deadline: day("2027-03-30")
                }
            ),
        ]
    );
    assert_eq!(dues[0].key, format!("reminder:{}:2027-03-30:7", s.id));
    assert_eq!(dues[3].key, format!("deadline_missed:{}:2027-03-30", s.id));
    // A restart re-plans to the very same dues.
    assert_eq!(deadline_dues(&s.ticket(), &deadlines_only(), &cal()), dues);
}

#[test]
fn per_category_offsets_and_closed_tickets() {
    let mut cfg = deadlines_only();
    cfg.reminders
        .per_category
        .insert("court".into(), vec![10, 1]);
    let s = Story::with(
        "2027-03-01 10:00",
        "court",
        Priority::Normal,
        None,
        Some(day("2027-03-30")),
    );
    let days: Vec<_> = deadline_dues(&s.ticket(), &cfg, &cal())
        .into_iter()
        .filter_map(|d| match d.kind {
            DueKind::Reminder { days_before, .. } => Some((days_before, d.at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        days,
        vec![(10, at("2027-03-15 09:00")), (1, at("2027-03-26 09:00"))]
    );
    let mut done = with_due("2027-03-01 10:00", "2027-03-30");
    done.status("2027-03-02 10:00", Status::Resolved);
    assert!(deadline_dues(&done.ticket(), &cfg, &cal()).is_empty());
    let none = Story::new("2027-03-01 10:00", "general", Priority::Normal);
    assert!(deadline_dues(&none.ticket(), &cfg, &cal()).is_empty());
}

#[test]
fn reminders_before_the_deadline_was_set_are_left_out() {
    let late = with_due("2027-03-24 10:00", "2027-03-30");
    let kinds: Vec<_> = deadline_dues(&late.ticket(), &deadlines_only(), &cal())
        .into_iter()
        .map(|d| d.kind)
        .collect();
    assert!(!kinds
        .iter()
        .any(|k| matches!(k, DueKind::Reminder { days_before: 7, .. })));
    assert!(kinds
        .iter()
        .any(|k| matches!(k, DueKind::Reminder { days_before: 2, .. })));

    let mut set_later = Story::new("2027-03-01 10:00", "general", Priority::Normal);
    set_later.due("2027-03-24 10:00", Some(day("2027-03-30")));
    let n = deadline_dues(&set_later.ticket(), &deadlines_only(), &cal()).len();
    assert_eq!(n, 3, "2 days, 0 days, missed");
}

#[test]
fn next_wake_is_the_earliest_future_due() {
    let s = with_due("2027-03-01 10:00", "2027-03-27");
    let dues = deadline_dues(&s.ticket(), &deadlines_only(), &cal());
    let p = plan(dues.clone(), &HashSet::new(), at("2027-03-10 12:00"), 10);
    assert!(p.fire.is_empty() && p.summarised.is_empty());
    assert_eq!(p.next_wake, Some(at("2027-03-18 09:00")));
    // At that moment it fires, and the wake moves on.
    let p = plan(dues.clone(), &HashSet::new(), at("2027-03-18 09:00"), 10);
    assert_eq!(p.fire.len(), 1);
    assert_eq!(p.next_wake, Some(at("2027-03-25 09:00")));
    // Delivered keys are skipped, and duplicates count once.
    let delivered: HashSet<String> = p.keys().map(str::to_string).collect();
    let twice = dues.iter().chain(&dues).cloned();
    let p = plan(twice, &delivered, at("2027-03-26 09:00"), 10);
    assert_eq!(p.fire.len(), 1);
    assert_eq!(p.fire[0].at, at("2027-03-25 09:00"));
}

#[test]
fn a_changed_deadline_gives_new_keys() {
    let mut s = with_due("2027-03-01 10:00", "2027-03-27");
    let cfg = deadlines_only();
    let before = deadline_dues(&s.ticket(), &cfg, &cal());
    // The 7-day reminder was delivered; then the deadline moves.
    let delivered: HashSet<String> = HashSet::from([before[0].key.clone()]);
    s.due("2027-03-19 11:00", Some(day("2027-04-15")));
    let after = deadline_dues(&s.ticket(), &cfg, &cal());
    let old: BTreeSet<_> = before.iter().map(|d| &d.key).collect();
    assert!(after.iter().all(|d| !old.contains(&d.key)));
    assert!(after.iter().all(|d| d.key.contains("2027-04-15")));
    // The new 7-day reminder (2027-04-06) fires in its own right.
    let p = plan(after, &delivered, at("2027-04-06 09:30"), 10);
    assert_eq!(p.fire.len(), 1);
    assert_eq!(p.fire[0].key, format!("reminder:{}:2027-04-15:7", s.id));
    // Moving it back to the original date gives the original keys again:
    // what was delivered for that deadline is not delivered twice.
    s.due("2027-03-19 12:00", Some(day("2027-03-27")));
    let back = deadline_dues(&s.ticket(), &cfg, &cal());
    let p = plan(back, &delivered, at("2027-03-19 12:30"), 10);
    assert!(p.fire.is_empty());
}

/// Deliveries per key, and each round that delivered something: its
/// moment, the fired dues and the summarised ones.
type Outcome = (
    HashMap<String, usize>,
    Vec<(DateTime<Utc>, Vec<Due>, Vec<Due>)>,
);

/// The scheduler's loop: wake at the next due or every hour, except while
/// the computer is off; record what was delivered.
fn simulate(
    stories: &[Story],
    cfg: &TimeConfig,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    off: (DateTime<Utc>, DateTime<Utc>),
    max_individual: usize,
) -> Outcome {
    let cal = cal();
    let mut delivered = HashSet::new();
    let mut count: HashMap<String, usize> = HashMap::new();
    let mut rounds = Vec::new();
    let mut now = from;
    while now <= to {
        if now >= off.0 && now < off.1 {
            now = off.1;
        }
        let dues: Vec<Due> = stories
            .iter()
            .flat_map(|s| ticket_dues(&s.events, cfg, &cal, now))
            .collect();
        let p = plan(dues.clone(), &delivered, now, max_individual);
        for k in p.keys() {
            *count.entry(k.to_string()).or_default() += 1;
        }
        delivered.extend(p.keys().map(str::to_string));
        // Planning again at once gives nothing more.
        let again = plan(dues, &delivered, now, max_individual);
        assert!(again.fire.is_empty() && again.summarised.is_empty());
        if !p.fire.is_empty() || !p.summarised.is_empty() {
            rounds.push((now, p.fire, p.summarised));
        }
        let step = now + Duration::hours(1);
        now = p
            .next_wake
            .map_or(step, |w| w.min(step))
            .max(now + Duration::minutes(1));
    }
    (count, rounds)
}

#[test]
fn a_week_off_catches_up_every_missed_reminder_exactly_once() {
    let stories = [
        with_due("2027-03-01 10:00", "2027-03-17"),
        with_due("2027-03-01 10:00", "2027-03-19"),
        with_due("2027-03-01 10:00", "2027-03-27"),
    ];
    let off = (at("2027-03-15 07:00"), at("2027-03-22 08:30"));
    let (count, rounds) = simulate(
        &stories,
        &deadlines_only(),
        at("2027-03-01 10:00"),
        at("2027-04-05 10:00"),
        off,
        50,
    );
    assert!(count.values().all(|&n| n == 1), "{count:?}");
    // 3 tickets × (3 reminders + missed), all delivered.
    assert_eq!(count.len(), 12);
    // On restart, everything that fell in the week off fires at once, oldest first.
    let (when, fired, summarised) = rounds.iter().find(|(t, ..)| *t >= off.1).unwrap();
    assert_eq!(*when, off.1);
    assert!(summarised.is_empty());
    let expected = [
        ("2027-03-15 09:00", 0, "reminder"), // 2 days before the 17th
        ("2027-03-17 09:00", 0, "reminder"), // the 17th itself
        ("2027-03-17 09:00", 1, "reminder"), // 2 days before the 19th
        ("2027-03-17 18:00", 0, "deadline_missed"),
        ("2027-03-18 09:00", 2, "reminder"), // 7 working days before the 30th
        ("2027-03-19 09:00", 1, "reminder"),
        ("2027-03-19 18:00", 1, "deadline_missed"),
    ];
    assert_eq!(fired.len(), expected.len(), "{fired:#?}");
    for (due, (t, i, kind)) in fired.iter().zip(expected) {
        assert_eq!(due.at, at(t));
        assert_eq!(due.ticket, stories[i].id);
        assert!(due.key.starts_with(kind));
    }
    assert!(fired.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn a_large_backlog_becomes_a_summary_and_sla_dues_fire_once() {
    // 30 tickets with SLA clocks and deadlines; the default SLA policies apply.
    let stories: Vec<Story> = (0..30)
        .map(|i| with_due(&format!("2027-03-{:02} 10:00", 8 + i % 5), "2027-03-17"))
        .collect();
    let cfg = TimeConfig::default();
    let off = (at("2027-03-15 07:00"), at("2027-03-22 08:30"));
    let (count, rounds) = simulate(
        &stories,
        &cfg,
        at("2027-03-08 10:00"),
        at("2027-03-24 10:00"),
        off,
        10,
    );
    assert!(count.values().all(|&n| n == 1));
    let (_, fired, summarised) = rounds.iter().find(|(t, ..)| *t >= off.1).unwrap();
    assert_eq!(fired.len(), 10);
    assert!(summarised.len() > 30, "{}", summarised.len());
    // The individual ones are the oldest.
    let newest_fired = fired.iter().map(|d| d.at).max().unwrap();
    assert!(summarised.iter().all(|d| d.at >= newest_fired));
    // Every reminder and missed deadline of the 30 tickets was delivered.
    for s in &stories {
        for key in ["2027-03-17:2", "2027-03-17:0"] {
            assert_eq!(count.get(&format!("reminder:{}:{key}", s.id)), Some(&1));
        }
        assert_eq!(
            count.get(&format!("deadline_missed:{}:2027-03-17", s.id)),
            Some(&1)
        );
    }
}
