//! The holiday rules, as data: each rule is a date function, the regions it
//! applies to (none: the whole country) and the first year it applies.

use crate::{easter_sunday, CalendarError, Holiday};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Country {
    FR,
    DE,
    BE,
    LU,
    CH,
    AT,
}

impl std::str::FromStr for Country {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Country, CalendarError> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "FR" => Country::FR,
            "DE" => Country::DE,
            "BE" => Country::BE,
            "LU" => Country::LU,
            "CH" => Country::CH,
            "AT" => Country::AT,
            _ => {
                return Err(CalendarError {
                    field: "country",
                    problem: format!("'{s}' has no calendar"),
                    accepted: "FR, DE, BE, LU, CH, AT".into(),
                })
            }
        })
    }
}

/// The regions a country's holidays depend on. Germany: the Länder; France:
/// the Alsace-Moselle départements; Switzerland: the cantons covered (a
/// region is required there, holidays being cantonal).
pub fn regions(country: Country) -> &'static [&'static str] {
    match country {
        Country::DE => &[
            "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST",
            "SH", "TH",
        ],
        Country::FR => &["57", "67", "68"],
        Country::CH => &["ZH", "BE", "BS", "GE", "VD", "LU"],
        _ => &[],
    }
}

pub(crate) fn check_region(
    country: Country,
    region: Option<&str>,
) -> Result<Option<String>, CalendarError> {
    let known = regions(country);
    let accepted = || {
        if known.is_empty() {
            format!("no region for {country:?}")
        } else {
            known.join(", ")
        }
    };
    match region
        .map(|r| r.trim().to_ascii_uppercase())
        .filter(|r| !r.is_empty())
    {
        None if country == Country::CH => Err(CalendarError {
            field: "region",
            problem: "Swiss holidays are cantonal: a canton is needed".into(),
            accepted: accepted(),
        }),
        None => Ok(None),
        Some(r) if known.contains(&r.as_str()) => Ok(Some(r)),
        Some(r) => Err(CalendarError {
            field: "region",
            problem: format!("'{r}' is not a region of {country:?}"),
            accepted: accepted(),
        }),
    }
}

type DateFn = fn(i32) -> Option<NaiveDate>;

struct Rule {
    key: &'static str,
    name: &'static str,
    date: DateFn,
    /// Empty: the whole country.
    regions: &'static [&'static str],
    since: i32,
}

const fn rule(key: &'static str, name: &'static str, date: DateFn) -> Rule {
    Rule {
        key,
        name,
        date,
        regions: &[],
        since: 0,
    }
}

const fn only(mut r: Rule, regions: &'static [&'static str]) -> Rule {
    r.regions = regions;
    r
}

const fn since(mut r: Rule, year: i32) -> Rule {
    r.since = year;
    r
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}
fn easter(y: i32, days: i64) -> Option<NaiveDate> {
    Some(easter_sunday(y) + Duration::days(days))
}
/// The `n`th `weekday` of a month (1-based).
fn nth_weekday(y: i32, m: u32, weekday: Weekday, n: u32) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(y, m, weekday, n as u8)
}

fn new_year(y: i32) -> Option<NaiveDate> {
    ymd(y, 1, 1)
}
fn berchtold(y: i32) -> Option<NaiveDate> {
    ymd(y, 1, 2)
}
fn epiphany(y: i32) -> Option<NaiveDate> {
    ymd(y, 1, 6)
}
fn womens_day(y: i32) -> Option<NaiveDate> {
    ymd(y, 3, 8)
}
fn good_friday(y: i32) -> Option<NaiveDate> {
    easter(y, -2)
}
fn easter_day(y: i32) -> Option<NaiveDate> {
    easter(y, 0)
}
fn easter_monday(y: i32) -> Option<NaiveDate> {
    easter(y, 1)
}
fn labour_day(y: i32) -> Option<NaiveDate> {
    ymd(y, 5, 1)
}
fn victory_1945(y: i32) -> Option<NaiveDate> {
    ymd(y, 5, 8)
}
fn europe_day(y: i32) -> Option<NaiveDate> {
    ymd(y, 5, 9)
}
fn ascension(y: i32) -> Option<NaiveDate> {
    easter(y, 39)
}
fn whit_sunday(y: i32) -> Option<NaiveDate> {
    easter(y, 49)
}
fn whit_monday(y: i32) -> Option<NaiveDate> {
    easter(y, 50)
}
fn corpus_christi(y: i32) -> Option<NaiveDate> {
    easter(y, 60)
}
fn lu_national(y: i32) -> Option<NaiveDate> {
    ymd(y, 6, 23)
}
fn bastille(y: i32) -> Option<NaiveDate> {
    ymd(y, 7, 14)
}
fn be_national(y: i32) -> Option<NaiveDate> {
    ymd(y, 7, 21)
}
fn ch_national(y: i32) -> Option<NaiveDate> {
    ymd(y, 8, 1)
}
fn assumption(y: i32) -> Option<NaiveDate> {
    ymd(y, 8, 15)
}
fn childrens_day(y: i32) -> Option<NaiveDate> {
    ymd(y, 9, 20)
}
/// Jeûne genevois: the Thursday after the first Sunday of September.
fn jeune_genevois(y: i32) -> Option<NaiveDate> {
    Some(nth_weekday(y, 9, Weekday::Sun, 1)? + Duration::days(4))
}
/// Lundi du Jeûne fédéral: the Monday after the third Sunday of September.
fn lundi_du_jeune(y: i32) -> Option<NaiveDate> {
    Some(nth_weekday(y, 9, Weekday::Sun, 3)? + Duration::days(1))
}
fn german_unity(y: i32) -> Option<NaiveDate> {
    ymd(y, 10, 3)
}
fn at_national(y: i32) -> Option<NaiveDate> {
    ymd(y, 10, 26)
}
fn reformation(y: i32) -> Option<NaiveDate> {
    ymd(y, 10, 31)
}
fn all_saints(y: i32) -> Option<NaiveDate> {
    ymd(y, 11, 1)
}
fn armistice(y: i32) -> Option<NaiveDate> {
    ymd(y, 11, 11)
}
/// Buß- und Bettag: the Wednesday before 23 November.
fn repentance(y: i32) -> Option<NaiveDate> {
    let nov22 = ymd(y, 11, 22)?;
    let back =
        (nov22.weekday().num_days_from_monday() + 7 - Weekday::Wed.num_days_from_monday()) % 7;
    Some(nov22 - Duration::days(back as i64))
}
fn immaculate(y: i32) -> Option<NaiveDate> {
    ymd(y, 12, 8)
}
fn christmas(y: i32) -> Option<NaiveDate> {
    ymd(y, 12, 25)
}
fn boxing_day(y: i32) -> Option<NaiveDate> {
    ymd(y, 12, 26)
}
fn restauration(y: i32) -> Option<NaiveDate> {
    ymd(y, 12, 31)
}

const FR: &[Rule] = &[
    rule("new_year", "Jour de l'an", new_year),
    only(
        rule("good_friday", "Vendredi saint", good_friday),
        &["57", "67", "68"],
    ),
    rule("easter_monday", "Lundi de Pâques", easter_monday),
    rule("labour_day", "Fête du Travail", labour_day),
    rule("victory_1945", "Victoire 1945", victory_1945),
    rule("ascension", "Ascension", ascension),
    rule("whit_monday", "Lundi de Pentecôte", whit_monday),
    rule("national_day", "Fête nationale", bastille),
    rule("assumption", "Assomption", assumption),
    rule("all_saints", "Toussaint", all_saints),
    rule("armistice", "Armistice 1918", armistice),
    rule("christmas", "Noël", christmas),
    only(
        rule("st_stephen", "Saint-Étienne", boxing_day),
        &["57", "67", "68"],
    ),
];

const DE: &[Rule] = &[
    rule("new_year", "Neujahr", new_year),
    only(
        rule("epiphany", "Heilige Drei Könige", epiphany),
        &["BW", "BY", "ST"],
    ),
    since(
        only(
            rule("womens_day", "Internationaler Frauentag", womens_day),
            &["BE"],
        ),
        2019,
    ),
    since(
        only(
            rule("womens_day", "Internationaler Frauentag", womens_day),
            &["MV"],
        ),
        2023,
    ),
    rule("good_friday", "Karfreitag", good_friday),
    only(rule("easter_sunday", "Ostersonntag", easter_day), &["BB"]),
    rule("easter_monday", "Ostermontag", easter_monday),
    rule("labour_day", "Tag der Arbeit", labour_day),
    rule("ascension", "Christi Himmelfahrt", ascension),
    only(rule("whit_sunday", "Pfingstsonntag", whit_sunday), &["BB"]),
    rule("whit_monday", "Pfingstmontag", whit_monday),
    only(
        rule("corpus_christi", "Fronleichnam", corpus_christi),
        &["BW", "BY", "HE", "NW", "RP", "SL"],
    ),
    only(rule("assumption", "Mariä Himmelfahrt", assumption), &["SL"]),
    since(
        only(
            rule("childrens_day", "Weltkindertag", childrens_day),
            &["TH"],
        ),
        2019,
    ),
    rule("german_unity", "Tag der Deutschen Einheit", german_unity),
    only(
        rule("reformation", "Reformationstag", reformation),
        &["BB", "MV", "SN", "ST", "TH"],
    ),
    since(
        only(
            rule("reformation", "Reformationstag", reformation),
            &["HB", "HH", "NI", "SH"],
        ),
        2018,
    ),
    only(
        rule("all_saints", "Allerheiligen", all_saints),
        &["BW", "BY", "NW", "RP", "SL"],
    ),
    only(rule("repentance", "Buß- und Bettag", repentance), &["SN"]),
    rule("christmas", "1. Weihnachtstag", christmas),
    rule("st_stephen", "2. Weihnachtstag", boxing_day),
];

const BE: &[Rule] = &[
    rule("new_year", "Nieuwjaar / Jour de l'an", new_year),
    rule(
        "easter_monday",
        "Paasmaandag / Lundi de Pâques",
        easter_monday,
    ),
    rule(
        "labour_day",
        "Dag van de Arbeid / Fête du Travail",
        labour_day,
    ),
    rule("ascension", "O.L.H. Hemelvaart / Ascension", ascension),
    rule(
        "whit_monday",
        "Pinkstermaandag / Lundi de Pentecôte",
        whit_monday,
    ),
    rule(
        "national_day",
        "Nationale feestdag / Fête nationale",
        be_national,
    ),
    rule("assumption", "O.L.V. Hemelvaart / Assomption", assumption),
    rule("all_saints", "Allerheiligen / Toussaint", all_saints),
    rule("armistice", "Wapenstilstand / Armistice", armistice),
    rule("christmas", "Kerstmis / Noël", christmas),
];

const LU: &[Rule] = &[
    rule("new_year", "Neijoerschdag", new_year),
    rule("easter_monday", "Ouschtermindeg", easter_monday),
    rule("labour_day", "Dag vun der Aarbecht", labour_day),
    since(rule("europe_day", "Europadag", europe_day), 2019),
    rule("ascension", "Christi Himmelfaart", ascension),
    rule("whit_monday", "Péngschtméindeg", whit_monday),
    rule("national_day", "Nationalfeierdag", lu_national),
    rule("assumption", "Léiffrawëschdag", assumption),
    rule("all_saints", "Allerhellgen", all_saints),
    rule("christmas", "Chrëschtdag", christmas),
    rule("st_stephen", "Stiefesdag", boxing_day),
];

const AT: &[Rule] = &[
    rule("new_year", "Neujahr", new_year),
    rule("epiphany", "Heilige Drei Könige", epiphany),
    rule("easter_monday", "Ostermontag", easter_monday),
    rule("labour_day", "Staatsfeiertag", labour_day),
    rule("ascension", "Christi Himmelfahrt", ascension),
    rule("whit_monday", "Pfingstmontag", whit_monday),
    rule("corpus_christi", "Fronleichnam", corpus_christi),
    rule("assumption", "Mariä Himmelfahrt", assumption),
    rule("national_day", "Nationalfeiertag", at_national),
    rule("all_saints", "Allerheiligen", all_saints),
    rule("immaculate_conception", "Mariä Empfängnis", immaculate),
    rule("christmas", "Christtag", christmas),
    rule("st_stephen", "Stefanitag", boxing_day),
];

const CH: &[Rule] = &[
    rule("new_year", "Neujahr / Nouvel an", new_year),
    only(
        rule("berchtold", "Berchtoldstag / Saint-Berchtold", berchtold),
        &["ZH", "BE", "VD", "LU"],
    ),
    rule("good_friday", "Karfreitag / Vendredi saint", good_friday),
    rule(
        "easter_monday",
        "Ostermontag / Lundi de Pâques",
        easter_monday,
    ),
    only(
        rule("labour_day", "Tag der Arbeit", labour_day),
        &["ZH", "BS"],
    ),
    rule("ascension", "Auffahrt / Ascension", ascension),
    rule(
        "whit_monday",
        "Pfingstmontag / Lundi de Pentecôte",
        whit_monday,
    ),
    only(
        rule("corpus_christi", "Fronleichnam", corpus_christi),
        &["LU"],
    ),
    rule("national_day", "Bundesfeier / Fête nationale", ch_national),
    only(rule("assumption", "Mariä Himmelfahrt", assumption), &["LU"]),
    only(
        rule("jeune_genevois", "Jeûne genevois", jeune_genevois),
        &["GE"],
    ),
    only(
        rule("lundi_du_jeune", "Lundi du Jeûne fédéral", lundi_du_jeune),
        &["VD"],
    ),
    only(rule("all_saints", "Allerheiligen", all_saints), &["LU"]),
    only(
        rule("immaculate_conception", "Mariä Empfängnis", immaculate),
        &["LU"],
    ),
    rule("christmas", "Weihnachten / Noël", christmas),
    only(
        rule("st_stephen", "Stephanstag", boxing_day),
        &["ZH", "BE", "BS", "LU"],
    ),
    only(
        rule(
            "restauration",
            "Restauration de la République",
            restauration,
        ),
        &["GE"],
    ),
];

fn table(country: Country) -> &'static [Rule] {
    match country {
        Country::FR => FR,
        Country::DE => DE,
        Country::BE => BE,
        Country::LU => LU,
        Country::CH => CH,
        Country::AT => AT,
    }
}

pub(crate) fn holidays(country: Country, region: Option<&str>, year: i32) -> Vec<Holiday> {
    let mut out: Vec<Holiday> = table(country)
        .iter()
        .filter(|r| year >= r.since)
        .filter(|r| r.regions.is_empty() || region.is_some_and(|g| r.regions.contains(&g)))
        .filter_map(|r| {
            (r.date)(year).map(|date| Holiday {
                date,
                key: r.key,
                name: r.name,
            })
        })
        .collect();
    out.sort_by_key(|h| h.date);
    out.dedup_by_key(|h| h.date);
    out
}
