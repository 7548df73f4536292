//! Guichet's desktop notifications and tray menu, without Tauri.
//!
//! * [`render`] words a [`Notice`] (assigned, reply, reminder, SLA breach…)
//!   in English, French or German: summary, body, actions and urgency.
//! * [`Prefs`] says whether a notice may be shown now (kinds, quiet hours,
//!   pause) and, if not, when; see its module for what happens to held-back
//!   notices.
//! * [`deliver`] shows a rendered notice with notify-rust (D-Bus on Linux)
//!   and reports the user's click.
//! * [`tray`] holds the tray's tooltip, menu and first-close hint.
//!
//! Nothing here logs a ticket's title, reference or any shown text.

mod deliver;
mod lang;
mod notice;
pub mod prefs;
pub mod tray;

pub use deliver::{deliver, NotifyError};
pub use lang::Lang;
pub use notice::{
    format_date, render, KindKey, Notice, NoticeKind, Rendered, Urgency, ACTION_DEFAULT,
    ACTION_OPEN, ACTION_OPEN_LIST, BODY_MAX_CHARS,
};
pub use prefs::{Prefs, PrefsError, QuietHours, PAUSE};
pub use tray::{close_hint, menu, tooltip, MenuEntry, TrayCounts};
