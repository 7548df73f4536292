//! What Guichet notifies about, and its wording in English, French and German.
//!
//! Everything here is pure: [`render`] turns a [`Notice`] into the texts,
//! actions and urgency of a desktop notification; [`crate::deliver`] shows it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Lang;

/// The longest body, in characters (Unicode scalar values), before it is cut
/// and ends with "…".
pub const BODY_MAX_CHARS: usize = 120;

/// Why the user is notified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoticeKind {
    /// The ticket was assigned to the user.
    Assigned,
    /// A requester or colleague replied on the ticket.
    Reply,
    /// An internal note was added.
    Note,
    /// The user was mentioned in a reply or note.
    Mention,
    /// A deadline is near: `days_before` is 0 on the day itself.
    Reminder {
        days_before: u32,
        deadline: NaiveDate,
    },
    /// An SLA target (`"first_response"` or `"resolution"`) is about to be missed.
    SlaWarning { target: String },
    /// An SLA target (`"first_response"` or `"resolution"`) was missed.
    SlaBreach { target: String },
    /// The ticket's deadline passed.
    DeadlineMissed { deadline: NaiveDate },
    /// The ticket was escalated; `reason` is shown on the body's second line.
    Escalation { reason: String },
    /// `count` notices held back (quiet hours, pause) shown as one.
    Summary { count: usize },
}

/// The name of a [`NoticeKind`] without its data: what preferences switch on
/// and off, and the only thing about a notice that is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindKey {
    Assigned,
    Reply,
    Note,
    Mention,
    Reminder,
    SlaWarning,
    SlaBreach,
    DeadlineMissed,
    Escalation,
    Summary,
}

impl KindKey {
    /// Every kind, in declaration order.
    pub const ALL: [KindKey; 10] = [
        KindKey::Assigned,
        KindKey::Reply,
        KindKey::Note,
        KindKey::Mention,
        KindKey::Reminder,
        KindKey::SlaWarning,
        KindKey::SlaBreach,
        KindKey::DeadlineMissed,
        KindKey::Escalation,
        KindKey::Summary,
    ];

    /// The snake_case name used in preferences JSON and logs.
    pub fn name(self) -> &'static str {
        match self {
            KindKey::Assigned => "assigned",
            KindKey::Reply => "reply",
            KindKey::Note => "note",
            KindKey::Mention => "mention",
            KindKey::Reminder => "reminder",
            KindKey::SlaWarning => "sla_warning",
            KindKey::SlaBreach => "sla_breach",
            KindKey::DeadlineMissed => "deadline_missed",
            KindKey::Escalation => "escalation",
            KindKey::Summary => "summary",
        }
    }

    /// The inverse of [`KindKey::name`].
    pub fn from_name(name: &str) -> Option<KindKey> {
        KindKey::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for KindKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl NoticeKind {
    /// This kind's [`KindKey`].
    pub fn key(&self) -> KindKey {
        match self {
            NoticeKind::Assigned => KindKey::Assigned,
            NoticeKind::Reply => KindKey::Reply,
            NoticeKind::Note => KindKey::Note,
            NoticeKind::Mention => KindKey::Mention,
            NoticeKind::Reminder { .. } => KindKey::Reminder,
            NoticeKind::SlaWarning { .. } => KindKey::SlaWarning,
            NoticeKind::SlaBreach { .. } => KindKey::SlaBreach,
            NoticeKind::DeadlineMissed { .. } => KindKey::DeadlineMissed,
            NoticeKind::Escalation { .. } => KindKey::Escalation,
            NoticeKind::Summary { .. } => KindKey::Summary,
        }
    }
}

/// One thing to tell the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable id of this notice, under which the caller records its delivery
    /// (for instance `"reminder:<ticket id>:2026-03-14:1"`). Logged; so it
    /// must not contain personal data.
    pub key: String,
    pub kind: NoticeKind,
    /// The ticket's reference such as `"K7QX-42"`; `None` for a summary.
    pub reference: Option<String>,
    /// The ticket's title: shown to the user, never logged.
    pub title: String,
}

/// How insistently the desktop should show a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

/// A notice in one language, ready for [`crate::deliver`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// The notice's key, copied for logging and for the caller's records.
    pub key: String,
    /// The notice's kind, the only other thing that is logged.
    pub kind: KindKey,
    /// One line: what happened, with the ticket's reference.
    pub summary: String,
    /// The ticket's title (whitespace collapsed, at most [`BODY_MAX_CHARS`]
    /// characters) and, for an escalation, the reason on a second line.
    /// Plain text: [`crate::deliver`] escapes it for servers that read markup.
    pub body: String,
    /// `(id, label)` pairs. `"default"` is the click on the notification itself.
    pub actions: Vec<(String, String)>,
    pub urgency: Urgency,
}

/// The action ids [`crate::deliver`] reports to its callback.
pub const ACTION_DEFAULT: &str = "default";
pub const ACTION_OPEN: &str = "open";
pub const ACTION_OPEN_LIST: &str = "open_list";

/// Renders `notice` in `lang`.
///
/// Without a reference (which only a summary should lack) the word "Ticket"
/// stands in for it and there is no action, as there is nothing to open.
pub fn render(notice: &Notice, lang: Lang) -> Rendered {
    let r = notice
        .reference
        .as_deref()
        .map(str::trim)
        .unwrap_or("Ticket");
    let summary = summary_text(&notice.kind, r, lang);

    let mut body = clip(&notice.title);
    if let NoticeKind::Summary { .. } = notice.kind {
        if body.is_empty() {
            body = match lang {
                Lang::En => "Open Guichet to see them.",
                Lang::Fr => "Ouvrez Guichet pour les consulter.",
                Lang::De => "Öffnen Sie Guichet, um sie anzuzeigen.",
            }
            .to_string();
        }
    }
    if let NoticeKind::Escalation { reason } = &notice.kind {
        let reason = clip(reason);
        if !reason.is_empty() {
            let label = match lang {
                Lang::En => "Reason: ",
                Lang::Fr => "Motif : ",
                Lang::De => "Grund: ",
            };
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(label);
            body.push_str(&reason);
        }
    }

    let actions = match (&notice.kind, &notice.reference) {
        (NoticeKind::Summary { .. }, _) => {
            let show = match lang {
                Lang::En => "Show",
                Lang::Fr => "Afficher",
                Lang::De => "Anzeigen",
            };
            vec![
                (ACTION_DEFAULT.to_string(), show.to_string()),
                (ACTION_OPEN_LIST.to_string(), show.to_string()),
            ]
        }
        (_, Some(_)) => {
            let open = match lang {
                Lang::En => "Open",
                Lang::Fr => "Ouvrir",
                Lang::De => "Öffnen",
            };
            vec![
                (ACTION_DEFAULT.to_string(), open.to_string()),
                (ACTION_OPEN.to_string(), open.to_string()),
            ]
        }
        (_, None) => Vec::new(),
    };

    let urgency = match &notice.kind {
        NoticeKind::SlaBreach { .. } | NoticeKind::DeadlineMissed { .. } => Urgency::Critical,
        NoticeKind::Summary { .. } => Urgency::Low,
        NoticeKind::Reminder { days_before, .. } if *days_before > 1 => Urgency::Low,
        _ => Urgency::Normal,
    };

    Rendered {
        key: notice.key.clone(),
        kind: notice.kind.key(),
        summary,
        body,
        actions,
        urgency,
    }
}

/// A date the way each language writes it: 2026-03-14, 14/03/2026, 14.03.2026.
pub fn format_date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::En => d.format("%Y-%m-%d").to_string(),
        Lang::Fr => d.format("%d/%m/%Y").to_string(),
        Lang::De => d.format("%d.%m.%Y").to_string(),
    }
}

fn summary_text(kind: &NoticeKind, r: &str, lang: Lang) -> String {
    use Lang::*;
    match kind {
        NoticeKind::Assigned => match lang {
            En => format!("{r} assigned to you"),
            Fr => format!("{r} vous a été attribué"),
            De => format!("{r} wurde Ihnen zugewiesen"),
        },
        NoticeKind::Reply => match lang {
            En => format!("New reply on {r}"),
            Fr => format!("Nouvelle réponse sur {r}"),
            De => format!("Neue Antwort zu {r}"),
        },
        NoticeKind::Note => match lang {
            En => format!("New internal note on {r}"),
            Fr => format!("Nouvelle note interne sur {r}"),
            De => format!("Neue interne Notiz zu {r}"),
        },
        NoticeKind::Mention => match lang {
            En => format!("You were mentioned in {r}"),
            Fr => format!("On vous a mentionné sur {r}"),
            De => format!("Sie wurden in {r} erwähnt"),
        },
        NoticeKind::Reminder {
            days_before,
            deadline,
        } => {
            let date = format_date(*deadline, lang);
            match (lang, *days_before) {
                (En, 0) => format!("{r}: deadline today ({date})"),
                (En, 1) => format!("{r}: deadline tomorrow ({date})"),
                (En, n) => format!("{r}: deadline in {n} days ({date})"),
                (Fr, 0) => format!("{r} : échéance aujourd’hui ({date})"),
                (Fr, 1) => format!("{r} : échéance demain ({date})"),
                (Fr, n) => format!("{r} : échéance dans {n} jours ({date})"),
                (De, 0) => format!("{r}: Frist endet heute ({date})"),
                (De, 1) => format!("{r}: Frist endet morgen ({date})"),
                (De, n) => format!("{r}: Frist endet in {n} Tagen ({date})"),
            }
        }
        NoticeKind::SlaWarning { target } => match (lang, target.as_str()) {
            (En, "first_response") => format!("{r}: first response due soon"),
            (En, "resolution") => format!("{r}: resolution due soon"),
            (En, _) => format!("{r}: target due soon"),
            (Fr, "first_response") => format!("{r} : délai de première réponse bientôt atteint"),
            (Fr, "resolution") => format!("{r} : délai de résolution bientôt atteint"),
            (Fr, _) => format!("{r} : délai bientôt atteint"),
            (De, "first_response") => format!("{r}: Frist für die Erstantwort läuft bald ab"),
            (De, "resolution") => format!("{r}: Frist für die Lösung läuft bald ab"),
            (De, _) => format!("{r}: Frist läuft bald ab"),
        },
        NoticeKind::SlaBreach { target } => match (lang, target.as_str()) {
            (En, "first_response") => format!("{r}: first response overdue"),
            (En, "resolution") => format!("{r}: resolution overdue"),
            (En, _) => format!("{r}: target overdue"),
            (Fr, "first_response") => format!("{r} : délai de première réponse dépassé"),
            (Fr, "resolution") => format!("{r} : délai de résolution dépassé"),
            (Fr, _) => format!("{r} : délai dépassé"),
            (De, "first_response") => format!("{r}: Frist für die Erstantwort überschritten"),
            (De, "resolution") => format!("{r}: Frist für die Lösung überschritten"),
            (De, _) => format!("{r}: Frist überschritten"),
        },
        NoticeKind::DeadlineMissed { deadline } => {
            let date = format_date(*deadline, lang);
            match lang {
                En => format!("{r}: deadline missed ({date})"),
                Fr => format!("{r} : échéance dépassée ({date})"),
                De => format!("{r}: Frist versäumt ({date})"),
            }
        }
        NoticeKind::Escalation { .. } => match lang {
            En => format!("{r} escalated"),
            Fr => format!("{r} a été escaladé"),
            De => format!("{r} wurde eskaliert"),
        },
        NoticeKind::Summary { count } => match (lang, *count) {
            (En, 1) => "1 new notification".to_string(),
            (En, n) => format!("{n} new notifications"),
            (Fr, n) if n <= 1 => format!("{n} nouvelle notification"),
            (Fr, n) => format!("{n} nouvelles notifications"),
            (De, 1) => "1 neue Benachrichtigung".to_string(),
            (De, n) => format!("{n} neue Benachrichtigungen"),
        },
    }
}

/// Collapses runs of whitespace (newlines included) to one space, trims, and
/// cuts to [`BODY_MAX_CHARS`] characters on a character boundary, the last
/// one being "…" when something was cut.
fn clip(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= BODY_MAX_CHARS {
        return collapsed;
    }
    let mut out: String = collapsed.chars().take(BODY_MAX_CHARS - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()
    }

    fn notice(kind: NoticeKind) -> Notice {
        let reference = match kind {
            NoticeKind::Summary { .. } => None,
            _ => Some("K7QX-42".to_string()),
        };
        Notice {
            key: format!("{}:1", kind.key()),
            kind,
            reference,
            title: "Déclaration TVA 2025 — Müller & Söhne".to_string(),
        }
    }

    /// One notice of every kind and variant of wording.
    fn all_kinds() -> Vec<NoticeKind> {
        let t = |s: &str| s.to_string();
        vec![
            NoticeKind::Assigned,
            NoticeKind::Reply,
            NoticeKind::Note,
            NoticeKind::Mention,
            NoticeKind::Reminder {
                days_before: 0,
                deadline: date(),
            },
            NoticeKind::Reminder {
                days_before: 1,
                deadline: date(),
            },
            NoticeKind::Reminder {
                days_before: 3,
                deadline: date(),
            },
            NoticeKind::SlaWarning {
                target: t("first_response"),
            },
            NoticeKind::SlaWarning {
                target: t("resolution"),
            },
            NoticeKind::SlaWarning { target: t("other") },
            NoticeKind::SlaBreach {
                target: t("first_response"),
            },
            NoticeKind::SlaBreach {
                target: t("resolution"),
            },
            NoticeKind::SlaBreach { target: t("other") },
            NoticeKind::DeadlineMissed { deadline: date() },
            NoticeKind::Escalation { reason: t("X-42") },
            NoticeKind::Summary { count: 1 },
            NoticeKind::Summary { count: 5 },
        ]
    }

    #[test]
    fn exact_strings() {
        let n = notice(NoticeKind::Assigned);
        let en = render(&n, Lang::En);
        assert_eq!(en.summary, "K7QX-42 assigned to you");
        assert_eq!(en.body, "Déclaration TVA 2025 — Müller & Söhne");
        assert_eq!(
            en.actions,
            vec![
                ("default".into(), "Open".into()),
                ("open".into(), "Open".into())
            ]
        );
        assert_eq!(en.urgency, Urgency::Normal);
        assert_eq!(en.kind, KindKey::Assigned);
        assert_eq!(en.key, "assigned:1");
        assert_eq!(render(&n, Lang::Fr).summary, "K7QX-42 vous a été attribué");
        assert_eq!(
            render(&n, Lang::De).summary,
            "K7QX-42 wurde Ihnen zugewiesen"
        );
        assert_eq!(
            render(&n, Lang::Fr).actions[1],
            ("open".into(), "Ouvrir".into())
        );
        assert_eq!(
            render(&n, Lang::De).actions[1],
            ("open".into(), "Öffnen".into())
        );

        let r = notice(NoticeKind::Reminder {
            days_before: 3,
            deadline: date(),
        });
        assert_eq!(
            render(&r, Lang::En).summary,
            "K7QX-42: deadline in 3 days (2026-03-14)"
        );
        assert_eq!(
            render(&r, Lang::Fr).summary,
            "K7QX-42 : échéance dans 3 jours (14/03/2026)"
        );
        assert_eq!(
            render(&r, Lang::De).summary,
            "K7QX-42: Frist endet in 3 Tagen (14.03.2026)"
        );
        assert_eq!(render(&r, Lang::En).urgency, Urgency::Low);
        let today = notice(NoticeKind::Reminder {
            days_before: 0,
            deadline: date(),
        });
        assert_eq!(
            render(&today, Lang::De).summary,
            "K7QX-42: Frist endet heute (14.03.2026)"
        );
        assert_eq!(render(&today, Lang::En).urgency, Urgency::Normal);

        let b = notice(NoticeKind::SlaBreach {
            target: "first_response".into(),
        });
        assert_eq!(
            render(&b, Lang::De).summary,
            "K7QX-42: Frist für die Erstantwort überschritten"
        );
        assert_eq!(render(&b, Lang::En).urgency, Urgency::Critical);
        let m = notice(NoticeKind::DeadlineMissed { deadline: date() });
        assert_eq!(
            render(&m, Lang::Fr).summary,
            "K7QX-42 : échéance dépassée (14/03/2026)"
        );
        assert_eq!(render(&m, Lang::Fr).urgency, Urgency::Critical);

        let e = notice(NoticeKind::Escalation {
            reason: "  no answer\n in 3 days ".into(),
        });
        assert_eq!(
            render(&e, Lang::Fr).body,
            "Déclaration TVA 2025 — Müller & Söhne\nMotif : no answer in 3 days"
        );

        let mut s = notice(NoticeKind::Summary { count: 5 });
        s.title = String::new();
        let de = render(&s, Lang::De);
        assert_eq!(de.summary, "5 neue Benachrichtigungen");
        assert_eq!(de.body, "Öffnen Sie Guichet, um sie anzuzeigen.");
        assert_eq!(
            de.actions,
            vec![
                ("default".into(), "Anzeigen".into()),
                ("open_list".into(), "Anzeigen".into())
            ]
        );
        assert_eq!(de.urgency, Urgency::Low);
        assert_eq!(render(&s, Lang::Fr).actions[1].1, "Afficher");
        assert_eq!(render(&s, Lang::En).actions[1].1, "Show");
        let one = notice(NoticeKind::Summary { count: 1 });
        assert_eq!(render(&one, Lang::En).summary, "1 new notification");
        assert_eq!(render(&one, Lang::Fr).summary, "1 nouvelle notification");
        assert_eq!(render(&one, Lang::De).summary, "1 neue Benachrichtigung");
    }

    /// Words of `s`, lower-cased, letters only (references, dates and digits drop out).
    fn words(s: &str) -> Vec<String> {
        s.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() > 1)
            .map(str::to_lowercase)
            .collect()
    }

    #[test]
    fn every_kind_is_translated_and_no_english_leaks() {
        // Words French or German legitimately share with the English texts.
        const SHARED: &[&str] = &[
            "in",
            "note",
            "notification",
            "notifications",
            "ticket",
            "guichet",
            "qx",
        ];
        for kind in all_kinds() {
            let mut n = notice(kind.clone());
            n.title = String::new(); // the title is the user's; only our words count
            let en = render(&n, Lang::En);
            let en_words: Vec<String> = words(&en.summary)
                .into_iter()
                .chain(words(&en.body))
                .chain(en.actions.iter().flat_map(|(_, l)| words(l)))
                .filter(|w| !SHARED.contains(&w.as_str()))
                .collect();
            assert!(!en_words.is_empty(), "{kind:?}: no English words?");
            for lang in [Lang::Fr, Lang::De] {
                let r = render(&n, lang);
                assert_ne!(r.summary, en.summary, "{kind:?} in {lang:?}");
                let ids = |r: &Rendered| r.actions.iter().map(|a| a.0.clone()).collect::<Vec<_>>();
                assert_eq!(ids(&r), ids(&en), "{kind:?} in {lang:?}: same action ids");
                assert_eq!(r.urgency, en.urgency);
                let texts = std::iter::once(r.summary.clone())
                    .chain(std::iter::once(r.body.clone()))
                    .chain(r.actions.iter().map(|a| a.1.clone()));
                for text in texts {
                    for w in words(&text) {
                        assert!(
                            !en_words.contains(&w),
                            "{kind:?} in {lang:?}: English word {w:?} in {text:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn references_and_actions() {
        for kind in all_kinds() {
            let n = notice(kind.clone());
            for lang in Lang::ALL {
                let r = render(&n, lang);
                if let NoticeKind::Summary { .. } = kind {
                    assert_eq!(r.actions[1].0, "open_list");
                } else {
                    assert!(r.summary.contains("K7QX-42"), "{kind:?} {lang:?}");
                    assert_eq!(r.actions[1].0, "open");
                }
                assert_eq!(r.actions[0].0, "default");
            }
        }
        let mut n = notice(NoticeKind::Reply);
        n.reference = None;
        let r = render(&n, Lang::En);
        assert_eq!(r.summary, "New reply on Ticket");
        assert!(r.actions.is_empty());
    }

    #[test]
    fn body_is_clipped_on_a_char_boundary() {
        let mut n = notice(NoticeKind::Reply);
        n.title = "é".repeat(200);
        let r = render(&n, Lang::En);
        assert_eq!(r.body.chars().count(), BODY_MAX_CHARS);
        assert!(r.body.ends_with('…'));
        assert!(r.body.starts_with("éé"));

        n.title = format!("  {}  ", "a".repeat(BODY_MAX_CHARS));
        assert_eq!(render(&n, Lang::En).body, "a".repeat(BODY_MAX_CHARS));

        n.title = "Line one\n\n  line\ttwo".into();
        assert_eq!(render(&n, Lang::En).body, "Line one line two");
    }

    #[test]
    fn kind_names_round_trip() {
        for k in KindKey::ALL {
            assert_eq!(KindKey::from_name(k.name()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.name()));
        }
        assert_eq!(KindKey::from_name("Assigned"), None);
    }
}
