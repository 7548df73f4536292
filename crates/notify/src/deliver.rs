//! Showing a rendered notice with the desktop's notification service.

use notify_rust::Notification;
use tracing::debug;

use crate::notice::{ACTION_DEFAULT, ACTION_OPEN, ACTION_OPEN_LIST};
use crate::Rendered;

/// A notification that could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The notification service refused or is unreachable (on Linux: no
    /// session bus, or nothing owns `org.freedesktop.Notifications`).
    #[error("the notification could not be shown: {0}")]
    Show(#[from] notify_rust::error::Error),
    /// The thread that waits for the user's click could not be started; the
    /// notification was shown, but its actions will not be reported.
    #[error("could not start the thread that waits for the notification's actions: {0}")]
    Thread(std::io::Error),
}

/// Shows `rendered` as a desktop notification of application `app_name` and
/// returns the id the notification service gave it.
///
/// On Linux and the BSDs (D-Bus `org.freedesktop.Notifications`, whose
/// session bus is found through `DBUS_SESSION_BUS_ADDRESS`), a background
/// thread waits for the user: clicking the notification or one of its
/// buttons calls `on_action` once, with `"default"`, `"open"` or
/// `"open_list"`. Closing or expiring it calls nothing and ends the thread.
/// The thread, and the D-Bus connection it holds, live until one of these
/// happens. If the server accepts markup in bodies (`body-markup`), the body
/// is escaped so that a title such as "Müller & Söhne <GmbH>" shows as is.
///
/// On Windows and macOS the notification is only shown: `on_action` is
/// never called and the returned id is 0.
///
/// Only the notice's key and kind are logged (at debug level), never its
/// texts, which hold personal data.
pub fn deliver(
    rendered: &Rendered,
    app_name: &str,
    on_action: impl FnOnce(String) + Send + 'static,
) -> Result<u32, NotifyError> {
    debug!(key = %rendered.key, kind = %rendered.kind, "showing notification");
    let mut n = Notification::new();
    n.appname(app_name).summary(&rendered.summary);
    for (id, label) in &rendered.actions {
        n.action(id, label);
    }
    imp::show(n, rendered, on_action)
}

#[cfg(all(unix, not(target_os = "macos")))]
mod imp {
    use super::*;

    pub(super) fn show(
        mut n: Notification,
        rendered: &Rendered,
        on_action: impl FnOnce(String) + Send + 'static,
    ) -> Result<u32, NotifyError> {
        // A server that cannot say what it supports is given escaped text:
        // at worst an "&amp;" shows, rather than markup from a ticket title.
        let markup = notify_rust::get_capabilities()
            .map(|caps| caps.iter().any(|c| c == "body-markup"))
            .unwrap_or(true);
        if markup {
            n.body(&escape_markup(&rendered.body));
        } else {
            n.body(&rendered.body);
        }
        n.urgency(match rendered.urgency {
            crate::Urgency::Low => notify_rust::Urgency::Low,
            crate::Urgency::Normal => notify_rust::Urgency::Normal,
            crate::Urgency::Critical => notify_rust::Urgency::Critical,
        });
        let handle = n.show()?;
        let id = handle.id();
        let key = rendered.key.clone();
        std::thread::Builder::new()
            .name(format!("notify-{id}"))
            .spawn(move || {
                handle.wait_for_action(|action| match action {
                    ACTION_DEFAULT | ACTION_OPEN | ACTION_OPEN_LIST => {
                        debug!(%key, id, action, "notification clicked");
                        on_action(action.to_string());
                    }
                    other => debug!(%key, id, action = other, "notification closed"),
                });
            })
            .map_err(NotifyError::Thread)?;
        Ok(id)
    }

    /// Escapes the characters that the notification spec's markup reads.
    pub(crate) fn escape_markup(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c => out.push(c),
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn escapes_markup() {
            assert_eq!(
                super::escape_markup(r#"Müller & Söhne <GmbH> "x" 'y'"#),
                "Müller &amp; Söhne &lt;GmbH&gt; &quot;x&quot; &apos;y&apos;"
            );
        }
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod imp {
    use super::*;

    pub(super) fn show(
        mut n: Notification,
        rendered: &Rendered,
        on_action: impl FnOnce(String) + Send + 'static,
    ) -> Result<u32, NotifyError> {
        let _ = (on_action, ACTION_DEFAULT, ACTION_OPEN, ACTION_OPEN_LIST);
        n.body(&rendered.body);
        n.show()?;
        Ok(0)
    }
}
