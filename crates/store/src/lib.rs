//! Guichet's local store: the event log and its projection in one SQLite file.
//!
//! Every write is one `BEGIN IMMEDIATE` transaction: the events are appended
//! and the projection (tickets, tags, comments, attachments, full-text index)
//! updated together, or nothing is written. Several processes (the desktop
//! app, the command line) may write the same file at once; SQLite's busy
//! timeout makes them take turns.

mod attachments;
mod db;
mod deadlines;
mod directory;
mod error;
mod persist;
mod query;
mod rows;
mod sync;
mod tickets;
mod transfer;

pub use attachments::is_sha256;
pub use db::{db_path, DB_FILE};
pub use error::{Error, LineError, Result};
pub use query::{Comment, ListQuery, Sort, TicketSummary, View, TEXT_CANDIDATES};
pub use sync::{Applied, BulkPull, Directory};
pub use transfer::{demo_jsonl, Format, ImportReport, Record};

use chrono::{DateTime, Utc};
use guichet_domain::{Clock, Hlc, ReplicaCode, User, UserId, Workflow};
use sqlx::SqliteConnection;
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};

/// Default ceiling for one attachment; an administrator can change it.
pub const DEFAULT_ATTACHMENT_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// An open data directory.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    dir: PathBuf,
    workflow: Workflow,
}

impl Store {
    /// Creates the data directory and database if needed, the default
    /// categories, this replica's code and the local user. Running it again
    /// on an initialised directory changes nothing and returns the store.
    pub async fn init(dir: &Path, login: &str, name: &str) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let pool = db::connect(dir, true).await?;
        let store = Store {
            pool,
            dir: dir.to_path_buf(),
            workflow: Workflow::default(),
        };
        let user = User::new(login, name, None)?;
        store
            .guard(async {
                let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
                if meta_get(&mut tx, "replica").await?.is_none() {
                    let code = ReplicaCode::from_number(random_u32());
                    meta_set(&mut tx, "replica", &code.to_string()).await?;
                    meta_set(&mut tx, "next_number", "1").await?;
                    meta_set(&mut tx, "hlc", &Hlc::ZERO.to_string()).await?;
                    meta_set(
                        &mut tx,
                        "attachment_max_bytes",
                        &DEFAULT_ATTACHMENT_MAX_BYTES.to_string(),
                    )
                    .await?;
                    for c in guichet_domain::default_categories() {
                        directory::insert_category(&mut tx, &c).await?;
                    }
                    directory::insert_user(&mut tx, &user).await?;
                    meta_set(&mut tx, "local_user", &user.id.to_string()).await?;
                    tracing::info!(replica = %code, "initialised data directory");
                }
                tx.commit().await?;
                Ok(())
            })
            .await?;
        Ok(store)
    }

    /// Opens an initialised data directory.
    pub async fn open(dir: &Path) -> Result<Store> {
        let pool = db::connect(dir, false).await?;
        let store = Store {
            pool,
            dir: dir.to_path_buf(),
            workflow: Workflow::default(),
        };
        let mut conn = store.pool.acquire().await?;
        if store.guard(meta_get(&mut conn, "replica")).await?.is_none() {
            return Err(Error::NotInitialized(dir.to_path_buf()));
        }
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn workflow(&self) -> &Workflow {
        &self.workflow
    }

    /// The user this replica acts as in local mode.
    pub async fn local_user(&self) -> Result<UserId> {
        let mut conn = self.pool.acquire().await?;
        let id = self
            .guard(meta_get(&mut conn, "local_user"))
            .await?
            .ok_or_else(|| Error::NotInitialized(self.dir.clone()))?;
        id.parse().map_err(|_| Error::Corrupt {
            path: db::db_path(&self.dir),
            detail: "meta.local_user is not an id".into(),
        })
    }

    pub async fn replica(&self) -> Result<ReplicaCode> {
        let mut conn = self.pool.acquire().await?;
        let code = self
            .guard(meta_get(&mut conn, "replica"))
            .await?
            .unwrap_or_default();
        code.parse().map_err(|d| Error::Corrupt {
            path: db::db_path(&self.dir),
            detail: d,
        })
    }

    /// A per-user preference of this data directory (`ui.language`, `ui.theme`…).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let mut conn = self.pool.acquire().await?;
        self.guard(meta_get(&mut conn, &format!("setting.{key}")))
            .await
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            meta_set(&mut tx, &format!("setting.{key}"), value).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn attachment_max_bytes(&self) -> Result<u64> {
        let mut conn = self.pool.acquire().await?;
        Ok(self
            .guard(meta_get(&mut conn, "attachment_max_bytes"))
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_ATTACHMENT_MAX_BYTES))
    }

    pub async fn set_attachment_max_bytes(&self, bytes: u64) -> Result<()> {
        if bytes == 0 {
            return Err(guichet_domain::DomainError::invalid(
                "attachment_max_bytes",
                "must not be 0",
                "a size in bytes of at least 1",
            )
            .into());
        }
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            meta_set(&mut tx, "attachment_max_bytes", &bytes.to_string()).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// SQLite's own integrity check of the whole file; `Ok(())` when sound.
    pub async fn check_integrity(&self) -> Result<()> {
        let rows: Vec<String> = self
            .guard(async {
                Ok(sqlx::query_scalar("PRAGMA integrity_check")
                    .fetch_all(&self.pool)
                    .await?)
            })
            .await?;
        if rows == ["ok"] {
            Ok(())
        } else {
            Err(Error::Corrupt {
                path: db::db_path(&self.dir),
                detail: rows.join("; "),
            })
        }
    }

    /// Runs a database step and reports SQLite's corruption errors with the file's path.
    pub(crate) async fn guard<T>(
        &self,
        f: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        f.await.map_err(|e| match e {
            Error::Db(db) if error::is_corruption(&db) => Error::Corrupt {
                path: db::db_path(&self.dir),
                detail: db.to_string(),
            },
            other => other,
        })
    }

    /// Closes the store: the database file alone then holds every commit, and
    /// no connection of this store is left open.
    pub async fn close(&self) {
        // Fold the WAL into the database file. Connections closing at the
        // same moment on their own threads can each miss the exclusive lock
        // that SQLite's checkpoint-on-close needs, which leaves the last
        // commits in the WAL only. PASSIVE never waits for other processes.
        if let Ok(mut conn) = self.pool.acquire().await {
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&mut *conn)
                .await;
        }
        self.pool.close().await;
        // `Pool::close` can return with a connection still open: one handed
        // back at that moment either lands in the idle queue after the queue
        // was emptied (closed by calling `close` again) or is still in its
        // return task (waited for).
        for _ in 0..1_000 {
            if self.pool.size() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            self.pool.close().await;
        }
    }
}

pub(crate) async fn meta_get(conn: &mut SqliteConnection, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(key)
        .fetch_optional(conn)
        .await?)
}

pub(crate) async fn meta_set(conn: &mut SqliteConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}

/// The replica's clock as the last committed write left it; callers hold the write lock.
pub(crate) async fn load_clock(conn: &mut SqliteConnection) -> Result<Clock> {
    let code: ReplicaCode = meta_get(conn, "replica")
        .await?
        .unwrap_or_default()
        .parse()
        .unwrap_or(ReplicaCode::from_number(0));
    let last: Hlc = meta_get(conn, "hlc")
        .await?
        .and_then(|s| s.parse().ok())
        .unwrap_or(Hlc::ZERO);
    Ok(Clock::new(code.number(), last))
}

pub(crate) async fn save_clock(conn: &mut SqliteConnection, clock: &Clock) -> Result<()> {
    meta_set(conn, "hlc", &clock.last().to_string()).await
}

/// The data directory used when none is given: the OS's per-user data
/// directory (`~/.local/share/guichet` on Linux), shared by the desktop app
/// and the command line.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("eu", "Guichet", "Guichet")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".guichet"))
}

/// The local user's login when none is given: the OS user name, lower-cased
/// and reduced to what a Guichet login accepts, or `me`. Shared by the
/// desktop app and the command line, so both act as the same local user.
pub fn os_login() -> String {
    let raw = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
        .to_lowercase();
    let clean: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect();
    if clean.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        clean
    } else {
        "me".into()
    }
}

/// Wall time as stored: whole microseconds, so what is read back equals what was written.
pub fn now() -> DateTime<Utc> {
    micros_to_time(Utc::now().timestamp_micros())
}

pub(crate) fn micros_to_time(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

fn random_u32() -> u32 {
    // A UUIDv4's randomness comes from the OS; no extra crate for one number.
    let b = uuid::Uuid::new_v4().into_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}
