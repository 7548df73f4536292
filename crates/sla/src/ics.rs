//! Deadlines as an iCalendar (RFC 5545) feed: one all-day event per ticket
//! deadline, on its effective date, so a firm's calendar application shows
//! the user's or team's deadlines.

use chrono::{DateTime, NaiveDate, Utc};

/// One deadline to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsDeadline {
    /// The ticket's id: with the date it makes the event's stable UID.
    pub ticket_id: String,
    pub reference: String,
    pub title: String,
    /// The date as entered, and where rollover puts it.
    pub due: NaiveDate,
    pub effective: NaiveDate,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character
/// (RFC 5545 §3.1), and ends it with CRLF.
fn fold(line: &str, out: &mut String) {
    let mut len = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += n;
    }
    out.push_str("\r\n");
}

/// The feed: a VCALENDAR with one all-day VEVENT per deadline.
pub fn ics(name: &str, deadlines: &[IcsDeadline], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for l in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Guichet//Deadlines//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", text(name)),
    ] {
        fold(&l, &mut out);
    }
    for d in deadlines {
        let mut description = format!("{} — {}", d.reference, d.title);
        if d.due != d.effective {
            description.push_str(&format!("\n(due {}; moved to the next working day)", d.due));
        }
        for l in [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}-{}@guichet", d.ticket_id, d.due.format("%Y%m%d")),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", d.effective.format("%Y%m%d")),
            format!(
                "DTEND;VALUE=DATE:{}",
                (d.effective + chrono::Duration::days(1)).format("%Y%m%d")
            ),
            format!("SUMMARY:{}", text(&format!("{} {}", d.reference, d.title))),
            format!("DESCRIPTION:{}", text(&description)),
            "TRANSP:TRANSPARENT".into(),
            "END:VEVENT".into(),
        ] {
            fold(&l, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}
