//! `guichet calendar holidays | deadline`: computed holidays and deadline
//! rollover, with no data directory, in text and JSON; refused input.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn holidays_of_a_german_land_in_json() {
    // No data directory: the calendar needs none, and none is created.
    let g = Guichet::uninitialised();
    let v = g.json(&[
        "calendar",
        "holidays",
        "--country",
        "DE",
        "--region",
        "BY",
        "--year",
        "2026",
    ]);
    let days: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["date"].as_str().unwrap().to_string(),
                h["key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(days.len(), 12);
    assert!(days.contains(&("2026-06-04".into(), "corpus_christi".into())));
    assert!(days.contains(&("2026-05-25".into(), "whit_monday".into())));
    assert!(!g.data_dir().exists());
}

#[test]
fn a_deadline_on_saturday_before_whit_monday_moves_to_tuesday() {
    let g = Guichet::uninitialised();
    let v = g.json(&[
        "calendar",
        "deadline",
        "--country",
        "FR",
        "--date",
        "2027-05-15",
    ]);
    assert_eq!(v["deadline"], "2027-05-18");
    assert_eq!(v["moved"], true);
    let reasons: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["weekend", "weekend", "whit_monday"]);
    let v = g.json(&[
        "calendar",
        "deadline",
        "--country",
        "DE",
        "--region",
        "NW",
        "--date",
        "2027-05-19",
    ]);
    assert_eq!(v["deadline"], "2027-05-19");
    assert_eq!(v["moved"], false);
    let text = g.ok(&[
        "calendar",
        "deadline",
        "--country",
        "AT",
        "--date",
        "2026-12-25",
    ]);
    assert!(text.contains("2026-12-28"), "{text}");
}

#[test]
fn refused_calendar_input_names_the_field() {
    let g = Guichet::uninitialised();
    for (args, field) in [
        (
            vec!["calendar", "holidays", "--country", "IT", "--year", "2026"],
            "country",
        ),
        (
            vec!["calendar", "holidays", "--country", "CH", "--year", "2026"],
            "region",
        ),
        (
            vec![
                "calendar",
                "holidays",
                "--country",
                "DE",
                "--region",
                "XY",
                "--year",
                "2026",
            ],
            "region",
        ),
        (
            vec!["calendar", "holidays", "--country", "FR", "--year", "1200"],
            "year",
        ),
        (
            vec![
                "calendar",
                "deadline",
                "--country",
                "FR",
                "--date",
                "2027-02-30",
            ],
            "date",
        ),
    ] {
        let e: Value = g.fail_json(&args, 3);
        let msg = e["message"].as_str().unwrap();
        assert!(msg.starts_with(&format!("{field}:")), "{args:?}: {msg}");
        assert!(msg.contains("accepted"), "{msg}");
    }
}
