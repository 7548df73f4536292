//! Business calendars: the public holidays of France, Germany (per Land),
//! Belgium, Luxembourg, Switzerland (per canton) and Austria, computed for
//! any year (movable feasts from Easter, by the Gregorian computus), working
//! days, and the rule that a deadline falling on a weekend or holiday moves to
//! the next working day. No I/O: the deadline and SLA engines build on it.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

mod business;
mod rules;

pub use business::{
    default_time_zone, far_future, BusinessCalendar, CalendarConfig, WorkingHours, DAY_KEYS,
};
pub use rules::{regions, Country};

/// A refused calendar request, naming the field and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}; accepted: {accepted}")]
pub struct CalendarError {
    pub field: &'static str,
    pub problem: String,
    pub accepted: String,
}

/// One public holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    /// A stable key (`easter_monday`, `ascension`, …), for catalogs.
    pub key: &'static str,
    /// The holiday's name in the country's main language.
    pub name: &'static str,
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm,
/// valid for 1583 onwards).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("the computus gives a real date")
}

/// The years the calendars are computed for: the Gregorian computus holds
/// from 1583; beyond 9999 dates stop being useful to a firm.
pub const YEARS: std::ops::RangeInclusive<i32> = 1583..=9999;

/// A firm's (or a team's) calendar: a country, an optional region, and
/// closing days of its own on top of the public holidays. Saturday and Sunday
/// are not working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub country: Country,
    pub region: Option<String>,
    pub closing_days: Vec<NaiveDate>,
}

impl Calendar {
    /// Checks the region against the country's list.
    pub fn new(country: Country, region: Option<&str>) -> Result<Calendar, CalendarError> {
        let region = rules::check_region(country, region)?;
        Ok(Calendar {
            country,
            region,
            closing_days: Vec::new(),
        })
    }

    /// The public holidays of a year, in date order.
    pub fn holidays(&self, year: i32) -> Result<Vec<Holiday>, CalendarError> {
        if !YEARS.contains(&year) {
            return Err(CalendarError {
                field: "year",
                problem: format!("{year} is out of range"),
                accepted: format!("{} to {}", YEARS.start(), YEARS.end()),
            });
        }
        Ok(rules::holidays(self.country, self.region.as_deref(), year))
    }

    /// The holiday on `date`, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<Holiday> {
        self.holidays(date.year())
            .ok()?
            .into_iter()
            .find(|h| h.date == date)
    }

    /// A weekday that is neither a public holiday nor a closing day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !self.closing_days.contains(&date)
            && self.holiday(date).is_none()
    }

    /// The deadline a due date becomes: itself on a working day, otherwise
    /// the next working day.
    pub fn roll_forward(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        // A year has far fewer than 60 days off in a row.
        for _ in 0..60 {
            if self.is_working_day(d) {
                return d;
            }
            d += Duration::days(1);
        }
        d
    }
}
