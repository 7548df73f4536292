//! The tray icon and the scheduler loop: the tray shows my open and overdue
//! counts and a menu (open, new ticket, my tickets, pause notifications for
//! an hour, quit); closing the window keeps Guichet running there. The loop
//! runs scheduler rounds ([`crate::schedule`]) and shows their notifications
//! with notify-rust; clicking one opens its ticket.

use crate::schedule;
use chrono::{Local, Utc};
use guichet_notify::{render, Lang, Notice, TrayCounts};
use guichet_store::Store;
use std::sync::Arc;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Wry};

const TRAY_ID: &str = "main";
/// Setting: the close-to-tray hint has been shown once.
const HINT_SHOWN: &str = "ui.tray_hint_shown";

/// The UI's language for notifications and the tray: the user's choice,
/// else the operating system's.
pub async fn lang(store: &Store) -> Lang {
    let chosen = store
        .setting("ui.language")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    if chosen.is_empty() {
        Lang::parse(&crate::api::os_language())
    } else {
        Lang::parse(&chosen)
    }
}

/// Brings the main window forward.
pub fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

fn build_menu(
    app: &AppHandle,
    lang: Lang,
    paused: Option<chrono::DateTime<Utc>>,
) -> tauri::Result<Menu<Wry>> {
    let entries = guichet_notify::menu(lang, paused, Utc::now(), &Local);
    let items = entries
        .iter()
        .map(|e| MenuItem::with_id(app, e.id, &e.label, true, None::<&str>))
        .collect::<tauri::Result<Vec<_>>>()?;
    let refs: Vec<&dyn tauri::menu::IsMenuItem<Wry>> = items
        .iter()
        .map(|i| i as &dyn tauri::menu::IsMenuItem<Wry>)
        .collect();
    Menu::with_items(app, &refs)
}

/// Creates the tray icon. Its menu events act on the window, the UI and
/// the notification preferences.
pub fn create(
    app: &AppHandle,
    store: &Store,
    replan: Arc<tokio::sync::Notify>,
) -> tauri::Result<()> {
    let (lang, prefs) =
        tauri::async_runtime::block_on(async { (lang(store).await, schedule::prefs(store).await) });
    let menu = build_menu(app, lang, prefs.paused_until.filter(|p| *p > Utc::now()))?;
    let store = store.clone();
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip(guichet_notify::tooltip(TrayCounts::default(), lang))
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(move |app, event| match event.id.as_ref() {
            guichet_notify::tray::MENU_OPEN => show_main(app),
            guichet_notify::tray::MENU_NEW | guichet_notify::tray::MENU_MINE => {
                show_main(app);
                let _ = app.emit("navigate", event.id.as_ref());
            }
            guichet_notify::tray::MENU_PAUSE => {
                let store = store.clone();
                let app = app.clone();
                let replan = replan.clone();
                tauri::async_runtime::spawn(async move {
                    let mut prefs = schedule::prefs(&store).await;
                    let now = Utc::now();
                    if prefs.is_paused(now) {
                        prefs.resume();
                    } else {
                        prefs.pause(now);
                    }
                    if store
                        .set_setting(schedule::PREFS, &prefs.to_json())
                        .await
                        .is_ok()
                    {
                        tracing::info!(
                            paused = prefs.is_paused(now),
                            "notifications paused or resumed from the tray"
                        );
                    }
                    refresh_menu(&app, &store).await;
                    replan.notify_one();
                });
            }
            guichet_notify::tray::MENU_QUIT => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    tracing::info!("tray ready");
    Ok(())
}

/// Rebuilds the tray's menu (language, pause state).
pub async fn refresh_menu(app: &AppHandle, store: &Store) {
    let lang = lang(store).await;
    let paused = schedule::prefs(store)
        .await
        .paused_until
        .filter(|p| *p > Utc::now());
    if let (Some(tray), Ok(menu)) = (app.tray_by_id(TRAY_ID), build_menu(app, lang, paused)) {
        let _ = tray.set_menu(Some(menu));
    }
}

/// Closing the window hides it: Guichet keeps watch from the tray. The
/// first time, a notification says so.
pub fn on_close(app: &AppHandle, store: &Store) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.hide();
    }
    tracing::info!("window closed to the tray");
    let store = store.clone();
    tauri::async_runtime::spawn(async move {
        if store.setting(HINT_SHOWN).await.ok().flatten().is_some() {
            return;
        }
        let (title, body) = guichet_notify::close_hint(lang(&store).await);
        let rendered = guichet_notify::Rendered {
            key: "tray_hint".into(),
            kind: guichet_notify::KindKey::Summary,
            summary: title,
            body,
            actions: Vec::new(),
            urgency: guichet_notify::Urgency::Low,
        };
        deliver(rendered, |_| {}).await;
        let _ = store.set_setting(HINT_SHOWN, "1").await;
    });
}

/// Hands a notification to the notification server, off the async
/// runtime (the D-Bus call blocks); true when the server took it.
async fn deliver(
    rendered: guichet_notify::Rendered,
    on_action: impl FnOnce(String) + Send + 'static,
) -> bool {
    let shown = tauri::async_runtime::spawn_blocking(move || {
        let result = guichet_notify::deliver(&rendered, "Guichet", on_action);
        if let Err(e) = &result {
            // Ids only: the notification's text stays out of the log.
            tracing::warn!(key = %rendered.key, error = %e, "notification not shown");
        }
        result.is_ok()
    })
    .await;
    matches!(shown, Ok(true))
}

/// Shows one notice; clicking it opens its ticket (or, for a summary, the
/// Overdue view). True when the notification server took it.
async fn show(app: &AppHandle, notice: Notice, lang: Lang) -> bool {
    let rendered = render(&notice, lang);
    let reference = notice.reference;
    let handle = app.clone();
    deliver(rendered, move |action| {
        show_main(&handle);
        match (action.as_str(), reference) {
            ("open" | "default", Some(r)) => {
                let _ = handle.emit("open-ticket", r);
            }
            _ => {
                let _ = handle.emit("navigate", "overdue");
            }
        }
    })
    .await
}

/// The scheduler loop, for the life of the app.
pub async fn run(
    app: AppHandle,
    store: Store,
    replan: Arc<tokio::sync::Notify>,
    board: schedule::SlaBoard,
) {
    let me = match store.local_user().await {
        Ok(me) => me,
        Err(e) => {
            tracing::error!(code = e.code(), "scheduler not started: no local user");
            return;
        }
    };
    // Let the first window paint before the first round reads the store.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mut planner = schedule::Planner::new(board);
    loop {
        let now = Utc::now();
        let next = match schedule::round(&store, &mut planner, me, now).await {
            Ok(round) => {
                let lang = lang(&store).await;
                tracing::info!(
                    notices = round.notices.len(),
                    escalations = round.escalations,
                    next = ?round.next_wake,
                    "scheduler round"
                );
                if let Some(tray) = app.tray_by_id(TRAY_ID) {
                    let _ = tray.set_tooltip(Some(guichet_notify::tooltip(round.counts, lang)));
                }
                let mut missed = false;
                for (n, keys) in round.notices.iter().cloned().zip(round.settles.iter()) {
                    if show(&app, n, lang).await {
                        if let Err(e) = schedule::shown(&store, keys, now).await {
                            tracing::warn!(code = e.code(), "delivery not recorded");
                        }
                    } else {
                        missed = true;
                    }
                }
                refresh_menu(&app, &store).await;
                if round.escalations > 0 {
                    let _ = app.emit("tickets-changed", ());
                }
                let next = schedule::next_round(&round, now);
                // No notification server yet (a session still starting):
                // try again in a minute.
                if missed {
                    next.min(now + chrono::TimeDelta::minutes(1))
                } else {
                    next
                }
            }
            Err(e) => {
                tracing::warn!(
                    code = e.code(),
                    "scheduler round failed; retrying in a minute"
                );
                now + chrono::TimeDelta::minutes(1)
            }
        };
        // Sleep until the next round: woken early by a change, and looking
        // at the wall clock at least every minute (suspend, clock changes).
        loop {
            let now = Utc::now();
            if now >= next {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(schedule::nap(next, now)) => {}
                _ = replan.notified() => {
                    // Several changes in a row make one round.
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    break;
                }
            }
        }
    }
}
