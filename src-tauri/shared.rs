//! Shared mode in the desktop app: the first-start choice, connecting to the
//! firm's server, signing in and out (the password in the OS keychain only),
//! changing the password, and the sync engine's status for the indicator.

use crate::api::{ApiError, AppState};
use guichet_domain::DomainError;
use guichet_sync::keychain;
use guichet_sync::{Server, SyncState, Syncer};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

type ApiResult<T> = Result<T, ApiError>;

impl From<guichet_sync::Error> for ApiError {
    fn from(e: guichet_sync::Error) -> Self {
        match e {
            guichet_sync::Error::Store(s) => s.into(),
            guichet_sync::Error::Invalid(d) => d.into(),
            guichet_sync::Error::Login => ApiError {
                code: "login".into(),
                field: Some("password".into()),
                message: e.to_string(),
            },
            other => ApiError {
                code: other.code().into(),
                field: None,
                message: other.to_string(),
            },
        }
    }
}

/// The sync engine of this window, when the replica is shared and signed in.
#[derive(Default)]
pub struct SyncHandle {
    inner: Mutex<Option<(Syncer, Server)>>,
}

impl SyncHandle {
    pub fn wake(&self) {
        if let Some((s, _)) = &*self.inner.lock().expect("sync lock") {
            s.wake();
        }
    }

    fn state(&self) -> Option<SyncState> {
        self.inner
            .lock()
            .expect("sync lock")
            .as_ref()
            .map(|(s, _)| s.state())
    }

    fn server(&self) -> Option<Server> {
        self.inner
            .lock()
            .expect("sync lock")
            .as_ref()
            .map(|(_, s)| s.clone())
    }

    fn stop(&self) {
        if let Some((s, server)) = self.inner.lock().expect("sync lock").take() {
            s.stop();
            tauri::async_runtime::spawn(async move { server.close().await });
        }
    }

    /// Starts the engine on this replica; a round that changed something
    /// refreshes the window and replans the scheduler.
    pub fn start(
        &self,
        app: &AppHandle,
        store: guichet_store::Store,
        server: Server,
        replan: Arc<tokio::sync::Notify>,
    ) {
        self.stop();
        let app = app.clone();
        let syncer = Syncer::start(
            store,
            server.clone(),
            Arc::new(move |_report| {
                let _ = app.emit("tickets-changed", ());
                replan.notify_one();
            }),
        );
        *self.inner.lock().expect("sync lock") = Some((syncer, server));
    }
}

/// What the status indicator shows.
#[derive(Debug, Serialize, TS)]
pub struct SyncView {
    /// `unset` (first start: not chosen yet), `local` or `shared`.
    pub mode: String,
    /// `starting`, `syncing`, `online`, `offline`, `logged_out` (shared only).
    pub state: Option<String>,
    /// When offline: since when (RFC 3339); when online: the last round.
    pub since: Option<String>,
    /// Local changes waiting for the server.
    pub pending: u64,
    /// Changes the server refused, with its reasons.
    pub refused: Vec<String>,
    /// The server (without password) and the login, in shared mode.
    pub server: Option<String>,
    pub login: Option<String>,
}

pub async fn mode(store: &guichet_store::Store) -> Result<String, guichet_store::Error> {
    if store.is_shared().await? {
        return Ok("shared".into());
    }
    if let Some(m) = store.setting("mode").await? {
        return Ok(m);
    }
    // Installations from before the choice existed, with tickets: local.
    let (tickets, _) = store.counts().await?;
    Ok(if tickets > 0 {
        "local".into()
    } else {
        "unset".into()
    })
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> ApiResult<SyncView> {
    let store = &state.store;
    let sync = &state.sync;
    let mode = mode(store).await?;
    if mode != "shared" {
        return Ok(SyncView {
            mode,
            state: None,
            since: None,
            pending: 0,
            refused: vec![],
            server: None,
            login: None,
        });
    }
    let (st, since) = match sync.state() {
        None | Some(SyncState::LoggedOut) => ("logged_out", None),
        Some(SyncState::Starting) => ("starting", None),
        Some(SyncState::Syncing) => ("syncing", None),
        Some(SyncState::Online { last }) => ("online", Some(last.to_rfc3339())),
        Some(SyncState::Offline { since, .. }) => ("offline", Some(since.to_rfc3339())),
    };
    let me = store.user(&store.local_user().await?.to_string()).await?;
    Ok(SyncView {
        mode,
        state: Some(st.into()),
        since,
        pending: store.outbox_len().await?,
        refused: store.refused().await?.into_iter().map(|(_, r)| r).collect(),
        server: store.sync_state("sync.server").await?,
        login: Some(me.login),
    })
}

#[tauri::command]
pub async fn choose_local(state: State<'_, AppState>) -> ApiResult<()> {
    state.store.set_setting("mode", "local").await?;
    Ok(())
}

/// What the connection form sends.
#[derive(Debug, Deserialize, TS)]
pub struct ConnectForm {
    /// `host[:port]/database`, or a `postgres://` URL without password
    /// (`?sslmode=verify-full&sslrootcert=…` for TLS).
    pub server: String,
    pub login: String,
    pub password: String,
    /// Keep the password in the OS keychain.
    pub remember: bool,
}

fn build_url(server: &str, login: &str) -> ApiResult<String> {
    let server = server.trim();
    let login = login.trim();
    if login.is_empty() {
        return Err(DomainError::invalid(
            "login",
            "must not be empty",
            "your login on the firm's server",
        )
        .into());
    }
    if server.is_empty() {
        return Err(DomainError::invalid(
            "server",
            "must not be empty",
            "host[:port]/database, e.g. db.firm.local:5432/guichet",
        )
        .into());
    }
    let url = if let Some(rest) = server
        .strip_prefix("postgres://")
        .or_else(|| server.strip_prefix("postgresql://"))
    {
        let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
        format!("postgres://{login}@{rest}")
    } else {
        format!("postgres://{login}@{server}")
    };
    guichet_sync::server_options(&url, None).map_err(|_| {
        ApiError::from(DomainError::invalid(
            "server",
            format!("'{server}' is not a server address"),
            "host[:port]/database, e.g. db.firm.local:5432/guichet",
        ))
    })?;
    Ok(url)
}

/// The keychain's password for an account, or None (unreadable keychain
/// logged by code: the window then asks for the password).
async fn keychain_get(account: String) -> Option<String> {
    keychain::os::get(account)
        .await
        .map_err(|e| tracing::warn!(code = e.code(), "keychain unreadable"))
        .ok()
        .flatten()
}

/// First start: makes this (empty) replica a replica of the firm's server.
#[tauri::command]
pub async fn connect_server(
    app: AppHandle,
    state: State<'_, AppState>,
    form: ConnectForm,
) -> ApiResult<SyncView> {
    let url = build_url(&form.server, &form.login)?;
    if form.password.is_empty() {
        return Err(DomainError::invalid(
            "password",
            "must not be empty",
            "your password on the firm's server",
        )
        .into());
    }
    let server = Server::connect(&url, Some(&form.password)).await?;
    // On a blocking thread of its own: making the replica (Store::init)
    // is a future the compiler cannot prove Send for a command.
    let (dir, srv, u) = (state.data_dir.clone(), server.clone(), url.clone());
    let handle = tokio::runtime::Handle::current();
    let replica = tokio::task::spawn_blocking(move || {
        handle.block_on(guichet_sync::connect_replica(&dir, &srv, &u))
    })
    .await
    .map_err(|e| ApiError {
        code: "internal".into(),
        field: None,
        message: e.to_string(),
    })??
    .0;
    replica.close().await;
    if form.remember {
        keychain::os::set(keychain::account_for_url(&url)?, form.password.clone()).await?;
    }
    state
        .sync
        .start(&app, state.store.clone(), server, state.replan.clone());
    let _ = app.emit("tickets-changed", ());
    sync_status(state).await
}

/// Signs in again (after sign-out, a changed password, or no password kept).
#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    password: String,
    remember: bool,
) -> ApiResult<SyncView> {
    let url = state
        .store
        .sync_state("sync.server")
        .await?
        .ok_or_else(|| {
            ApiError::from(DomainError::invalid(
                "server",
                "is not set",
                "connect to the firm's server first",
            ))
        })?;
    let server = Server::connect(&url, Some(&password)).await?;
    server.whoami().await?;
    if remember {
        keychain::os::set(keychain::account_for_url(&url)?, password).await?;
    }
    state
        .sync
        .start(&app, state.store.clone(), server, state.replan.clone());
    sync_status(state).await
}

/// Signs out: the engine stops and the password leaves the keychain. The
/// replica stays readable on this PC; changes wait until the next sign-in.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> ApiResult<SyncView> {
    state.sync.stop();
    if let Some(url) = state.store.sync_state("sync.server").await? {
        keychain::os::delete(keychain::account_for_url(&url)?).await?;
    }
    sync_status(state).await
}

#[tauri::command]
pub async fn change_password(
    app: AppHandle,
    state: State<'_, AppState>,
    password: String,
) -> ApiResult<SyncView> {
    let server = state.sync.server().ok_or_else(|| ApiError {
        code: "login".into(),
        field: Some("password".into()),
        message: "sign in first".into(),
    })?;
    guichet_sync::admin::change_own_password(server.pool(), &password).await?;
    let url = state
        .store
        .sync_state("sync.server")
        .await?
        .unwrap_or_default();
    let account = keychain::account_for_url(&url)?;
    if keychain_get(account.clone()).await.is_some() {
        keychain::os::set(account, password.clone()).await?;
    }
    let fresh = Server::connect_lazy(&url, Some(&password))?;
    state
        .sync
        .start(&app, state.store.clone(), fresh, state.replan.clone());
    sync_status(state).await
}

/// At start: a shared replica signs in with the keychain's password, if
/// one is kept (otherwise the window shows the sign-in form).
pub fn resume(
    app: &AppHandle,
    sync: Arc<SyncHandle>,
    store: guichet_store::Store,
    replan: Arc<tokio::sync::Notify>,
) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Ok(true) = store.is_shared().await else {
            return;
        };
        let Ok(Some(url)) = store.sync_state("sync.server").await else {
            return;
        };
        let Ok(account) = keychain::account_for_url(&url) else {
            return;
        };
        let Some(password) = keychain_get(account).await else {
            tracing::info!("shared replica without a kept password: sign-in needed");
            return;
        };
        match Server::connect_lazy(&url, Some(&password)) {
            Ok(server) => sync.start(&app, store, server, replan),
            Err(e) => tracing::warn!(code = e.code(), "server address unreadable"),
        }
    });
}
