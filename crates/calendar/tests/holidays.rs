//! Holidays against known dates, regions, and deadline rollover.

use chrono::NaiveDate;
use guichet_calendar::{easter_sunday, regions, Calendar, Country};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dates(cal: &Calendar, year: i32, key: &str) -> Vec<NaiveDate> {
    cal.holidays(year)
        .unwrap()
        .into_iter()
        .filter(|h| h.key == key)
        .map(|h| h.date)
        .collect()
}

/// Easter Monday, Ascension and Whit Monday 2026-2030, as published.
const MOVABLE: &[(i32, &str, &str, &str, &str)] = &[
    (2026, "2026-04-05", "2026-04-06", "2026-05-14", "2026-05-25"),
    (2027, "2027-03-28", "2027-03-29", "2027-05-06", "2027-05-17"),
    (2028, "2028-04-16", "2028-04-17", "2028-05-25", "2028-06-05"),
    (2029, "2029-04-01", "2029-04-02", "2029-05-10", "2029-05-21"),
    (2030, "2030-04-21", "2030-04-22", "2030-05-30", "2030-06-10"),
];

#[test]
fn movable_feasts_2026_to_2030_in_france_and_germany() {
    for country in [Country::FR, Country::DE] {
        let cal = Calendar::new(country, None).unwrap();
        for &(year, easter, monday, ascension, whit) in MOVABLE {
            assert_eq!(easter_sunday(year), d(easter), "Easter {year}");
            assert_eq!(
                dates(&cal, year, "easter_monday"),
                vec![d(monday)],
                "{country:?} {year}"
            );
            assert_eq!(
                dates(&cal, year, "ascension"),
                vec![d(ascension)],
                "{country:?} {year}"
            );
            assert_eq!(
                dates(&cal, year, "whit_monday"),
                vec![d(whit)],
                "{country:?} {year}"
            );
        }
    }
}

#[test]
fn easter_over_known_years() {
    for (y, e) in [
        (1961, "1961-04-02"),
        (2000, "2000-04-23"),
        (2008, "2008-03-23"),
        (2011, "2011-04-24"),
        (2038, "2038-04-25"),
        (2285, "2285-03-22"),
    ] {
        assert_eq!(easter_sunday(y), d(e), "{y}");
    }
}

#[test]
fn a_saturday_deadline_before_whit_monday_moves_to_tuesday() {
    // Saturday 2027-05-15, Sunday 16, Whit Monday 17: Tuesday 18.
    for country in [
        Country::FR,
        Country::DE,
        Country::BE,
        Country::LU,
        Country::AT,
    ] {
        let cal = Calendar::new(country, None).unwrap();
        assert_eq!(
            cal.roll_forward(d("2027-05-15")),
            d("2027-05-18"),
            "{country:?}"
        );
    }
    let zh = Calendar::new(Country::CH, Some("ZH")).unwrap();
    assert_eq!(zh.roll_forward(d("2027-05-15")), d("2027-05-18"));
    // A working day stays; a closing day of the firm moves on.
    let mut fr = Calendar::new(Country::FR, None).unwrap();
    assert_eq!(fr.roll_forward(d("2027-05-19")), d("2027-05-19"));
    fr.closing_days.push(d("2027-05-19"));
    assert_eq!(fr.roll_forward(d("2027-05-19")), d("2027-05-20"));
}

#[test]
fn german_holidays_follow_the_land() {
    let y = 2026;
    let de = |r: Option<&str>| Calendar::new(Country::DE, r).unwrap();
    // Corpus Christi 2026-06-04 in Bavaria, not in Berlin.
    assert_eq!(
        dates(&de(Some("BY")), y, "corpus_christi"),
        vec![d("2026-06-04")]
    );
    assert!(dates(&de(Some("BE")), y, "corpus_christi").is_empty());
    // Reformation Day in Saxony; in Lower Saxony since 2018 only.
    assert_eq!(
        dates(&de(Some("SN")), y, "reformation"),
        vec![d("2026-10-31")]
    );
    assert!(dates(&de(Some("NI")), 2017, "reformation").is_empty());
    assert_eq!(
        dates(&de(Some("NI")), 2018, "reformation"),
        vec![d("2018-10-31")]
    );
    // Buß- und Bettag, Saxony: the Wednesday before 23 November.
    assert_eq!(
        dates(&de(Some("SN")), 2026, "repentance"),
        vec![d("2026-11-18")]
    );
    assert_eq!(
        dates(&de(Some("SN")), 2027, "repentance"),
        vec![d("2027-11-17")]
    );
    assert_eq!(
        dates(&de(Some("SN")), 2028, "repentance"),
        vec![d("2028-11-22")]
    );
    // Women's Day in Berlin since 2019.
    assert!(dates(&de(Some("BE")), 2018, "womens_day").is_empty());
    assert_eq!(
        dates(&de(Some("BE")), 2026, "womens_day"),
        vec![d("2026-03-08")]
    );
    // The nationwide ones everywhere; 9 of them.
    assert_eq!(de(None).holidays(2026).unwrap().len(), 9);
    assert_eq!(de(Some("BY")).holidays(2026).unwrap().len(), 12);
}

#[test]
fn france_and_alsace_moselle() {
    let fr = Calendar::new(Country::FR, None).unwrap();
    assert_eq!(fr.holidays(2026).unwrap().len(), 11);
    let moselle = Calendar::new(Country::FR, Some("57")).unwrap();
    let h = moselle.holidays(2026).unwrap();
    assert_eq!(h.len(), 13);
    assert!(h
        .iter()
        .any(|x| x.key == "good_friday" && x.date == d("2026-04-03")));
    assert!(h
        .iter()
        .any(|x| x.key == "st_stephen" && x.date == d("2026-12-26")));
}

#[test]
fn other_countries_known_days() {
    let be = Calendar::new(Country::BE, None).unwrap();
    assert_eq!(dates(&be, 2026, "national_day"), vec![d("2026-07-21")]);
    let lu = Calendar::new(Country::LU, None).unwrap();
    assert_eq!(dates(&lu, 2026, "europe_day"), vec![d("2026-05-09")]);
    assert!(dates(&lu, 2018, "europe_day").is_empty());
    let at = Calendar::new(Country::AT, None).unwrap();
    assert_eq!(dates(&at, 2026, "national_day"), vec![d("2026-10-26")]);
    assert_eq!(
        dates(&at, 2026, "immaculate_conception"),
        vec![d("2026-12-08")]
    );
    let ge = Calendar::new(Country::CH, Some("GE")).unwrap();
    // Jeûne genevois 2026: first Sunday of September is the 6th; Thursday the 10th.
    assert_eq!(dates(&ge, 2026, "jeune_genevois"), vec![d("2026-09-10")]);
    let vd = Calendar::new(Country::CH, Some("VD")).unwrap();
    // Third Sunday of September 2026 is the 20th; Monday the 21st.
    assert_eq!(dates(&vd, 2026, "lundi_du_jeune"), vec![d("2026-09-21")]);
}

#[test]
fn bad_input_names_the_field() {
    let e = "XX".parse::<Country>().unwrap_err();
    assert_eq!(e.field, "country");
    assert!(e.accepted.contains("FR"));
    let e = Calendar::new(Country::DE, Some("XY")).unwrap_err();
    assert_eq!(e.field, "region");
    assert!(e.accepted.contains("BY"));
    let e = Calendar::new(Country::CH, None).unwrap_err();
    assert_eq!(e.field, "region");
    let e = Calendar::new(Country::BE, Some("VLG")).unwrap_err();
    assert_eq!(e.field, "region");
    let e = Calendar::new(Country::FR, None)
        .unwrap()
        .holidays(1200)
        .unwrap_err();
    assert_eq!(e.field, "year");
    assert_eq!(regions(Country::DE).len(), 16);
    // Lower case is accepted.
    assert!(Calendar::new(Country::DE, Some("by")).is_ok());
}
