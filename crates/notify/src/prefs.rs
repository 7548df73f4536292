//! The user's notification preferences: which kinds, quiet hours, pause.
//!
//! # What happens to a notice that is not shown
//!
//! * Its **kind is switched off** ([`Prefs::enabled`] is false): it is never
//!   shown. The caller records it as handled, it is not queued.
//! * **Quiet hours or a pause** hold it back: the caller keeps it undelivered
//!   (not lost, not marked delivered) and tries again at
//!   [`Prefs::next_allowed`]. If several were held back, the caller may show
//!   one [`NoticeKind::Summary`](crate::NoticeKind::Summary) with their count
//!   instead of each one (and then record them all as delivered); a summary is
//!   itself subject to the `summary` kind being enabled.
//!
//! Every kind obeys quiet hours and the pause, missed deadlines included: a
//! breach at 22:00 is shown when quiet hours end, as a Critical notification.
//!
//! # JSON
//!
//! ```json
//! { "kinds": ["assigned", "reply", "reminder"],
//!   "quiet_hours": { "start": "19:00", "end": "07:30" },
//!   "paused_until": "2026-12-01T15:30:00Z" }
//! ```
//!
//! Every field may be left out: `kinds` then means every kind, the others
//! `null`. [`Prefs::from_json`] names the field of any refused value.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{KindKey, NoticeKind};

/// How long "Pause notifications for an hour" pauses them.
pub const PAUSE: TimeDelta = TimeDelta::hours(1);

/// A daily window, in local time, without notifications. `start` is inside,
/// `end` is not; when `start` is later than `end` the window wraps midnight
/// (19:00–07:30 is quiet from 19:00 in the evening until 07:30 the next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QuietHours {
    #[serde(serialize_with = "hh_mm")]
    pub start: NaiveTime,
    #[serde(serialize_with = "hh_mm")]
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether `local` falls in the window.
    pub fn contains(&self, local: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

fn hh_mm<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.format("%H:%M").to_string())
}

/// Notification preferences. `Default` enables every kind, with no quiet
/// hours and no pause.
///
/// Deserializing (from any serde format) applies the checks of
/// [`Prefs::from_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prefs {
    /// The kinds that are shown.
    pub kinds: BTreeSet<KindKey>,
    pub quiet_hours: Option<QuietHours>,
    /// Do not disturb until then.
    pub paused_until: Option<DateTime<Utc>>,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            kinds: KindKey::ALL.into_iter().collect(),
            quiet_hours: None,
            paused_until: None,
        }
    }
}

/// A refused preference: the field (`quiet_hours.start`, `kinds[2]`) and
/// what is wrong, with what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PrefsError {
    pub field: String,
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> PrefsError {
    PrefsError {
        field: field.into(),
        message: message.into(),
    }
}

const FIELDS: &str = "kinds, quiet_hours, paused_until";

impl Prefs {
    /// Whether a notice of `kind` may be shown now: its kind is enabled, no
    /// pause runs at `now`, and `local_now` (the user's wall-clock time) is
    /// outside quiet hours. See the [module documentation](self) for what the
    /// caller does with a notice that may not.
    pub fn allows(&self, kind: &NoticeKind, local_now: NaiveTime, now: DateTime<Utc>) -> bool {
        self.enabled(kind.key()) && !self.is_paused(now) && !self.is_quiet(local_now)
    }

    /// Whether notices of this kind are shown at all.
    pub fn enabled(&self, kind: KindKey) -> bool {
        self.kinds.contains(&kind)
    }

    /// Whether a pause runs at `now`. It ends at `paused_until` exactly.
    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|until| now < until)
    }

    /// Whether `local_now` is in quiet hours.
    pub fn is_quiet(&self, local_now: NaiveTime) -> bool {
        self.quiet_hours.is_some_and(|q| q.contains(local_now))
    }

    /// Pauses notifications for [`PAUSE`] from `now`.
    pub fn pause(&mut self, now: DateTime<Utc>) {
        self.paused_until = Some(now + PAUSE);
    }

    /// Ends a pause.
    pub fn resume(&mut self) {
        self.paused_until = None;
    }

    /// When held-back notices may next be shown: the end of the pause, then
    /// of quiet hours if the pause ends inside them. `None` when they may be
    /// shown now. Kinds are not considered.
    ///
    /// `local_now` is the user's wall-clock time at `now`; their difference
    /// is taken as the UTC offset for the whole wait, so across a daylight
    /// saving change the answer is an hour off: the caller checks
    /// [`Prefs::allows`] again when it wakes up, and asks again if need be.
    pub fn next_allowed(
        &self,
        local_now: NaiveDateTime,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let offset = local_now - now.naive_utc();
        let mut at = now;
        if let Some(until) = self.paused_until {
            at = at.max(until);
        }
        if let Some(q) = self.quiet_hours {
            let local = (at.naive_utc() + offset).time();
            if q.contains(local) {
                let mut wait = q.end.signed_duration_since(local);
                if wait <= TimeDelta::zero() {
                    wait += TimeDelta::days(1);
                }
                at += wait;
            }
        }
        (at > now).then_some(at)
    }

    /// Reads preferences from JSON, refusing unknown fields, unknown or
    /// repeated kinds, times that are not `HH:MM`, an empty quiet window,
    /// and a pause end that is not an RFC 3339 date-time.
    pub fn from_json(json: &str) -> Result<Prefs, PrefsError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| err("prefs", format!("not valid JSON: {e}")))?;
        Prefs::from_value(&value)
    }

    /// The JSON that [`Prefs::from_json`] reads back.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("preferences serialize")
    }

    fn from_value(value: &Value) -> Result<Prefs, PrefsError> {
        let Value::Object(map) = value else {
            return Err(err(
                "prefs",
                format!("expected a JSON object with the fields {FIELDS}"),
            ));
        };
        if let Some(unknown) = map
            .keys()
            .find(|k| !matches!(k.as_str(), "kinds" | "quiet_hours" | "paused_until"))
        {
            return Err(err(
                unknown.as_str(),
                format!("unknown field; accepted: {FIELDS}"),
            ));
        }
        let mut prefs = Prefs::default();
        if let Some(kinds) = map.get("kinds") {
            prefs.kinds = parse_kinds(kinds)?;
        }
        match map.get("quiet_hours") {
            None | Some(Value::Null) => {}
            Some(Value::Object(q)) => prefs.quiet_hours = Some(parse_quiet(q)?),
            Some(_) => {
                return Err(err(
                    "quiet_hours",
                    r#"expected {"start": "HH:MM", "end": "HH:MM"} or null"#,
                ))
            }
        }
        match map.get("paused_until") {
            None | Some(Value::Null) => {}
            Some(v) => {
                let parsed = v
                    .as_str()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok());
                let Some(at) = parsed else {
                    return Err(err(
                        "paused_until",
                        r#"expected an RFC 3339 date-time such as "2026-12-01T15:30:00Z", or null"#,
                    ));
                };
                prefs.paused_until = Some(at.with_timezone(&Utc));
            }
        }
        Ok(prefs)
    }
}

fn accepted_kinds() -> String {
    KindKey::ALL.map(KindKey::name).join(", ")
}

fn parse_kinds(value: &Value) -> Result<BTreeSet<KindKey>, PrefsError> {
    let Value::Array(items) = value else {
        return Err(err(
            "kinds",
            format!(
                "expected a list of kind names (the kinds shown), from: {}",
                accepted_kinds()
            ),
        ));
    };
    let mut kinds = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("kinds[{i}]");
        let key = item.as_str().and_then(KindKey::from_name).ok_or_else(|| {
            err(
                &field,
                format!("unknown kind {item}; accepted: {}", accepted_kinds()),
            )
        })?;
        if !kinds.insert(key) {
            return Err(err(field, format!("\"{key}\" is listed twice")));
        }
    }
    Ok(kinds)
}

fn parse_quiet(q: &Map<String, Value>) -> Result<QuietHours, PrefsError> {
    if let Some(unknown) = q.keys().find(|k| !matches!(k.as_str(), "start" | "end")) {
        return Err(err(
            format!("quiet_hours.{unknown}"),
            "unknown field; accepted: start, end",
        ));
    }
    let time = |name: &str| -> Result<NaiveTime, PrefsError> {
        let field = format!("quiet_hours.{name}");
        let v = q.get(name).ok_or_else(|| {
            err(
                &field,
                "missing; expected a time \"HH:MM\" (00:00 to 23:59)",
            )
        })?;
        v.as_str()
            .filter(|s| s.len() == 5)
            .and_then(|s| NaiveTime::parse_from_str(s, "%H:%M").ok())
            .ok_or_else(|| {
                err(
                    &field,
                    format!("{v} is not a time; expected \"HH:MM\" (00:00 to 23:59)"),
                )
            })
    };
    let quiet = QuietHours {
        start: time("start")?,
        end: time("end")?,
    };
    if quiet.start == quiet.end {
        return Err(err(
            "quiet_hours",
            "start and end are the same time; use null for no quiet hours",
        ));
    }
    Ok(quiet)
}

impl<'de> Deserialize<'de> for Prefs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Prefs::from_value(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    /// Local wall-clock time in UTC+1 (Paris, Berlin in winter) at `utc(h, m)`.
    fn local(h: u32, m: u32) -> NaiveDateTime {
        utc(h, m).naive_utc() + TimeDelta::hours(1)
    }

    fn evening() -> Prefs {
        Prefs {
            quiet_hours: Some(QuietHours {
                start: t(19, 0),
                end: t(7, 30),
            }),
            ..Prefs::default()
        }
    }

    #[test]
    fn defaults_allow_everything() {
        let p = Prefs::default();
        assert_eq!(p.kinds.len(), KindKey::ALL.len());
        assert!(p.allows(&NoticeKind::Reply, t(3, 0), utc(2, 0)));
        assert_eq!(p.next_allowed(local(2, 0), utc(2, 0)), None);
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let p = evening();
        let k = NoticeKind::Assigned;
        assert!(p.allows(&k, t(18, 59), utc(12, 0)));
        assert!(!p.allows(&k, t(19, 0), utc(12, 0)));
        assert!(!p.allows(&k, t(23, 59), utc(12, 0)));
        assert!(!p.allows(&k, t(0, 0), utc(12, 0)));
        assert!(!p.allows(&k, t(7, 29), utc(12, 0)));
        assert!(p.allows(&k, t(7, 30), utc(12, 0)));
        assert!(p.allows(&k, t(12, 0), utc(12, 0)));
        // Critical kinds wait too.
        let breach = NoticeKind::SlaBreach {
            target: "resolution".into(),
        };
        assert!(!p.allows(&breach, t(22, 0), utc(12, 0)));

        let day = Prefs {
            quiet_hours: Some(QuietHours {
                start: t(12, 0),
                end: t(13, 0),
            }),
            ..Prefs::default()
        };
        assert!(day.allows(&k, t(11, 59), utc(12, 0)));
        assert!(!day.allows(&k, t(12, 30), utc(12, 0)));
        assert!(day.allows(&k, t(13, 0), utc(12, 0)));
        assert!(day.allows(&k, t(23, 0), utc(12, 0)));
    }

    #[test]
    fn next_allowed_waits_for_the_end_of_quiet_hours() {
        let p = evening();
        // 22:00 local (21:00 UTC): quiet until 07:30 local = 06:30 UTC next day.
        let next = p.next_allowed(local(21, 0), utc(21, 0)).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 12, 2, 6, 30, 0).unwrap());
        // 05:00 local (04:00 UTC): the same morning.
        assert_eq!(p.next_allowed(local(4, 0), utc(4, 0)), Some(utc(6, 30)));
        // 10:00 local: nothing to wait for.
        assert_eq!(p.next_allowed(local(9, 0), utc(9, 0)), None);
    }

    #[test]
    fn pause_for_an_hour() {
        let mut p = Prefs::default();
        p.pause(utc(13, 30));
        assert_eq!(p.paused_until, Some(utc(14, 30)));
        let k = NoticeKind::Note;
        assert!(!p.allows(&k, t(14, 31), utc(13, 31)));
        assert!(!p.allows(&k, t(15, 29), utc(14, 29)));
        assert!(p.allows(&k, t(15, 30), utc(14, 30)));
        assert_eq!(
            p.next_allowed(local(13, 31), utc(13, 31)),
            Some(utc(14, 30))
        );
        assert_eq!(p.next_allowed(local(14, 30), utc(14, 30)), None);
        p.resume();
        assert!(p.allows(&k, t(14, 31), utc(13, 31)));

        // A pause ending in quiet hours waits for their end too.
        let mut q = evening();
        q.pause(utc(17, 30)); // until 18:30 UTC = 19:30 local, inside quiet hours
        let next = q.next_allowed(local(17, 30), utc(17, 30)).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 12, 2, 6, 30, 0).unwrap());
        assert_eq!(
            next.date_naive(),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
        );
    }

    #[test]
    fn disabled_kind() {
        let mut p = Prefs::default();
        p.kinds.remove(&KindKey::Reply);
        assert!(!p.enabled(KindKey::Reply));
        assert!(!p.allows(&NoticeKind::Reply, t(12, 0), utc(11, 0)));
        assert!(p.allows(&NoticeKind::Assigned, t(12, 0), utc(11, 0)));
        // A disabled kind is not waited for: the gate is open.
        assert_eq!(p.next_allowed(local(11, 0), utc(11, 0)), None);
    }

    #[test]
    fn json_round_trip() {
        let json = r#"{"kinds":["assigned","sla_breach"],"quiet_hours":{"start":"19:00","end":"07:30"},"paused_until":"2026-12-01T15:30:00+01:00"}"#;
        let p = Prefs::from_json(json).unwrap();
        assert_eq!(
            p.kinds,
            [KindKey::Assigned, KindKey::SlaBreach]
                .into_iter()
                .collect()
        );
        assert_eq!(p.quiet_hours, evening().quiet_hours);
        assert_eq!(p.paused_until, Some(utc(14, 30)));
        let out = p.to_json();
        assert_eq!(
            out,
            r#"{"kinds":["assigned","sla_breach"],"quiet_hours":{"start":"19:00","end":"07:30"},"paused_until":"2026-12-01T14:30:00Z"}"#
        );
        assert_eq!(Prefs::from_json(&out).unwrap(), p);
        let via_serde: Prefs = serde_json::from_str(&out).unwrap();
        assert_eq!(via_serde, p);

        assert_eq!(Prefs::from_json("{}").unwrap(), Prefs::default());
        let none =
            Prefs::from_json(r#"{"kinds":[],"quiet_hours":null,"paused_until":null}"#).unwrap();
        assert!(none.kinds.is_empty());
        assert_eq!(
            Prefs::from_json(&Prefs::default().to_json()).unwrap(),
            Prefs::default()
        );
    }

    #[test]
    fn refused_json_names_the_field() {
        let refuse = |json: &str| Prefs::from_json(json).unwrap_err();

        let e = refuse(r#"{"kinds":["assigned","reply","shouting"]}"#);
        assert_eq!(e.field, "kinds[2]");
        assert!(e.message.contains("\"shouting\""), "{e}");
        assert!(e.message.contains("assigned, reply, note"), "{e}");
        assert_eq!(refuse(r#"{"kinds":["reply",3]}"#).field, "kinds[1]");
        let e = refuse(r#"{"kinds":["reply","reply"]}"#);
        assert_eq!(e.to_string(), "kinds[1]: \"reply\" is listed twice");
        assert_eq!(refuse(r#"{"kinds":"reply"}"#).field, "kinds");

        let e = refuse(r#"{"quiet_hours":["19:00","07:30"]}"#);
        assert_eq!(e.field, "quiet_hours");
        assert!(e.message.contains("HH:MM"), "{e}");
        let e = refuse(r#"{"quiet_hours":{"start":"7pm","end":"07:30"}}"#);
        assert_eq!(e.field, "quiet_hours.start");
        assert!(e.message.contains("\"7pm\" is not a time"), "{e}");
        assert_eq!(
            refuse(r#"{"quiet_hours":{"start":"19:00","end":"24:00"}}"#).field,
            "quiet_hours.end"
        );
        assert_eq!(
            refuse(r#"{"quiet_hours":{"start":"19:00"}}"#).field,
            "quiet_hours.end"
        );
        assert_eq!(
            refuse(r#"{"quiet_hours":{"start":"19:00","end":"07:30","tz":"x"}}"#).field,
            "quiet_hours.tz"
        );
        assert_eq!(
            refuse(r#"{"quiet_hours":{"start":"19:00","end":"19:00"}}"#).field,
            "quiet_hours"
        );

        let e = refuse(r#"{"paused_until":"tomorrow"}"#);
        assert_eq!(e.field, "paused_until");
        assert!(e.message.contains("RFC 3339"), "{e}");

        let e = refuse(r#"{"quiet":null}"#);
        assert_eq!(e.field, "quiet");
        assert!(
            e.message.contains("kinds, quiet_hours, paused_until"),
            "{e}"
        );
        assert_eq!(refuse("[]").field, "prefs");
        assert_eq!(refuse("{").field, "prefs");

        let serde_err = serde_json::from_str::<Prefs>(r#"{"kinds":["x"]}"#).unwrap_err();
        assert!(
            serde_err.to_string().starts_with("kinds[0]: unknown kind"),
            "{serde_err}"
        );
    }
}
