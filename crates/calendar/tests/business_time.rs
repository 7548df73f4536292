//! Business time against known dates: weekends, holidays, DST, bad configs.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use guichet_calendar::{
    far_future, BusinessCalendar, Calendar, CalendarConfig, Country, WorkingHours,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn paris() -> BusinessCalendar {
    CalendarConfig::default_for(Country::FR).build().unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A local wall-clock time in `tz`, as an instant (must exist and be unique).
fn local(tz: Tz, s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const P: Tz = Tz::Europe__Paris;

#[test]
fn four_hours_from_friday_afternoon_land_on_monday_morning() {
    let cal = paris();
    // 2027-03-19 is a Friday; the following Monday is an ordinary day.
    let start = local(P, "2027-03-19 16:00");
    assert_eq!(
        cal.add_working(start, Duration::hours(4)),
        local(P, "2027-03-22 11:00")
    );
}

#[test]
fn easter_monday_pushes_to_tuesday_across_the_spring_dst_change() {
    let cal = paris();
    // Friday 2027-03-26 is in winter time, Easter Monday 2027-03-29 is a
    // holiday, Tuesday is in summer time (clocks went forward on the 28th).
    let start = local(P, "2027-03-26 16:00");
    let end = cal.add_working(start, Duration::hours(4));
    assert_eq!(end, local(P, "2027-03-30 11:00"));
    assert_eq!(end, utc("2027-03-30T09:00:00Z"));
    assert_eq!(cal.working_between(start, end), Duration::hours(4));
}

#[test]
fn working_between_over_a_weekend_and_a_holiday() {
    let cal = paris();
    let a = local(P, "2027-03-26 17:00");
    let b = local(P, "2027-03-30 10:00");
    assert_eq!(cal.working_between(a, b), Duration::hours(2));
    // The lunch break does not count.
    let a = local(P, "2027-03-30 12:00");
    let b = local(P, "2027-03-30 14:00");
    assert_eq!(cal.working_between(a, b), Duration::minutes(60));
    // Backwards or empty: zero.
    assert_eq!(cal.working_between(b, a), Duration::zero());
    assert_eq!(cal.working_between(a, a), Duration::zero());
    // A whole ordinary week: 5 × 8 hours.
    let a = local(P, "2027-06-07 00:00");
    let b = local(P, "2027-06-14 00:00");
    assert_eq!(cal.working_between(a, b), Duration::hours(40));
}

#[test]
fn autumn_dst_change_and_all_saints() {
    let cal = paris();
    // Friday 2027-10-29 in summer time; clocks go back on Sunday the 31st;
    // Monday 1 November is All Saints.
    let start = local(P, "2027-10-29 17:00");
    let end = cal.add_working(start, Duration::hours(2));
    assert_eq!(end, local(P, "2027-11-02 10:00"));
    assert_eq!(end, utc("2027-11-02T09:00:00Z"));
}

/// A German calendar working Sunday nights, to land intervals on the DST changes.
fn night_shift(interval: &str) -> BusinessCalendar {
    let mut cfg = CalendarConfig::default_for(Country::DE);
    cfg.hours = BTreeMap::from([("sun".to_string(), vec![interval.to_string()])]);
    cfg.build().unwrap()
}

#[test]
fn intervals_across_dst_count_real_time() {
    // 2027-03-28: 02:00 CET becomes 03:00 CEST; 01:00-04:00 is 2 real hours.
    let cal = night_shift("01:00-04:00");
    let day = |s: &str| (cal.day_start(d(s)), cal.day_end(d(s)));
    let (s, e) = day("2027-03-28");
    assert_eq!(s, utc("2027-03-28T00:00:00Z"));
    assert_eq!(e, utc("2027-03-28T02:00:00Z"));
    assert_eq!(cal.working_between(s, e), Duration::hours(2));
    // 2027-10-31: 03:00 CEST becomes 02:00 CET; 01:00-04:00 is 4 real hours.
    let (s, e) = day("2027-10-31");
    assert_eq!(s, utc("2027-10-30T23:00:00Z"));
    assert_eq!(e, utc("2027-10-31T03:00:00Z"));
    assert_eq!(cal.working_between(s, e), Duration::hours(4));
    assert_eq!(cal.add_working(s, Duration::hours(4)), e);
}

#[test]
fn nonexistent_and_ambiguous_local_times() {
    // 02:30 does not exist on 2027-03-28: it starts when the gap ends.
    let cal = night_shift("02:30-05:00");
    assert_eq!(cal.day_start(d("2027-03-28")), utc("2027-03-28T01:00:00Z"));
    // An interval inside the gap has no working time.
    let cal = night_shift("02:10-02:50");
    let noon = utc("2027-03-28T12:00:00Z");
    let midnight = utc("2027-03-27T22:00:00Z");
    assert_eq!(cal.working_between(midnight, noon), Duration::zero());
    // 02:30 happens twice on 2027-10-31: the earlier one (summer time).
    let cal = night_shift("02:30-05:00");
    assert_eq!(cal.day_start(d("2027-10-31")), utc("2027-10-31T00:30:00Z"));
    assert_eq!(cal.day_end(d("2027-10-31")), utc("2027-10-31T04:00:00Z"));
}

#[test]
fn day_bounds_and_deadlines() {
    let cal = paris();
    assert_eq!(cal.day_start(d("2027-03-30")), local(P, "2027-03-30 09:00"));
    assert_eq!(cal.day_end(d("2027-03-30")), local(P, "2027-03-30 18:00"));
    // A holiday has no hours: 08:00 and 18:00 local.
    assert_eq!(cal.day_start(d("2027-03-29")), local(P, "2027-03-29 08:00"));
    assert_eq!(cal.day_end(d("2027-03-29")), local(P, "2027-03-29 18:00"));
    // Saturday before Easter rolls to Tuesday; without rollover it stays.
    assert_eq!(cal.effective_deadline(d("2027-03-27")), d("2027-03-30"));
    assert_eq!(cal.effective_deadline(d("2027-03-30")), d("2027-03-30"));
    let mut fixed = cal.clone();
    fixed.rollover = false;
    assert_eq!(fixed.effective_deadline(d("2027-03-27")), d("2027-03-27"));
    // Working days before skip the weekend and Easter Monday.
    assert_eq!(cal.working_days_before(d("2027-03-30"), 0), d("2027-03-30"));
    assert_eq!(cal.working_days_before(d("2027-03-30"), 1), d("2027-03-26"));
    assert_eq!(cal.working_days_before(d("2027-03-30"), 2), d("2027-03-25"));
    assert_eq!(cal.working_days_before(d("2027-03-30"), 7), d("2027-03-18"));
}

#[test]
fn closing_days_are_days_off() {
    let mut cfg = CalendarConfig::default_for(Country::FR);
    cfg.closing_days = vec![d("2027-12-24"), d("2027-12-31")];
    let cal = cfg.build().unwrap();
    assert!(!cal.is_working_day(d("2027-12-24")));
    assert!(cal.is_working_day(d("2027-12-23")));
    // Thursday 23rd 17:00 + 2h: Friday 24 closed, weekend, Christmas is a
    // Saturday, so Monday 27th 10:00.
    let start = local(P, "2027-12-23 17:00");
    assert_eq!(
        cal.add_working(start, Duration::hours(2)),
        local(P, "2027-12-27 10:00")
    );
    assert_eq!(cal.effective_deadline(d("2027-12-24")), d("2027-12-27"));
}

#[test]
fn weeks_of_working_time_are_quick() {
    let cal = paris();
    let start = local(P, "2027-01-04 09:00");
    let t = std::time::Instant::now();
    for _ in 0..100 {
        // 12 weeks of 40 hours.
        let end = cal.add_working(start, Duration::hours(480));
        assert_eq!(cal.working_between(start, end), Duration::hours(480));
    }
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_calendar_without_hours_never_reaches_the_end() {
    let cal = BusinessCalendar {
        calendar: Calendar::new(Country::FR, None).unwrap(),
        hours: WorkingHours::none(),
        tz: P,
        rollover: true,
    };
    let start = local(P, "2027-03-19 16:00");
    assert_eq!(cal.add_working(start, Duration::hours(1)), far_future());
    assert_eq!(cal.add_working(start, Duration::zero()), start);
    assert_eq!(
        cal.working_between(start, start + Duration::days(30)),
        Duration::zero()
    );
}

fn field_of(cfg: &CalendarConfig) -> &'static str {
    cfg.build().unwrap_err().field
}

#[test]
fn bad_configs_name_the_field() {
    let base = CalendarConfig::default_for(Country::FR);

    let mut c = base.clone();
    c.time_zone = "Europe/Pariss".into();
    let err = c.build().unwrap_err();
    assert_eq!(err.field, "time_zone");
    assert!(err.to_string().contains("Europe/Paris"), "{err}");

    let mut c = base.clone();
    c.country = "XX".into();
    assert_eq!(field_of(&c), "country");

    let mut c = base.clone();
    c.country = "CH".into();
    assert_eq!(field_of(&c), "region");
    c.region = Some("GE".into());
    c.time_zone = "Europe/Zurich".into();
    assert!(c.build().is_ok());

    let mut c = base.clone();
    c.region = Some("BY".into());
    assert_eq!(field_of(&c), "region");

    let mut c = base.clone();
    c.closing_days = vec![d("1200-01-01")];
    assert_eq!(field_of(&c), "closing_days");

    let mut c = base.clone();
    c.hours.insert("mon".into(), vec!["9h-12h".into()]);
    let err = c.build().unwrap_err();
    assert_eq!(err.field, "hours.mon");
    assert!(err.accepted.contains("HH:MM-HH:MM"));

    let mut c = base.clone();
    c.hours.insert(
        "tue".into(),
        vec!["09:00-13:00".into(), "12:00-18:00".into()],
    );
    assert_eq!(field_of(&c), "hours.tue");

    let mut c = base.clone();
    c.hours.insert("wed".into(), vec!["18:00-09:00".into()]);
    assert_eq!(field_of(&c), "hours.wed");

    let mut c = base.clone();
    c.hours.insert("monday".into(), vec!["09:00-18:00".into()]);
    let err = c.build().unwrap_err();
    assert_eq!(err.field, "hours");
    assert!(err.accepted.contains("mon, tue"));

    let mut c = base.clone();
    c.hours.clear();
    assert_eq!(field_of(&c), "hours");
}

#[test]
fn config_json_round_trip_and_defaults() {
    let cfg = CalendarConfig::default_for(Country::DE);
    assert_eq!(cfg.time_zone, "Europe/Berlin");
    let json = serde_json::to_string(&cfg).unwrap();
    assert!(
        json.contains(r#""mon":["09:00-12:30","13:30-18:00"]"#),
        "{json}"
    );
    let back: CalendarConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cfg);
    // Optional fields may be left out; rollover defaults to on.
    let short: CalendarConfig = serde_json::from_str(
        r#"{"country":"AT","time_zone":"Europe/Vienna","hours":{"fri":["08:00-12:00"]}}"#,
    )
    .unwrap();
    assert!(short.rollover);
    let cal = short.build().unwrap();
    assert_eq!(cal.hours.per_week(), Duration::hours(4));
    assert_eq!(
        CalendarConfig::default().build().unwrap().hours.per_week(),
        Duration::hours(40)
    );
}

proptest! {
    #[test]
    fn adding_then_measuring_gives_back_the_duration(
        offset_min in 0i64..(2 * 366 * 24 * 60),
        minutes in 0i64..(30 * 8 * 60),
        secs in 0i64..60,
    ) {
        let cal = paris();
        let a = utc("2026-12-20T00:00:00Z") + Duration::minutes(offset_min);
        let dur = Duration::minutes(minutes) + Duration::seconds(secs);
        let end = cal.add_working(a, dur);
        prop_assert!(end >= a);
        prop_assert_eq!(cal.working_between(a, end), dur);
    }

    #[test]
    fn measuring_then_adding_does_not_overshoot(
        offset_min in 0i64..(366 * 24 * 60),
        span_min in 0i64..(20 * 24 * 60),
    ) {
        let cal = paris();
        let a = utc("2027-01-01T00:00:00Z") + Duration::minutes(offset_min);
        let b = a + Duration::minutes(span_min);
        let w = cal.working_between(a, b);
        let back = cal.add_working(a, w);
        prop_assert!(back <= b);
        prop_assert_eq!(cal.working_between(back, b), Duration::zero());
    }
}
