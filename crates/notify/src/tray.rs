//! The tray icon's texts: tooltip, menu, and the hint shown the first time
//! the window is closed while Guichet keeps running.

use chrono::{DateTime, TimeZone, Utc};

use crate::Lang;

/// What the tray's tooltip counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrayCounts {
    pub open: u32,
    pub overdue: u32,
}

/// One tray menu entry: `id` is what the menu reports when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub id: &'static str,
    pub label: String,
}

/// Menu ids, in menu order.
pub const MENU_OPEN: &str = "open";
pub const MENU_NEW: &str = "new";
pub const MENU_MINE: &str = "mine";
/// Pauses notifications for an hour, or, while paused, resumes them.
pub const MENU_PAUSE: &str = "pause";
pub const MENU_QUIT: &str = "quit";

/// "Guichet: 12 open, 3 overdue" / "Guichet : 12 ouverts, 3 en retard" /
/// "Guichet: 12 offen, 3 überfällig"; the overdue part is left out at 0.
pub fn tooltip(c: TrayCounts, lang: Lang) -> String {
    let TrayCounts { open, overdue } = c;
    let fr_s = |n: u32| if n > 1 { "s" } else { "" };
    let open_part = match lang {
        Lang::En => format!("Guichet: {open} open"),
        Lang::Fr => format!("Guichet : {open} ouvert{}", fr_s(open)),
        Lang::De => format!("Guichet: {open} offen"),
    };
    if overdue == 0 {
        return open_part;
    }
    match lang {
        Lang::En => format!("{open_part}, {overdue} overdue"),
        Lang::Fr => format!("{open_part}, {overdue} en retard"),
        Lang::De => format!("{open_part}, {overdue} überfällig"),
    }
}

/// The tray menu. While a pause runs (`paused_until` later than `now`), the
/// pause entry offers to resume and says until when, as HH:MM in `tz` (the
/// desktop passes `&chrono::Local`).
pub fn menu<Tz: TimeZone>(
    lang: Lang,
    paused_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Vec<MenuEntry> {
    let (open, new, mine, quit) = match lang {
        Lang::En => ("Open Guichet", "New ticket", "My tickets", "Quit"),
        Lang::Fr => ("Ouvrir Guichet", "Nouveau ticket", "Mes tickets", "Quitter"),
        Lang::De => ("Guichet öffnen", "Neues Ticket", "Meine Tickets", "Beenden"),
    };
    let pause = match paused_until.filter(|until| *until > now) {
        None => match lang {
            Lang::En => "Pause notifications for an hour".to_string(),
            Lang::Fr => "Suspendre les notifications pendant une heure".to_string(),
            Lang::De => "Benachrichtigungen für eine Stunde pausieren".to_string(),
        },
        Some(until) => {
            let hm = until
                .with_timezone(tz)
                .naive_local()
                .format("%H:%M")
                .to_string();
            match lang {
                Lang::En => format!("Resume notifications (paused until {hm})"),
                Lang::Fr => format!("Reprendre les notifications (suspendues jusqu’à {hm})"),
                Lang::De => format!("Benachrichtigungen fortsetzen (pausiert bis {hm})"),
            }
        }
    };
    let entry = |id, label: &str| MenuEntry {
        id,
        label: label.to_string(),
    };
    vec![
        entry(MENU_OPEN, open),
        entry(MENU_NEW, new),
        entry(MENU_MINE, mine),
        entry(MENU_PAUSE, &pause),
        entry(MENU_QUIT, quit),
    ]
}

/// Title and body of the notification shown the first time the window is
/// closed: Guichet keeps running in the tray.
pub fn close_hint(lang: Lang) -> (String, String) {
    let (title, body) = match lang {
        Lang::En => (
            "Guichet is still running",
            "Guichet keeps running in the tray so that reminders still reach you. \
             Choose Quit in its menu to close it.",
        ),
        Lang::Fr => (
            "Guichet reste ouvert",
            "Guichet continue de fonctionner dans la zone de notification pour que \
             les rappels vous parviennent. Choisissez Quitter dans son menu pour le fermer.",
        ),
        Lang::De => (
            "Guichet läuft weiter",
            "Guichet läuft im Infobereich weiter, damit Erinnerungen Sie erreichen. \
             Wählen Sie „Beenden“ in seinem Menü, um es zu schließen.",
        ),
    };
    (title.to_string(), body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn tooltips() {
        let c = TrayCounts {
            open: 12,
            overdue: 3,
        };
        assert_eq!(tooltip(c, Lang::En), "Guichet: 12 open, 3 overdue");
        assert_eq!(tooltip(c, Lang::Fr), "Guichet : 12 ouverts, 3 en retard");
        assert_eq!(tooltip(c, Lang::De), "Guichet: 12 offen, 3 überfällig");
        let one = TrayCounts {
            open: 1,
            overdue: 0,
        };
        assert_eq!(tooltip(one, Lang::En), "Guichet: 1 open");
        assert_eq!(tooltip(one, Lang::Fr), "Guichet : 1 ouvert");
        assert_eq!(tooltip(TrayCounts::default(), Lang::De), "Guichet: 0 offen");
    }

    fn utc(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    #[test]
    fn menu_ids_and_labels() {
        let paris = FixedOffset::east_opt(3600).unwrap();
        for lang in Lang::ALL {
            let ids: Vec<_> = menu(lang, None, utc(12, 0), &paris)
                .iter()
                .map(|e| e.id)
                .collect();
            assert_eq!(ids, ["open", "new", "mine", "pause", "quit"]);
        }
        let en = menu(Lang::En, None, utc(12, 0), &paris);
        let labels: Vec<_> = en.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Open Guichet",
                "New ticket",
                "My tickets",
                "Pause notifications for an hour",
                "Quit"
            ]
        );
        let de = menu(Lang::De, None, utc(12, 0), &paris);
        assert_eq!(de[0].label, "Guichet öffnen");
        assert_eq!(de[4].label, "Beenden");
        assert_eq!(menu(Lang::Fr, None, utc(12, 0), &paris)[4].label, "Quitter");

        // Paused until 13:30 UTC = 14:30 in Paris.
        let until = Some(utc(13, 30));
        assert_eq!(
            menu(Lang::En, until, utc(12, 45), &paris)[3].label,
            "Resume notifications (paused until 14:30)"
        );
        assert_eq!(
            menu(Lang::Fr, until, utc(12, 45), &paris)[3].label,
            "Reprendre les notifications (suspendues jusqu’à 14:30)"
        );
        assert_eq!(
            menu(Lang::De, until, utc(12, 45), &Utc)[3].label,
            "Benachrichtigungen fortsetzen (pausiert bis 13:30)"
        );
        assert_eq!(menu(Lang::En, until, utc(12, 45), &paris)[3].id, "pause");
        // A pause that has ended offers to pause again.
        assert_eq!(
            menu(Lang::En, until, utc(13, 30), &paris)[3].label,
            "Pause notifications for an hour"
        );
    }

    #[test]
    fn close_hints() {
        for lang in Lang::ALL {
            let (title, body) = close_hint(lang);
            assert!(title.contains("Guichet") && body.contains("Guichet"));
        }
        assert_eq!(close_hint(Lang::Fr).0, "Guichet reste ouvert");
        assert!(close_hint(Lang::De).1.contains("„Beenden“"));
        assert!(close_hint(Lang::En).1.contains("Quit"));
    }
}
