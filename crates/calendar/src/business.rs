//! Business time: working hours per weekday in a local time zone, on top of
//! the public holidays and closing days of a [`Calendar`]. Adding working time
//! and measuring it between two instants skip whole days at a time, so
//! durations of weeks cost a few dozen steps, not one per minute.
//!
//! Local times that do not exist (the hour skipped when clocks go forward)
//! are taken as the first instant after the gap; ambiguous ones (the hour
//! repeated when clocks go back) as their earlier instant. Working time is
//! real elapsed time: the night clocks go back, an interval spanning the
//! change is one hour longer, the night they go forward one hour shorter.

use crate::{Calendar, CalendarError, Country, YEARS};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The weekday keys of [`CalendarConfig::hours`], Monday first.
pub const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const HOURS_FIELDS: [&str; 7] = [
    "hours.mon",
    "hours.tue",
    "hours.wed",
    "hours.thu",
    "hours.fri",
    "hours.sat",
    "hours.sun",
];

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a valid time of day")
}

/// Working intervals per weekday, Monday first: each day's list is sorted,
/// its intervals non-empty and non-overlapping (checked by [`WorkingHours::new`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    days: [Vec<(NaiveTime, NaiveTime)>; 7],
}

impl Default for WorkingHours {
    /// Monday to Friday 09:00–12:30 and 13:30–18:00 (8 hours); no weekend hours.
    fn default() -> Self {
        let day = vec![(hm(9, 0), hm(12, 30)), (hm(13, 30), hm(18, 0))];
        WorkingHours {
            days: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
        }
    }
}

impl WorkingHours {
    /// Checks each day's intervals: start before end, sorted, not overlapping.
    /// Errors name the day (`hours.mon`…).
    pub fn new(days: [Vec<(NaiveTime, NaiveTime)>; 7]) -> Result<WorkingHours, CalendarError> {
        for (i, day) in days.iter().enumerate() {
            let field = HOURS_FIELDS[i];
            let mut previous_end: Option<NaiveTime> = None;
            for (start, end) in day {
                if start >= end {
                    return Err(CalendarError {
                        field,
                        problem: format!("{} is not before {}", fmt_time(*start), fmt_time(*end)),
                        accepted: "intervals HH:MM-HH:MM with the start before the end".into(),
                    });
                }
                if previous_end.is_some_and(|p| *start < p) {
                    return Err(CalendarError {
                        field,
                        problem: format!(
                            "the interval starting {} overlaps or comes before the previous one",
                            fmt_time(*start)
                        ),
                        accepted: "intervals in order of time, not overlapping".into(),
                    });
                }
                previous_end = Some(*end);
            }
        }
        Ok(WorkingHours { days })
    }

    /// No working hours on any day.
    pub fn none() -> WorkingHours {
        WorkingHours {
            days: Default::default(),
        }
    }

    /// The working intervals of a weekday, in order.
    pub fn on(&self, weekday: Weekday) -> &[(NaiveTime, NaiveTime)] {
        &self.days[weekday.num_days_from_monday() as usize]
    }

    /// No interval on any day of the week.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(Vec::is_empty)
    }

    /// Working time in a week without holidays.
    pub fn per_week(&self) -> Duration {
        self.days
            .iter()
            .flatten()
            .map(|(s, e)| *e - *s)
            .fold(Duration::zero(), |a, b| a + b)
    }

    /// The readable form used by [`CalendarConfig::hours`].
    pub fn to_config(&self) -> BTreeMap<String, Vec<String>> {
        DAY_KEYS
            .iter()
            .zip(&self.days)
            .filter(|(_, d)| !d.is_empty())
            .map(|(k, d)| {
                (
                    k.to_string(),
                    d.iter()
                        .map(|(s, e)| format!("{}-{}", fmt_time(*s), fmt_time(*e)))
                        .collect(),
                )
            })
            .collect()
    }
}

fn fmt_time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn default_rollover() -> bool {
    true
}

/// A calendar as the firm stores it (JSON), for the firm or for one team.
///
/// ```json
/// {"country": "FR", "region": null, "closing_days": ["2027-12-24"],
///  "time_zone": "Europe/Paris",
///  "hours": {"mon": ["09:00-12:30", "13:30-18:00"], "tue": ["09:00-18:00"]},
///  "rollover": true}
/// ```
///
/// A weekday missing from `hours` has no working hours. Hours given for
/// Saturday or Sunday count as working time (a firm open on Saturday
/// mornings); deadlines still roll over weekends, which are never working
/// days for [`Calendar::roll_forward`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarConfig {
    /// FR, DE, BE, LU, CH or AT.
    pub country: String,
    #[serde(default)]
    pub region: Option<String>,
    /// The firm's own closing days, on top of the public holidays.
    #[serde(default)]
    pub closing_days: Vec<NaiveDate>,
    /// An IANA time zone, such as `Europe/Paris`.
    pub time_zone: String,
    /// Per weekday key (`mon`…`sun`), intervals as `HH:MM-HH:MM`; when
    /// left out, Monday to Friday 09:00–12:30 and 13:30–18:00.
    #[serde(default = "default_hours")]
    pub hours: BTreeMap<String, Vec<String>>,
    /// A deadline on a weekend, holiday or closing day moves to the next
    /// working day.
    #[serde(default = "default_rollover")]
    pub rollover: bool,
}

fn default_hours() -> BTreeMap<String, Vec<String>> {
    WorkingHours::default().to_config()
}

impl Default for CalendarConfig {
    /// France, Paris time, the default hours.
    fn default() -> Self {
        CalendarConfig::default_for(Country::FR)
    }
}

impl CalendarConfig {
    /// The country's capital time zone and the default working hours, no
    /// region. Switzerland needs a canton before [`CalendarConfig::build`]
    /// accepts it (holidays there are cantonal).
    pub fn default_for(country: Country) -> CalendarConfig {
        CalendarConfig {
            country: format!("{country:?}"),
            region: None,
            closing_days: Vec::new(),
            time_zone: default_time_zone(country).to_string(),
            hours: WorkingHours::default().to_config(),
            rollover: true,
        }
    }

    /// Checks every field and gives the calendar to compute with. Errors name
    /// the field (`country`, `region`, `closing_days`, `time_zone`, `hours`,
    /// `hours.mon`…) and what is accepted.
    pub fn build(&self) -> Result<BusinessCalendar, CalendarError> {
        let country: Country = self.country.parse()?;
        let mut calendar = Calendar::new(country, self.region.as_deref())?;
        for d in &self.closing_days {
            if !YEARS.contains(&d.year()) {
                return Err(CalendarError {
                    field: "closing_days",
                    problem: format!("{d} is out of range"),
                    accepted: format!("dates in the years {} to {}", YEARS.start(), YEARS.end()),
                });
            }
        }
        let mut closing = self.closing_days.clone();
        closing.sort();
        closing.dedup();
        calendar.closing_days = closing;
        let tz: Tz = self.time_zone.trim().parse().map_err(|_| CalendarError {
            field: "time_zone",
            problem: format!("'{}' is not a known time zone", self.time_zone),
            accepted: "an IANA time zone name, such as Europe/Paris or Europe/Berlin".into(),
        })?;
        let hours = parse_hours(&self.hours)?;
        if hours.is_empty() {
            return Err(CalendarError {
                field: "hours",
                problem: "there are no working hours in the week".into(),
                accepted: "at least one interval, such as {\"mon\": [\"09:00-18:00\"]}".into(),
            });
        }
        Ok(BusinessCalendar {
            calendar,
            hours,
            tz,
            rollover: self.rollover,
        })
    }
}

/// The time zone of a country's capital.
pub fn default_time_zone(country: Country) -> Tz {
    match country {
        Country::FR => Tz::Europe__Paris,
        Country::DE => Tz::Europe__Berlin,
        Country::BE => Tz::Europe__Brussels,
        Country::LU => Tz::Europe__Luxembourg,
        Country::CH => Tz::Europe__Zurich,
        Country::AT => Tz::Europe__Vienna,
    }
}

fn parse_hours(map: &BTreeMap<String, Vec<String>>) -> Result<WorkingHours, CalendarError> {
    let mut days: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
    for (key, intervals) in map {
        let k = key.trim().to_ascii_lowercase();
        let Some(i) = DAY_KEYS.iter().position(|d| *d == k) else {
            return Err(CalendarError {
                field: "hours",
                problem: format!("'{key}' is not a weekday key"),
                accepted: DAY_KEYS.join(", "),
            });
        };
        if !days[i].is_empty() {
            return Err(CalendarError {
                field: HOURS_FIELDS[i],
                problem: "the day is given twice".into(),
                accepted: "each weekday once".into(),
            });
        }
        for text in intervals {
            let bad = || CalendarError {
                field: HOURS_FIELDS[i],
                problem: format!("'{text}' is not an interval"),
                accepted: "HH:MM-HH:MM, such as 09:00-12:30".into(),
            };
            let (s, e) = text.split_once('-').ok_or_else(bad)?;
            let s = NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| bad())?;
            let e = NaiveTime::parse_from_str(e.trim(), "%H:%M").map_err(|_| bad())?;
            days[i].push((s, e));
        }
    }
    WorkingHours::new(days)
}

/// The latest instant the engine computes with: what [`BusinessCalendar::add_working`]
/// answers when no working time is left (a week without working hours).
pub fn far_future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .expect("a valid instant")
}

/// A calendar to compute business time with: holidays and closing days,
/// working hours, the local time zone, and the deadline rollover rule.
///
/// A working day is a date with working hours on its weekday that is neither
/// a public holiday nor a closing day.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    pub calendar: Calendar,
    pub hours: WorkingHours,
    pub tz: Tz,
    pub rollover: bool,
}

/// Holidays of one year at a time, so that walking days does not recompute
/// the year's rules for every day.
struct DayCache<'a> {
    cal: &'a BusinessCalendar,
    year: i32,
    holidays: Vec<NaiveDate>,
}

impl<'a> DayCache<'a> {
    fn new(cal: &'a BusinessCalendar) -> Self {
        DayCache {
            cal,
            year: i32::MIN,
            holidays: Vec::new(),
        }
    }

    fn is_working_day(&mut self, date: NaiveDate) -> bool {
        if self.cal.hours.on(date.weekday()).is_empty()
            || self.cal.calendar.closing_days.contains(&date)
        {
            return false;
        }
        if date.year() != self.year {
            self.year = date.year();
            self.holidays = self
                .cal
                .calendar
                .holidays(self.year)
                .map(|h| h.into_iter().map(|h| h.date).collect())
                .unwrap_or_default();
        }
        !self.holidays.contains(&date)
    }

    /// The working intervals of a date as instants, in order; empty on a
    /// day off.
    fn intervals(&mut self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(date) {
            return Vec::new();
        }
        self.cal
            .hours
            .on(date.weekday())
            .iter()
            .map(|(s, e)| {
                (
                    self.cal.instant(date.and_time(*s)),
                    self.cal.instant(date.and_time(*e)),
                )
            })
            .filter(|(s, e)| s < e)
            .collect()
    }
}

impl BusinessCalendar {
    /// The instant of a local date and time: a time skipped by a change to
    /// summer time is the first instant after the gap; a repeated time is its
    /// earlier instant. Monotonic in the local time.
    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let mut probe = local;
        // Gaps are at most a few hours: step to the first local minute that
        // exists; its instant is where the gap ends (the offset changes on a
        // whole minute, and working hours are whole minutes).
        for _ in 0..(24 * 60) {
            match self.tz.from_local_datetime(&probe) {
                LocalResult::Single(t) => return t.with_timezone(&Utc),
                LocalResult::Ambiguous(a, _) => return a.with_timezone(&Utc),
                LocalResult::None => probe += Duration::minutes(1),
            }
        }
        Utc.from_utc_datetime(&local)
    }

    /// The local date of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// A date with working hours that is not a holiday or closing day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        DayCache::new(self).is_working_day(date)
    }

    /// Whether any working time exists at all (some weekday has hours).
    pub fn has_working_time(&self) -> bool {
        !self.hours.is_empty()
    }

    /// The date `n` working days before `date` (`date` itself for 0, even on
    /// a day off). Without working hours, `date` minus `n` calendar days.
    pub fn working_days_before(&self, date: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return date;
        }
        if !self.has_working_time() {
            return date - Duration::days(n as i64);
        }
        let mut cache = DayCache::new(self);
        let mut d = date;
        let mut left = n;
        // Bounded: each week has a working weekday unless holidays or closing
        // days cover it; a year of those is beyond any real calendar.
        let mut guard = 0;
        while left > 0 && guard < 366 * 10 + n as usize * 7 {
            let Some(prev) = d.pred_opt() else { break };
            d = prev;
            if cache.is_working_day(d) {
                left -= 1;
            }
            guard += 1;
        }
        d
    }

    /// The first working moment of a local date, or 08:00 local when the date
    /// has no working hours (day off).
    pub fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        DayCache::new(self)
            .intervals(date)
            .first()
            .map(|(s, _)| *s)
            .unwrap_or_else(|| self.instant(date.and_time(hm(8, 0))))
    }

    /// The end of the last working interval of a local date, or 18:00 local
    /// when the date has no working hours.
    pub fn day_end(&self, date: NaiveDate) -> DateTime<Utc> {
        DayCache::new(self)
            .intervals(date)
            .last()
            .map(|(_, e)| *e)
            .unwrap_or_else(|| self.instant(date.and_time(hm(18, 0))))
    }

    /// The deadline a due date becomes: rolled forward to the next working
    /// day (weekends, holidays, closing days) when `rollover` is on,
    /// otherwise the due date itself.
    pub fn effective_deadline(&self, due: NaiveDate) -> NaiveDate {
        if self.rollover {
            self.calendar.roll_forward(due)
        } else {
            due
        }
    }

    /// The instant `d` of working time after `start`: only time inside
    /// working intervals of working days counts. A zero or negative `d`
    /// gives `start`. Ending exactly at the end of an interval gives that
    /// end (not the next start).
    ///
    /// Without any working hours in the week (or when the walk would pass
    /// the year 9999) it answers [`far_future`]: "never".
    pub fn add_working(&self, start: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        if d <= Duration::zero() {
            return start;
        }
        if !self.has_working_time() {
            return far_future();
        }
        let mut cache = DayCache::new(self);
        let mut left = d;
        let mut date = self.local_date(start);
        while date.year() <= *YEARS.end() {
            for (s, e) in cache.intervals(date) {
                if e <= start {
                    continue;
                }
                let from = s.max(start);
                let available = e - from;
                if left <= available {
                    return from + left;
                }
                left -= available;
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        far_future()
    }

    /// The working time between two instants; zero when `b <= a`.
    pub fn working_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if b <= a || !self.has_working_time() {
            return total;
        }
        let mut cache = DayCache::new(self);
        let mut date = self.local_date(a);
        let last = self.local_date(b);
        while date <= last {
            for (s, e) in cache.intervals(date) {
                let from = s.max(a);
                let to = e.min(b);
                if to > from {
                    total += to - from;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }
}
