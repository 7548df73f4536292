//! The local side of shared mode: the outbox of events not yet acknowledged
//! by the server, applying a pulled batch together with its cursor, and
//! forgetting tickets the user may no longer see. The network side is in
//! the `guichet-sync` crate.

use crate::directory::{insert_category, insert_members, insert_user};
use crate::error::{Error, Result};
use crate::query::event_from_row;
use crate::transfer::{apply_records, Record};
use crate::{meta_get, meta_set, Store};
use guichet_domain::{Category, Contact, Event, EventId, ReplicaCode, Team, TicketId, User};
use sqlx::SqliteConnection;
use std::collections::HashSet;
use std::path::Path;

/// The server's directory as a pull brings it: replaces the local one.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub users: Vec<User>,
    pub teams: Vec<Team>,
    pub contacts: Vec<Contact>,
    pub categories: Vec<Category>,
}

/// What one pulled batch did to the replica.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub events: usize,
    pub already_present: usize,
    pub forgotten: usize,
}

impl Store {
    /// Creates a data directory that is a replica of a shared database:
    /// its user is the server's user (same id), its replica code the one
    /// the server handed out, so its ticket references are unique firm-wide.
    pub async fn init_shared(dir: &Path, user: &User, code: ReplicaCode) -> Result<Store> {
        let store = Store::init(dir, &user.login, &user.name).await?;
        store
            .guard(async {
                let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
                if meta_get(&mut tx, "shared").await?.as_deref() == Some("1") {
                    tx.commit().await?;
                    return Ok(());
                }
                let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
                    .fetch_one(&mut *tx)
                    .await?;
                if tickets > 0 {
                    return Err(guichet_domain::DomainError::invalid(
                        "data directory",
                        "already holds local tickets",
                        "a new, empty data directory (import the local one into the server with `guichet admin import`)",
                    )
                    .into());
                }
                sqlx::query("DELETE FROM team_members").execute(&mut *tx).await?;
                sqlx::query("DELETE FROM users").execute(&mut *tx).await?;
                insert_user(&mut tx, user).await?;
                meta_set(&mut tx, "local_user", &user.id.to_string()).await?;
                meta_set(&mut tx, "replica", &code.to_string()).await?;
                meta_set(&mut tx, "shared", "1").await?;
                tx.commit().await?;
                Ok(())
            })
            .await?;
        Ok(store)
    }

    /// Whether this data directory is a replica of a shared database.
    pub async fn is_shared(&self) -> Result<bool> {
        Ok(self.sync_state("shared").await?.as_deref() == Some("1"))
    }

    /// A value the sync engine keeps in this replica (`cursor.events`, `server`…).
    pub async fn sync_state(&self, key: &str) -> Result<Option<String>> {
        let mut conn = self.pool.acquire().await?;
        self.guard(meta_get(&mut conn, key)).await
    }

    pub async fn set_sync_state(&self, key: &str, value: &str) -> Result<()> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            meta_set(&mut tx, key, value).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// The oldest `limit` events the server has not acknowledged, in the
    /// order they were written here.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<Event>> {
        let mut conn = self.pool.acquire().await?;
        let rows = self
            .guard(async {
                Ok(sqlx::query(
                    "SELECT e.id, e.ticket_id, e.actor, e.hlc, e.at, e.payload FROM outbox o \
                     JOIN events e ON e.id = o.event_id ORDER BY e.seq LIMIT ?",
                )
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?)
            })
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// How many local changes wait for the server.
    pub async fn outbox_len(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// The server took these events (or already had them).
    pub async fn acknowledge(&self, ids: &[EventId]) -> Result<()> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            // The server has the event now; the file's bytes follow.
            for chunk in ids.chunks(500) {
                let sql = format!(
                    "INSERT OR IGNORE INTO blob_uploads(sha256) \
                     SELECT json_extract(payload, '$.attachment.sha256') FROM events \
                     WHERE kind = 'attachment_added' AND id IN ({})",
                    vec!["?"; chunk.len()].join(", ")
                );
                let mut q = sqlx::query(&sql);
                for id in chunk {
                    q = q.bind(id);
                }
                q.execute(&mut *tx).await?;
            }
            delete_outbox(&mut tx, ids).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// The server refused this event (permissions): it leaves the outbox and
    /// is listed, with the server's reason, for the user to see.
    pub async fn refuse(&self, id: EventId, reason: &str) -> Result<()> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            delete_outbox(&mut tx, vec![id.to_string()]).await?;
            sqlx::query(
                "INSERT OR REPLACE INTO push_refused(event_id, reason, at) VALUES (?, ?, ?)",
            )
            .bind(id.to_string())
            .bind(reason)
            .bind(crate::now().timestamp_micros())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Events the server refused, with its reasons.
    pub async fn refused(&self) -> Result<Vec<(EventId, String)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT event_id, reason FROM push_refused ORDER BY at")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, r)| Some((id.parse().ok()?, r)))
            .collect())
    }

    /// Applies a pulled batch: the directory (when given) replaces the local
    /// one, the events new to this replica are checked and applied (fields
    /// last-writer-wins by clock), and the cursors are saved, all in one
    /// transaction: a crash leaves either all of it or none of it.
    pub async fn apply_pulled(
        &self,
        directory: Option<&Directory>,
        events: Vec<Event>,
        cursors: &[(&str, String)],
    ) -> Result<Applied> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let applied = apply_pulled_in(&mut tx, directory, events, cursors).await?;
            tx.commit().await?;
            Ok(applied)
        })
        .await
    }

    /// Starts writing the pages of a first sync (see [`BulkPull`]).
    pub fn bulk_pull(&self) -> BulkPull {
        BulkPull {
            store: self.clone(),
            tx: None,
            in_tx: 0,
            written: 0,
        }
    }

    /// Removes tickets the user may no longer see from this replica: the
    /// ticket, its history, comments, attachments (files too) and search
    /// entries. Unpushed changes to them are dropped: the server would
    /// refuse them.
    pub async fn forget_tickets(&self, ids: &[TicketId]) -> Result<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        let blobs = self
            .guard(async {
                let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                let mut blobs = Vec::new();
                // History is append-only for users; losing access is the
                // one case where a replica drops it, so the guard is lifted
                // inside this transaction only, once for all the tickets.
                sqlx::query("DROP TRIGGER events_append_only_delete")
                    .execute(&mut *tx)
                    .await?;
                for id in ids {
                    let id = id.to_string();
                    let n: Option<i64> = sqlx::query_scalar("SELECT n FROM tickets WHERE id = ?")
                        .bind(&id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(n) = n else { continue };
                    let hashes: Vec<String> =
                        sqlx::query_scalar("SELECT sha256 FROM attachments WHERE ticket_n = ?")
                            .bind(n)
                            .fetch_all(&mut *tx)
                            .await?;
                    blobs.extend(hashes);
                    for table in ["comments", "attachments", "ticket_tags", "ticket_watchers", "ticket_links"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE ticket_n = ?"))
                            .bind(n)
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query("DELETE FROM tickets WHERE n = ?")
                        .bind(n)
                        .execute(&mut *tx)
                        .await?;
                    // Changes not yet pushed cannot reach the server any
                    // more: they are listed as refused, not lost silently.
                    sqlx::query(
                        "INSERT OR REPLACE INTO push_refused(event_id, reason, at) \
                         SELECT event_id, 'the ticket is no longer visible to you', ? FROM outbox \
                         WHERE event_id IN (SELECT id FROM events WHERE ticket_id = ?)",
                    )
                    .bind(crate::now().timestamp_micros())
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM outbox WHERE event_id IN (SELECT id FROM events WHERE ticket_id = ?)")
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM events WHERE ticket_id = ?")
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events \
                     BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
                )
                .execute(&mut *tx)
                .await?;
                let mut unused = Vec::new();
                for h in blobs {
                    let still: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE sha256 = ?")
                            .bind(&h)
                            .fetch_one(&mut *tx)
                            .await?;
                    if still == 0 {
                        unused.push(h);
                    }
                }
                tx.commit().await?;
                Ok(unused)
            })
            .await?;
        for h in &blobs {
            let path = self.blob_path(h);
            if let Err(e) = std::fs::remove_file(&path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return Err(Error::io(&path, e));
                }
            }
        }
        tracing::info!(
            tickets = ids.len(),
            files = blobs.len(),
            "tickets no longer visible removed from the replica"
        );
        Ok(ids.len())
    }

    /// Tickets with changes the server has not acknowledged yet: a pull
    /// must not drop them as invisible before the push had its say.
    pub async fn tickets_with_outbox(&self) -> Result<HashSet<TicketId>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT e.ticket_id FROM outbox o JOIN events e ON e.id = o.event_id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().filter_map(|r| r.parse().ok()).collect())
    }

    /// The ids of every ticket in this replica.
    pub async fn ticket_ids(&self) -> Result<HashSet<TicketId>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT id FROM tickets")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().filter_map(|r| r.parse().ok()).collect())
    }

    /// Every event of this replica, in clock order (tests compare replicas with it).
    pub async fn all_events(&self) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "SELECT id, ticket_id, actor, hlc, at, payload FROM events ORDER BY hlc, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }
}

/// Events written per transaction by [`BulkPull`].
const BULK_COMMIT_EVENTS: usize = 250_000;

/// Writes the batches of a first sync (or of a replica far behind) the way
/// an import writes a file: many batches per transaction (a transaction
/// per page rewrote the pages of every random-keyed index of the growing
/// replica each time: event, comment and ticket ids), and the planner's
/// statistics taken at the end. Each transaction holds whole batches with
/// their cursors, so a sync cut short resumes from its last commit.
pub struct BulkPull {
    store: Store,
    tx: Option<sqlx::Transaction<'static, sqlx::Sqlite>>,
    in_tx: usize,
    written: usize,
}

impl BulkPull {
    /// Applies one page as [`Store::apply_pulled`] does, in the current
    /// transaction; commits once it holds enough events.
    pub async fn apply(
        &mut self,
        events: Vec<Event>,
        cursors: &[(&str, String)],
    ) -> Result<Applied> {
        let n = events.len();
        let store = self.store.clone();
        let applied = store
            .guard(async {
                if self.tx.is_none() {
                    self.tx = Some(store.pool.begin_with("BEGIN IMMEDIATE").await?);
                }
                let tx = self.tx.as_mut().expect("begun above");
                apply_pulled_in(tx, None, events, cursors).await
            })
            .await?;
        self.in_tx += n;
        self.written += applied.events;
        if self.in_tx >= BULK_COMMIT_EVENTS {
            self.commit().await?;
        }
        Ok(applied)
    }

    async fn commit(&mut self) -> Result<()> {
        if let Some(tx) = self.tx.take() {
            self.store.guard(async { Ok(tx.commit().await?) }).await?;
        }
        self.in_tx = 0;
        Ok(())
    }

    /// Commits what is left and, after a large first sync, takes the query
    /// planner's statistics (as after an import).
    pub async fn finish(mut self) -> Result<()> {
        self.commit().await?;
        if self.written >= 1_000 {
            if let Err(e) = crate::db::refresh_statistics(&self.store.pool, true).await {
                tracing::warn!(error = %e, "could not refresh the query planner's statistics");
            }
        }
        Ok(())
    }
}

/// Applies a pulled batch inside the caller's transaction.
async fn apply_pulled_in(
    conn: &mut SqliteConnection,
    directory: Option<&Directory>,
    events: Vec<Event>,
    cursors: &[(&str, String)],
) -> Result<Applied> {
    if let Some(d) = directory {
        replace_directory(conn, d).await?;
    }
    let ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
    let records: Vec<(usize, Record)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i + 1, Record::Event(e)))
        .collect();
    // Pulled events are not this replica's to push: the outbox trigger
    // (which fires while meta.shared is '1') is kept quiet while they are
    // written, inside this transaction only, instead of filling the outbox
    // to empty it again.
    let shared = meta_get(conn, "shared").await?;
    meta_set(conn, "shared", "pulling").await?;
    let report = apply_records(conn, &records).await?;
    match &shared {
        Some(v) => meta_set(conn, "shared", v).await?,
        None => {
            sqlx::query("DELETE FROM meta WHERE key = 'shared'")
                .execute(&mut *conn)
                .await?;
        }
    }
    // Those already here may be this replica's own, pushed but not yet
    // acknowledged: the server has them.
    let waiting: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM outbox)")
        .fetch_one(&mut *conn)
        .await?;
    if waiting {
        delete_outbox(conn, ids).await?;
    }
    for (k, v) in cursors {
        meta_set(conn, k, v).await?;
    }
    Ok(Applied {
        events: report.events,
        already_present: report.already_present,
        forgotten: 0,
    })
}

async fn delete_outbox(conn: &mut SqliteConnection, ids: Vec<String>) -> Result<()> {
    for chunk in ids.chunks(500) {
        let sql = format!(
            "DELETE FROM outbox WHERE event_id IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn replace_directory(conn: &mut SqliteConnection, d: &Directory) -> Result<()> {
    for u in &d.users {
        sqlx::query(
            "INSERT INTO users(id, login, name, email, active) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, active = excluded.active",
        )
        .bind(u.id.to_string())
        .bind(&u.login)
        .bind(&u.name)
        .bind(&u.email)
        .bind(u.active as i64)
        .execute(&mut *conn)
        .await?;
    }
    for c in &d.categories {
        let known: Option<String> = sqlx::query_scalar("SELECT key FROM categories WHERE key = ?")
            .bind(&c.key)
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_some() {
            sqlx::query(
                "UPDATE categories SET name_en = ?, name_fr = ?, name_de = ?, confidential = ? WHERE key = ?",
            )
            .bind(&c.name_en)
            .bind(&c.name_fr)
            .bind(&c.name_de)
            .bind(c.confidential as i64)
            .bind(&c.key)
            .execute(&mut *conn)
            .await?;
        } else {
            insert_category(conn, c).await?;
        }
    }
    sqlx::query("DELETE FROM team_members")
        .execute(&mut *conn)
        .await?;
    for t in &d.teams {
        sqlx::query(
            "INSERT INTO teams(id, name, lead) VALUES (?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, lead = excluded.lead",
        )
        .bind(t.id.to_string())
        .bind(&t.name)
        .bind(t.lead.map(|l| l.to_string()))
        .execute(&mut *conn)
        .await?;
        insert_members(conn, t).await?;
    }
    for c in &d.contacts {
        sqlx::query(
            "INSERT INTO contacts(id, name, email, organisation) VALUES (?, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, organisation = excluded.organisation",
        )
        .bind(c.id.to_string())
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.organisation)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
