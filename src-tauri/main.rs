//! Guichet's desktop app: a Tauri 2 shell. It registers the commands of
//! [`api`], which stay thin and call the Tauri-free crates; it adds a single
//! instance, remembered window state and a log file.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod api;
#[cfg(test)]
mod bindings;
mod schedule;
#[cfg(test)]
mod schedule_tests;
mod shared;
mod time_api;
mod tray;

use guichet_store::Store;
use tauri::Manager;

fn main() {
    api::STARTED.get_or_init(std::time::Instant::now);
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // A second launch brings the running window forward instead.
            tray::show_main(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .setup(|app| {
            let log_dir = app.path().app_log_dir()?;
            init_logging(&log_dir);
            let dir = std::env::var_os("GUICHET_DATA_DIR")
                .map(Into::into)
                .unwrap_or_else(guichet_store::default_data_dir);
            let store = tauri::async_runtime::block_on(async {
                let login = guichet_store::os_login();
                Store::init(&dir, &login, &login).await
            })?;
            if let Some(n) = std::env::var("GUICHET_DEMO")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
            {
                let data = guichet_store::demo_jsonl(2026, n, 8);
                let report = tauri::async_runtime::block_on(
                    store.import(&mut &data[..], guichet_store::Format::Jsonl),
                )?;
                tracing::info!(tickets = report.tickets, "demo data loaded");
            }
            // Uploads pass through data_dir/tmp; what a crash left there
            // (client files under their own names) goes at the next start.
            let _ = std::fs::remove_dir_all(dir.join("tmp"));
            let replan = std::sync::Arc::new(tokio::sync::Notify::new());
            // Without a tray (no status area on this desktop) Guichet still
            // runs; closing the window then quits as usual.
            let tray = tray::create(app.handle(), &store, replan.clone());
            if let Err(e) = &tray {
                tracing::warn!(error = %e, "no tray icon");
            }
            if tray.is_ok() {
                let (handle, store) = (app.handle().clone(), store.clone());
                if let Some(w) = app.get_webview_window("main") {
                    w.on_window_event(move |event| {
                        if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                            api.prevent_close();
                            tray::on_close(&handle, &store);
                        }
                    });
                }
            }
            let sla = schedule::SlaBoard::default();
            tauri::async_runtime::spawn(tray::run(
                app.handle().clone(),
                store.clone(),
                replan.clone(),
                sla.clone(),
            ));
            let sync = std::sync::Arc::new(shared::SyncHandle::default());
            shared::resume(app.handle(), sync.clone(), store.clone(), replan.clone());
            app.manage(api::AppState {
                store,
                data_dir: dir,
                replan,
                sla,
                sync,
            });
            tracing::info!("desktop app started");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            api::app_info,
            api::list_tickets,
            api::ticket_detail,
            api::create_ticket,
            api::update_ticket,
            api::add_comment,
            api::attach_file,
            api::open_attachment,
            api::directory,
            api::save_settings,
            api::load_demo,
            api::link_ticket,
            api::saved_views,
            api::save_views,
            api::attach_upload,
            api::ui_ready,
            time_api::confirm_due,
            time_api::agenda,
            time_api::time_settings,
            time_api::save_time_settings,
            time_api::notification_settings,
            time_api::save_notification_settings,
            time_api::effective_deadline,
            time_api::autostart,
            time_api::set_autostart,
            shared::sync_status,
            shared::choose_local,
            shared::connect_server,
            shared::sign_in,
            shared::sign_out,
            shared::change_password,
        ])
        .run(tauri::generate_context!())
        .expect("the desktop app could not start");
}

/// Logs go to a daily file in the app's log directory; they carry ids and
/// counts, never ticket text or names.
fn init_logging(dir: &std::path::Path) {
    let _ = std::fs::create_dir_all(dir);
    let file = tracing_appender::rolling::daily(dir, "guichet.log");
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(false)
        .with_writer(file)
        .try_init();
}
