//! The iCalendar feed of deadlines: well-formed, escaped, folded, stable UIDs.

use chrono::{NaiveDate, TimeZone, Utc};
use guichet_sla::{ics, IcsDeadline};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn a_feed_of_deadlines_is_valid_icalendar() {
    let items = vec![
        IcsDeadline {
            ticket_id: "0190-aa".into(),
            reference: "K7QX-42".into(),
            title: "Mémoire en réplique; audience, TGI".into(),
            due: d("2027-05-15"),
            effective: d("2027-05-18"),
        },
        IcsDeadline {
            ticket_id: "0190-bb".into(),
            reference: "K7QX-43".into(),
            title: "Fristverlängerung für die Körperschaftsteuererklärung beantragen beim zuständigen Finanzamt".into(),
            due: d("2027-05-20"),
            effective: d("2027-05-20"),
        },
    ];
    let now = Utc.with_ymd_and_hms(2027, 5, 1, 8, 0, 0).unwrap();
    let out = ics("Deadlines of me", &items, now);
    assert!(out.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(out.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(out.matches("BEGIN:VEVENT").count(), 2);
    // Every line ends with CRLF and no line is longer than 75 octets.
    for line in out.split("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
        assert!(!line.contains('\n'));
    }
    let unfolded = out.replace("\r\n ", "");
    // The rolled deadline sits on its effective date, all day.
    assert!(unfolded.contains("UID:0190-aa-20270515@guichet\r\n"));
    assert!(unfolded.contains("DTSTART;VALUE=DATE:20270518\r\nDTEND;VALUE=DATE:20270519\r\n"));
    assert!(unfolded.contains("DTSTAMP:20270501T080000Z\r\n"));
    // Text is escaped.
    assert!(unfolded.contains("SUMMARY:K7QX-42 Mémoire en réplique\\; audience\\, TGI\r\n"));
    assert!(unfolded.contains("moved to the next working day"));
    assert!(unfolded.contains("Körperschaftsteuererklärung"));
}
