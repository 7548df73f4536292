//! Opening the data directory: the SQLite file, its pragmas and migrations.

use crate::error::{is_corruption, Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DB_FILE: &str = "guichet.sqlite3";

/// Migrations, embedded so an installed binary needs no files beside it.
/// `PRAGMA user_version` records how many have been applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_status_due_index.sql"),
    include_str!("../../../migrations/sqlite/0003_unassigned_index.sql"),
    include_str!("../../../migrations/sqlite/0004_deadlines.sql"),
    include_str!("../../../migrations/sqlite/0005_sync.sql"),
    include_str!("../../../migrations/sqlite/0006_blob_uploads.sql"),
];

/// How long a writer waits for another process's write to finish before
/// giving up. The desktop app and the command line share the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

pub fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

fn options(path: &Path, create: bool) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL in WAL mode: a power cut may lose the last commits, never corrupt the file.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        .pragma("cache_size", "-8000")
        .pragma("temp_store", "memory")
}

/// Opens the pool and brings the schema up to date. Corruption found while
/// doing so is reported as [`Error::Corrupt`] with the path.
pub async fn connect(dir: &Path, create: bool) -> Result<SqlitePool> {
    let path = db_path(dir);
    if !create && !path.exists() {
        return Err(Error::NotInitialized(dir.to_path_buf()));
    }
    let corrupt = |e: sqlx::Error| {
        if is_corruption(&e) {
            Error::Corrupt {
                path: path.clone(),
                detail: e.to_string(),
            }
        } else {
            Error::Db(e)
        }
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(0)
        .connect_with(options(&path, create))
        .await
        .map_err(corrupt)?;
    let migrated = migrate(&pool).await.map_err(|e| match e {
        Error::Db(e) => corrupt(e),
        other => other,
    })?;
    // Statistics only make queries faster: a failure here (a read-only
    // file, say) must not keep anyone from their tickets. A migration may
    // have added an index, which needs statistics of its own.
    if let Err(e) = refresh_statistics(&pool, migrated).await {
        tracing::warn!(error = %e, "could not refresh the query planner's statistics");
    }
    Ok(pool)
}

/// Below this many tickets the planner's defaults are fine and statistics
/// taken now would only be stale later.
const STATISTICS_FROM_TICKETS: i64 = 1_000;

/// The query planner's statistics (`sqlite_stat1`). Without them SQLite
/// answers "all open tickets, newest first" at 100,000 tickets through the
/// status index and sorts 70,000 rows (60 ms); with them it walks the
/// last-update index and stops after a page (0.5 ms). A full ANALYZE takes
/// 0.2-0.4 s at 100,000 tickets; a sampled one (`analysis_limit`) was tried
/// and misled the planner back into the sort.
/// `force` after a bulk change (an import); otherwise statistics are taken
/// once the store is big enough, and then kept fresh by `PRAGMA optimize`,
/// which re-analyses only tables that changed size a lot.
pub(crate) async fn refresh_statistics(pool: &SqlitePool, force: bool) -> Result<()> {
    // On the pool, not a held connection (a held one trips sqlx's Send
    // bounds inside Tauri commands).
    let tickets: i64 = sqlx::query_scalar("SELECT coalesce(max(n), 0) FROM tickets")
        .fetch_one(pool)
        .await?;
    if tickets < STATISTICS_FROM_TICKETS {
        return Ok(());
    }
    let have: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            .fetch_one(pool)
            .await?;
    if force || have == 0 {
        sqlx::raw_sql("ANALYZE").execute(pool).await?;
        tracing::info!(tickets, "took the query planner's statistics");
    } else {
        sqlx::raw_sql("PRAGMA optimize = 0x10002")
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Applies the migrations the file lacks; true if it applied any.
async fn migrate(pool: &SqlitePool) -> Result<bool> {
    let mut conn = pool.acquire().await?;
    let current: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *conn)
        .await?;
    if current as usize >= MIGRATIONS.len() {
        return Ok(false);
    }
    // Another process may be migrating the same file: take the write lock,
    // then look again.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let current: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *tx)
        .await?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::raw_sql(&format!("PRAGMA user_version = {}", i + 1))
            .execute(&mut *tx)
            .await?;
        tracing::info!(version = i + 1, "applied migration");
    }
    let applied = (current as usize) < MIGRATIONS.len();
    tx.commit().await?;
    Ok(applied)
}
