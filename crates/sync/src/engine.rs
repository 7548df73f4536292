//! The sync engine: push the outbox, then pull.
//!
//! A round:
//! 1. contacts entered here, then the outbox (oldest first, in batches), are
//!    pushed; accepted (or already present) events leave the outbox,
//!    refused ones are listed with the server's reason;
//! 2. one read-only snapshot of the server is opened; events are read in
//!    commit order (numbers drawn at COMMIT under a lock, see the schema);
//! 3. the access log since the access cursor says which tickets may have
//!    changed visibility: those no longer visible are removed from the
//!    replica, those newly visible are fetched whole;
//! 4. events after the event cursor are pulled page by page; each page is
//!    applied together with its cursor in one local transaction.
//!
//! Every step can be interrupted anywhere: a repeated push applies nothing
//! twice (event ids), a repeated pull skips what is present.

use crate::server::{Cursor, Pull, Server};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use guichet_domain::{EventKind, TicketId};
use guichet_store::{Directory, Store};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

const PUSH_BATCH: u32 = 500;
const PULL_PAGE: u32 = 5_000;
/// Pages of a replica far behind (see `pull_log`).
const BULK_PAGE: u32 = 50_000;
const CURSOR_EVENTS: &str = "sync.cursor.events";
const CURSOR_ACCESS: &str = "sync.cursor.access";
/// The end of the log a first pull fetches up to, while it runs.
const FIRST: &str = "sync.first";
/// Tickets dropped after a refused change, to fetch again from the server.
const REFETCH: &str = "sync.refetch";

async fn pending_refetch(store: &Store) -> Result<HashSet<TicketId>> {
    Ok(store
        .sync_state(REFETCH)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub pushed: usize,
    pub refused: usize,
    pub pulled: usize,
    pub forgotten: usize,
    /// Attachment files sent to / fetched from the server.
    pub uploaded: usize,
    pub downloaded: usize,
    /// Attachment files not moved yet (not complete on the server, failed).
    pub files_waiting: usize,
}

/// Makes a new data directory a replica of the shared database for the
/// connected user, and brings it up to date.
pub async fn connect_replica(dir: &Path, server: &Server, url: &str) -> Result<(Store, Report)> {
    let me = server.whoami().await?;
    let store = match Store::open(dir).await {
        Ok(s) if s.is_shared().await? => {
            if s.local_user().await? != me.user.id {
                return Err(guichet_domain::DomainError::invalid(
                    "data directory",
                    "is the replica of another user",
                    "the data directory of this login, or a new one",
                )
                .into());
            }
            s
        }
        _ => {
            let code = server.register_replica().await?;
            Store::init_shared(dir, &me.user, code).await?
        }
    };
    store
        .set_sync_state("sync.server", &redact_url(url))
        .await?;
    let report = sync_once(&store, server).await?;
    Ok((store, report))
}

/// The URL without its password, as kept in the replica.
pub fn redact_url(url: &str) -> String {
    match url::parse_userinfo(url) {
        Some((head, user, tail)) => format!("{head}{user}@{tail}"),
        None => url.to_string(),
    }
}

mod url {
    /// Splits `scheme://user:password@rest` into (`scheme://`, `user`, `rest`).
    pub fn parse_userinfo(url: &str) -> Option<(&str, &str, &str)> {
        let start = url.find("://")? + 3;
        let at = url[start..].find('@')? + start;
        let userinfo = &url[start..at];
        let user = userinfo.split(':').next().unwrap_or("");
        Some((&url[..start], user, &url[at + 1..]))
    }
}

/// One push and pull round.
pub async fn sync_once(store: &Store, server: &Server) -> Result<Report> {
    let mut report = Report::default();
    let (refused, pushed) = push(store, server, &mut report).await?;
    // A refused change was applied here but not on the server: the ticket is
    // dropped from the replica and fetched again as the server has it (if
    // the user may still see it), so the replica shows the server's truth.
    // The tickets to fetch again are kept in the replica before they are
    // dropped, so a round cut after the drop fetches them next time.
    let mut refetch: HashSet<TicketId> = pending_refetch(store).await?;
    refetch.extend(refused.iter().copied());
    if !refused.is_empty() {
        store
            .set_sync_state(
                REFETCH,
                &serde_json::to_string(&refetch).expect("ids serialise"),
            )
            .await?;
        let refused: Vec<TicketId> = refused
            .into_iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        store.forget_tickets(&refused).await?;
    }
    let refetch: Vec<TicketId> = refetch.into_iter().collect();
    pull(store, server, &refetch, &mut report).await?;
    // A ticket written here for others only (created for another team, say)
    // is the server's now: it leaves this replica as soon as it is pushed.
    if !pushed.is_empty() {
        report.forgotten += forget_unseen(store, server, &pushed).await?;
    }
    // Then the files: the events that attach them are on both sides now.
    let moved = crate::blobs::transfer(store, server.pool()).await?;
    report.uploaded = moved.uploaded;
    report.downloaded = moved.downloaded;
    report.files_waiting = moved.waiting;
    Ok(report)
}

/// Drops those of `tickets` the user may not see, unless they have changes
/// still waiting to be pushed.
async fn forget_unseen(store: &Store, server: &Server, tickets: &[TicketId]) -> Result<usize> {
    let mut snapshot = server.begin_pull().await?;
    let visible = snapshot.visible_among(tickets).await;
    snapshot.finish().await?;
    let visible: HashSet<TicketId> = visible?.into_iter().collect();
    let unpushed = store.tickets_with_outbox().await?;
    let gone: Vec<TicketId> = tickets
        .iter()
        .filter(|t| !visible.contains(t) && !unpushed.contains(t))
        .copied()
        .collect();
    Ok(store.forget_tickets(&gone).await?)
}

/// Pushes the outbox; returns the tickets of refused events and of
/// accepted ones.
async fn push(
    store: &Store,
    server: &Server,
    report: &mut Report,
) -> Result<(Vec<TicketId>, Vec<TicketId>)> {
    server.push_contacts(&store.contacts().await?).await?;
    let mut refused_tickets = Vec::new();
    let mut pushed: HashSet<TicketId> = HashSet::new();
    loop {
        let batch = store.outbox(PUSH_BATCH).await?;
        if batch.is_empty() {
            return Ok((refused_tickets, pushed.into_iter().collect()));
        }
        let done = server.push(&batch).await?;
        // The server committed; if the process dies here the next round
        // pushes the same events again, and the server skips them.
        store.acknowledge(&done.accepted).await?;
        let ok: HashSet<_> = done.accepted.iter().copied().collect();
        pushed.extend(
            batch
                .iter()
                .filter(|e| ok.contains(&e.id))
                .map(|e| e.ticket),
        );
        for (id, reason) in &done.refused {
            tracing::warn!(event = %id, "the server refused a change");
            store.refuse(*id, reason).await?;
            if let Some(e) = batch.iter().find(|e| e.id == *id) {
                refused_tickets.push(e.ticket);
            }
        }
        report.pushed += done.accepted.len();
        report.refused += done.refused.len();
    }
}

fn cursor(v: Option<String>) -> Result<Cursor> {
    v.map(|s| s.parse().map_err(Error::Refused))
        .transpose()
        .map(|c| c.unwrap_or_default())
}

async fn pull(
    store: &Store,
    server: &Server,
    refetch: &[TicketId],
    report: &mut Report,
) -> Result<()> {
    let mut pull = server.begin_pull().await?;
    let r = pull_in(store, &mut pull, refetch, report).await;
    let f = pull.finish().await;
    r.and(f)
}

async fn pull_in(
    store: &Store,
    pull: &mut Pull,
    refetch: &[TicketId],
    report: &mut Report,
) -> Result<()> {
    let directory = pull.directory().await?;
    let mut local: HashSet<TicketId> = store.ticket_ids().await?;
    // A new replica (or one whose first pull was cut short) fetches every
    // ticket it may see whole; the rounds after it read the log.
    let first = match store.sync_state(FIRST).await?.filter(|s| !s.is_empty()) {
        Some(end) => Some(cursor(Some(end))?),
        None if local.is_empty() && store.sync_state(CURSOR_EVENTS).await?.is_none() => {
            Some(pull.log_end().await?)
        }
        None => None,
    };
    if let Some(end) = first {
        first_pull(store, pull, &directory, end, &mut local, report).await?;
    }

    // Visibility changes first: drop what is gone, fetch what is new.
    let access_after = cursor(store.sync_state(CURSOR_ACCESS).await?)?;
    let (changes, access_last) = pull.access_changes(access_after).await?;
    let mut fetch: Vec<TicketId> = Vec::new();
    // A ticket with changes not yet pushed stays until the push had its say
    // (a ticket made here since the push is not on the server yet).
    let mut gone: Vec<TicketId> = Vec::new();
    if changes.iter().any(|c| c.is_none()) {
        let unpushed = store.tickets_with_outbox().await?;
        let visible: HashSet<TicketId> = pull.visible_ids().await?.into_iter().collect();
        gone = local
            .difference(&visible)
            .filter(|i| !unpushed.contains(i))
            .copied()
            .collect();
        fetch.extend(visible.difference(&local).copied());
    } else if !changes.is_empty() {
        let unpushed = store.tickets_with_outbox().await?;
        let ids: Vec<TicketId> = changes
            .iter()
            .flatten()
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let visible: HashSet<TicketId> = pull.visible_among(&ids).await?.into_iter().collect();
        gone = ids
            .iter()
            .filter(|i| !visible.contains(i) && local.contains(i) && !unpushed.contains(i))
            .copied()
            .collect();
        fetch.extend(
            ids.iter()
                .filter(|i| visible.contains(i) && !local.contains(i))
                .copied(),
        );
    }
    report.forgotten += store.forget_tickets(&gone).await?;
    for id in &gone {
        local.remove(id);
    }
    if !refetch.is_empty() {
        fetch.extend(pull.visible_among(refetch).await?);
    }
    fetch.retain(|id| !local.contains(id));
    fetch.sort();
    fetch.dedup();
    let history = if fetch.is_empty() {
        Vec::new()
    } else {
        pull.history(&fetch).await?
    };
    let mut cursors = Vec::new();
    if let Some(c) = access_last {
        cursors.push((CURSOR_ACCESS, c.to_string()));
    }
    if !refetch.is_empty() {
        // Fetched in this same transaction: nothing left to fetch again.
        cursors.push((REFETCH, "[]".to_string()));
    }
    local.extend(fetch.iter().copied());
    let applied = store
        .apply_pulled(Some(&directory), history, &cursors)
        .await?;
    report.pulled += applied.events;

    pull_log(store, pull, &mut local, report).await
}

/// Tickets whose whole history one request of a first pull brings.
const HISTORY_TICKETS: usize = 5_000;

/// The first pull of a new replica: the whole visible history of every
/// ticket the user may see in this snapshot, a batch of tickets at a time,
/// each ticket written once with all its events, as an import writes them
/// (reading the log instead wrote each ticket once per event: a firm's log
/// interleaves its tickets). Both cursors then start at the snapshot's end
/// of the log, `end`. The directory goes first, with `end`, so a first pull
/// cut short resumes in a later round: it fetches the tickets not yet here
/// (whole, in that round's snapshot), sets the cursors to the first
/// round's `end`, and the round reads the access log and the log after it
/// as any round does (events already here are skipped).
async fn first_pull(
    store: &Store,
    pull: &mut Pull,
    directory: &Directory,
    end: Cursor,
    local: &mut HashSet<TicketId>,
    report: &mut Report,
) -> Result<()> {
    store
        .apply_pulled(Some(directory), Vec::new(), &[(FIRST, end.to_string())])
        .await?;
    let ids: Vec<TicketId> = pull
        .visible_ids()
        .await?
        .into_iter()
        .filter(|i| !local.contains(i))
        .collect();
    let mut bulk = store.bulk_pull();
    let mut chunks = ids.chunks(HISTORY_TICKETS);
    let mut next = match chunks.next() {
        Some(c) => pull.history(c).await?,
        None => Vec::new(),
    };
    // Each batch is written while the next one is read from the server.
    loop {
        let events = std::mem::take(&mut next);
        let chunk = chunks.next();
        let (applied, fetched) = tokio::join!(bulk.apply(events, &[]), async {
            match chunk {
                Some(c) => pull.history(c).await.map(Some),
                None => Ok(None),
            }
        });
        report.pulled += applied?.events;
        match fetched? {
            Some(events) => next = events,
            None => break,
        }
    }
    local.extend(ids);
    let end = end.to_string();
    bulk.apply(
        Vec::new(),
        &[
            (CURSOR_EVENTS, end.clone()),
            (CURSOR_ACCESS, end),
            (FIRST, String::new()),
        ],
    )
    .await?;
    bulk.finish().await?;
    Ok(())
}

/// The log after the event cursor, page by page, each page with its
/// cursor; the next page is read from the server while this one is
/// written here. A replica far behind (a long time offline: a page comes
/// back full) reads the rest in big pages and writes them in bulk, many
/// pages per transaction.
async fn pull_log(
    store: &Store,
    pull: &mut Pull,
    local: &mut HashSet<TicketId>,
    report: &mut Report,
) -> Result<()> {
    let after = cursor(store.sync_state(CURSOR_EVENTS).await?)?;
    let mut size = PULL_PAGE;
    let mut bulk = None;
    let mut next = pull.page(after, size).await?;
    loop {
        let page = next;
        let Some(last) = page.last else { break };
        if bulk.is_none() && page.events.len() >= size as usize {
            bulk = Some(store.bulk_pull());
            size = BULK_PAGE;
        }
        let mut events = page.events;
        // A ticket this replica does not hold, whose creation is not in the
        // page: fetch its whole history (it became visible by an event the
        // access log will also report).
        let created: HashSet<TicketId> = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Created(_)))
            .map(|e| e.ticket)
            .collect();
        let missing: Vec<TicketId> = events
            .iter()
            .map(|e| e.ticket)
            .filter(|t| !local.contains(t) && !created.contains(t))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            let extra = pull.history(&missing).await?;
            let have: HashSet<_> = events.iter().map(|e| e.id).collect();
            events.extend(extra.into_iter().filter(|e| !have.contains(&e.id)));
        }
        local.extend(events.iter().map(|e| e.ticket));
        let cursors = [(CURSOR_EVENTS, last.to_string())];
        let (applied, fetched) = tokio::join!(
            async {
                match bulk.as_mut() {
                    Some(b) => b.apply(events, &cursors).await,
                    None => store.apply_pulled(None, events, &cursors).await,
                }
            },
            pull.page(last, size)
        );
        report.pulled += applied?.events;
        next = fetched?;
    }
    if let Some(b) = bulk {
        b.finish().await?;
    }
    Ok(())
}

/// Where the engine stands, for the status indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Not started yet.
    Starting,
    Syncing,
    Online {
        last: DateTime<Utc>,
    },
    Offline {
        since: DateTime<Utc>,
        reason: String,
    },
    /// The server refused the login: nothing is retried until signed in again.
    LoggedOut,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    #[serde(flatten)]
    pub state: SyncState,
    /// Local changes waiting for the server.
    pub pending: u64,
    /// Changes the server refused.
    pub refused: u64,
}

/// The background engine of the desktop app: a round at start, whenever
/// the server announces a change (LISTEN), whenever this PC wrote
/// something, and every 30 s; after a failure, retries with back-off.
pub type OnChange = Arc<dyn Fn(&Report) + Send + Sync>;

pub struct Syncer {
    wake: Arc<Notify>,
    status: Arc<Mutex<SyncState>>,
    stop: Arc<Notify>,
}

impl Syncer {
    /// Starts the engine; `on_change` is called after a round that changed
    /// this replica (pulled, removed or refused something).
    pub fn start(store: Store, server: Server, on_change: OnChange) -> Syncer {
        let wake = Arc::new(Notify::new());
        let stop = Arc::new(Notify::new());
        let status = Arc::new(Mutex::new(SyncState::Starting));
        let s = Syncer {
            wake: wake.clone(),
            status: status.clone(),
            stop: stop.clone(),
        };
        tokio::spawn(run(store, server, wake, status, stop, on_change));
        s
    }

    /// Asks for a round now (after a local write).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn state(&self) -> SyncState {
        self.status.lock().expect("status lock").clone()
    }

    pub fn stop(&self) {
        self.stop.notify_one();
    }
}

async fn run(
    store: Store,
    server: Server,
    wake: Arc<Notify>,
    status: Arc<Mutex<SyncState>>,
    stop: Arc<Notify>,
    on_change: OnChange,
) {
    let set = |s: SyncState| *status.lock().expect("status lock") = s;
    let mut backoff = Duration::from_secs(1);
    let mut listener: Option<sqlx::postgres::PgListener> = None;
    loop {
        if listener.is_none() {
            if let Ok(mut l) = sqlx::postgres::PgListener::connect_with(server.pool()).await {
                if l.listen("guichet").await.is_ok() {
                    listener = Some(l);
                }
            }
        }
        {
            let mut st = status.lock().expect("status lock");
            if !matches!(*st, SyncState::Offline { .. }) {
                *st = SyncState::Syncing;
            }
        }
        let wait = match sync_once(&store, &server).await {
            Ok(r) => {
                if r.pulled > 0 || r.forgotten > 0 || r.refused > 0 || r.downloaded > 0 {
                    on_change(&r);
                }
                if r != Report::default() {
                    tracing::info!(
                        pushed = r.pushed,
                        pulled = r.pulled,
                        refused = r.refused,
                        forgotten = r.forgotten,
                        uploaded = r.uploaded,
                        downloaded = r.downloaded,
                        files_waiting = r.files_waiting,
                        "sync round"
                    );
                }
                set(SyncState::Online { last: Utc::now() });
                backoff = Duration::from_secs(1);
                Duration::from_secs(30)
            }
            Err(Error::Login) => {
                set(SyncState::LoggedOut);
                return;
            }
            Err(e) => {
                tracing::warn!(code = e.code(), "sync round failed");
                let since = match &*status.lock().expect("status lock") {
                    SyncState::Offline { since, .. } => *since,
                    _ => Utc::now(),
                };
                set(SyncState::Offline {
                    since,
                    reason: e.code().to_string(),
                });
                listener = None;
                let w = backoff;
                backoff = (backoff * 2).min(Duration::from_secs(15));
                w
            }
        };
        let notified = async {
            match listener.as_mut() {
                // A notification, or the listening connection lost (the
                // round that follows finds out whether the server is gone).
                Some(l) => l.recv().await.is_ok(),
                None => std::future::pending::<bool>().await,
            }
        };
        let listening = tokio::select! {
            ok = notified => ok,
            _ = wake.notified() => true,
            _ = tokio::time::sleep(wait) => true,
            _ = stop.notified() => return,
        };
        if !listening {
            listener = None;
        }
    }
}
