//! Randomised convergence: four people (three in one team, one in
//! another), each with a replica of their own, write (tickets, edits,
//! comments, tags, watchers, links), go offline, come back, sync in full or
//! only push, write while a round runs, and lose their connection after the
//! server committed a push, between a push and its pull, or anywhere in a
//! round. Once everybody is back and synced until nothing changes:
//! 1. every replica is what a fresh replica of the same person is (tickets,
//!    events, comments);
//! 2. every comment the server did not refuse is on the server, once;
//! 3. the server holds each written and not refused event exactly once;
//! 4. every replica holding a ticket holds the same value of it;
//! 5. each staff member holds exactly the tickets the visibility rule gives
//!    them from the tickets' converged values.
//!
//! The steps come from a seeded PRNG (SplitMix64); each seed is printed.
//! `GUICHET_TEST_SEED=N` runs one seed again: the same choices, although
//! where a dropped connection lands in a round depends on timing, so a
//! replay can part from the original from there on. `GUICHET_TEST_SEEDS`
//! (default 6) and `GUICHET_TEST_STEPS` (default 60) explore more;
//! `GUICHET_TEST_VERBOSE=1` logs every step.
//!
//! The tests at the end reproduce, each on its own, what the random runs found.

mod common;

use common::*;
use guichet_domain::{
    Edit, Event, EventId, EventKind, LinkKind, Priority, Status, Ticket, TicketId, UserId,
    Visibility,
};
use guichet_store::Store;
use guichet_sync::{sync_once, Server};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------
// A small deterministic PRNG (SplitMix64).

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

// ---------------------------------------------------------------------
// The people and their PCs.

struct Client {
    short: &'static str,
    id: UserId,
    lead: bool,
    store: Store,
    server: Server,
    /// Cuts connections after a COMMIT, or all at once.
    proxy: Arc<Proxy>,
    /// In front of the proxy: holds or cuts the start of a pull.
    gate: Gate,
    online: bool,
}

/// What happened during a run, for the report and the final checks.
#[derive(Default)]
struct Stats {
    writes: usize,
    refused_locally: usize,
    syncs: usize,
    push_only: usize,
    during_round: usize,
    pull_cut: usize,
    cuts: usize,
    drops: usize,
    offline_errors: usize,
    membership_changes: usize,
}

struct World {
    db: TestDb,
    rng: Rng,
    clients: Vec<Client>,
    /// Every user by short name.
    users: BTreeMap<&'static str, UserId>,
    tax: guichet_domain::TeamId,
    audit: guichet_domain::TeamId,
    zoe_in_tax: bool,
    /// Tickets in creation order (choices index this, not a hash set).
    tickets: Vec<TicketId>,
    /// Every event any replica wrote, with its writer (index into clients).
    written: HashMap<EventId, (usize, Event)>,
    /// Every comment written: (writer, event).
    comments: Vec<(usize, EventId)>,
    stats: Stats,
    counter: usize,
    /// The step running, for the log.
    step_no: usize,
}

const STAFF: &[&str] = &["ann", "bob", "zoe"];

impl World {
    async fn new(seed: u64, tmp: &std::path::Path) -> World {
        let mut db = TestDb::new().await;
        let mut users = BTreeMap::new();
        for (short, role) in [
            ("ann", "staff"),
            ("bob", "staff"),
            ("lea", "lead"),
            ("zoe", "staff"),
        ] {
            users.insert(short, db.user(short, role).await.id);
        }
        db.team("Tax", &["ann", "bob", "lea"]).await;
        db.team("Audit", &["zoe"]).await;
        let mut clients = Vec::new();
        for short in ["ann", "bob", "lea", "zoe"] {
            let (store, direct) = db.replica(short, tmp.join(short)).await;
            direct.close().await;
            let proxy = Arc::new(Proxy::start().await);
            let gate = Gate::start(format!("127.0.0.1:{}", proxy.port)).await;
            let server = server_via_gate(&db, short, &gate).await;
            clients.push(Client {
                short,
                id: users[short],
                lead: short == "lea",
                store,
                server,
                proxy,
                gate,
                online: true,
            });
        }
        let tax = clients[0].store.team("Tax").await.unwrap().id;
        let audit = clients[0].store.team("Audit").await.unwrap().id;
        World {
            db,
            rng: Rng(seed),
            clients,
            users,
            tax,
            audit,
            zoe_in_tax: false,
            tickets: Vec::new(),
            written: HashMap::new(),
            comments: Vec::new(),
            stats: Stats::default(),
            counter: 0,
            step_no: 0,
        }
    }

    /// Records what a client's outbox holds: right after a write, that is
    /// every event the write made.
    async fn record_outbox(&mut self, c: usize) {
        for e in self.clients[c].store.outbox(100_000).await.unwrap() {
            if !self.written.contains_key(&e.id) {
                let what = match &e.kind {
                    EventKind::Changed(ch) => format!("{ch:?}"),
                    EventKind::Commented { body, .. } => format!("comment '{body}'"),
                    k => k.name().to_string(),
                };
                let t = e.ticket.to_string();
                log(
                    self.step_no,
                    self.clients[c].short,
                    &format!("writes on …{}: {what}", &t[t.len() - 6..]),
                );
                self.written.insert(e.id, (c, e));
            }
        }
    }

    /// The tickets a client holds, in creation order.
    async fn local_tickets(&self, c: usize) -> Vec<TicketId> {
        let have = self.clients[c].store.ticket_ids().await.unwrap();
        self.tickets
            .iter()
            .copied()
            .filter(|t| have.contains(t))
            .collect()
    }

    async fn step(&mut self, n: usize) {
        self.step_no = n;
        let c = self.rng.below(self.clients.len());
        let roll = self.rng.below(100);
        match roll {
            0..=54 => self.write(c).await,
            55..=61 => {
                let cl = &mut self.clients[c];
                cl.online = !cl.online;
                log(n, cl.short, if cl.online { "online" } else { "offline" });
            }
            62..=63 => self.toggle_membership(n).await,
            _ if !self.clients[c].online => self.write(c).await,
            64..=75 => {
                self.stats.syncs += 1;
                let r = sync_once(&self.clients[c].store, &self.clients[c].server).await;
                self.expect_offline(n, c, "sync", r.map(drop));
            }
            76..=80 => self.push_only(n, c).await,
            81..=86 => self.write_during_round(n, c).await,
            87..=89 => {
                // The round ends between its push and its pull.
                self.stats.pull_cut += 1;
                self.clients[c].gate.arm(GateMode::Cut);
                let r = sync_once(&self.clients[c].store, &self.clients[c].server).await;
                self.clients[c].gate.disarm();
                self.expect_offline(n, c, "sync cut before its pull", r.map(drop));
            }
            90..=94 => {
                // The server commits the push, the client never hears it.
                self.stats.cuts += 1;
                self.clients[c].proxy.cut_after_next_commit();
                let r = sync_once(&self.clients[c].store, &self.clients[c].server).await;
                self.expect_offline(n, c, "sync cut after commit", r.map(drop));
            }
            _ => {
                // Every connection dropped at some point during the round.
                self.stats.drops += 1;
                let delay = self.rng.below(40) as u64;
                let proxy = self.clients[c].proxy.clone();
                let cutter = tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    proxy.drop_all();
                });
                let r = sync_once(&self.clients[c].store, &self.clients[c].server).await;
                cutter.await.unwrap();
                self.expect_offline(n, c, "sync with connections dropped", r.map(drop));
            }
        }
    }

    fn expect_offline(&mut self, n: usize, c: usize, what: &str, r: guichet_sync::Result<()>) {
        match r {
            Ok(()) => log(n, self.clients[c].short, what),
            Err(e) if e.is_offline() => {
                self.stats.offline_errors += 1;
                log(n, self.clients[c].short, &format!("{what}: offline ({e})"));
            }
            Err(e) => panic!(
                "step {n}: {what} of {} failed with a non-network error: {e:?}",
                self.clients[c].short
            ),
        }
    }

    /// A round during which the PC writes: after the push, before the pull.
    async fn write_during_round(&mut self, n: usize, c: usize) {
        self.stats.during_round += 1;
        let (store, server) = (
            self.clients[c].store.clone(),
            self.clients[c].server.clone(),
        );
        self.clients[c].gate.arm(GateMode::Hold);
        let held = self.clients[c].gate.held.clone();
        let sync = sync_once(&store, &server);
        tokio::pin!(sync);
        let r = tokio::select! {
            r = &mut sync => r,
            _ = held.notified() => {
                let writes = 1 + self.rng.below(2);
                for _ in 0..writes {
                    self.write(c).await;
                }
                log(n, self.clients[c].short, &format!("{writes} write(s) while the round waits before its pull"));
                self.clients[c].gate.release.notify_one();
                sync.await
            }
        };
        self.clients[c].gate.disarm();
        self.expect_offline(n, c, "sync with writes during the round", r.map(drop));
    }

    /// The push half of a round, as if the PC died before pulling (and,
    /// sometimes, before it could write down the acknowledgement).
    async fn push_only(&mut self, n: usize, c: usize) {
        self.stats.push_only += 1;
        let ack = self.rng.chance(70);
        let cl = &self.clients[c];
        let batch = cl.store.outbox(500).await.unwrap();
        if batch.is_empty() {
            return;
        }
        match cl.server.push(&batch).await {
            Ok(done) => {
                if ack {
                    cl.store.acknowledge(&done.accepted).await.unwrap();
                }
                log(
                    n,
                    cl.short,
                    &format!(
                        "push only: {} accepted, {} refused{}",
                        done.accepted.len(),
                        done.refused.len(),
                        if ack { "" } else { ", acknowledgement lost" }
                    ),
                );
            }
            Err(e) if e.is_offline() => {
                self.stats.offline_errors += 1;
                log(n, cl.short, &format!("push only: offline ({e})"));
            }
            Err(e) => panic!("step {n}: push of {} failed: {e:?}", cl.short),
        }
    }

    /// The administrator moves zoe into the Tax team or out of it.
    async fn toggle_membership(&mut self, n: usize) {
        self.stats.membership_changes += 1;
        self.zoe_in_tax = !self.zoe_in_tax;
        guichet_sync::admin::set_member(
            &self.db.admin_pool,
            "Tax",
            &self.db.login("zoe"),
            self.zoe_in_tax,
        )
        .await
        .unwrap();
        log(
            n,
            "admin",
            if self.zoe_in_tax {
                "zoe joins Tax"
            } else {
                "zoe leaves Tax"
            },
        );
    }

    /// One local change by client `c` (whether online or not: no sync).
    async fn write(&mut self, c: usize) {
        self.counter += 1;
        let k = self.counter;
        let held = self.local_tickets(c).await;
        let me = self.clients[c].id;
        let store = self.clients[c].store.clone();
        let create = held.is_empty() || (self.tickets.len() < 8 && self.rng.chance(20));
        if create {
            // Staff open tickets for their own team (a ticket of another
            // team would not be theirs to see); zoe's go to Audit.
            let team = if self.clients[c].short == "zoe" {
                "Audit"
            } else {
                "Tax"
            };
            let t = new_ticket(&store, &format!("ticket {k}"), Some(team)).await;
            self.tickets.push(t.id);
            self.stats.writes += 1;
            self.record_outbox(c).await;
            return;
        }
        let t = self.rng.pick(&held);
        let key = t.to_string();
        let ticket = store.ticket(&key).await.unwrap();
        let op = self.rng.below(100);
        let r: guichet_store::Result<()> = match op {
            0..=9 => store
                .edit_ticket(me, &key, vec![Edit::Title(format!("title {k}"))])
                .await
                .map(drop),
            10..=19 => {
                let p = self.rng.pick(Priority::ALL);
                store
                    .edit_ticket(me, &key, vec![Edit::Priority(p)])
                    .await
                    .map(drop)
            }
            20..=33 => {
                let s = self.rng.pick(Status::ALL);
                store
                    .edit_ticket(me, &key, vec![Edit::Status(s)])
                    .await
                    .map(drop)
            }
            34..=45 => {
                // Staff assign within the ticket's team (as they know it),
                // or to themselves; a lead assigns to anybody.
                let mut choices: Vec<Option<UserId>> = vec![None, Some(me)];
                if self.clients[c].lead {
                    choices.extend(self.users.values().map(|u| Some(*u)));
                } else if let Some(team) = ticket.team {
                    let teams = store.teams().await.unwrap();
                    if let Some(t) = teams.iter().find(|t| t.id == team) {
                        choices.extend(t.members.iter().map(|u| Some(*u)));
                    }
                }
                let a = self.rng.pick(&choices);
                store
                    .edit_ticket(me, &key, vec![Edit::Assignee(a)])
                    .await
                    .map(drop)
            }
            46..=50 => {
                let team = if ticket.team == Some(self.tax) {
                    self.audit
                } else {
                    self.tax
                };
                store
                    .edit_ticket(me, &key, vec![Edit::Team(Some(team))])
                    .await
                    .map(drop)
            }
            51..=72 => {
                let vis = if self.rng.chance(50) {
                    Visibility::Reply
                } else {
                    Visibility::Internal
                };
                let r = store
                    .comment(
                        me,
                        &key,
                        vis,
                        &format!("note {k} by {}", self.clients[c].short),
                    )
                    .await;
                if let Ok(e) = &r {
                    self.comments.push((c, e.id));
                }
                r.map(drop)
            }
            73..=84 => {
                let tag = self.rng.pick(&["vat", "payroll", "audit-2026"]);
                let add = self.rng.chance(55);
                store.tag(me, &key, add, tag).await.map(drop)
            }
            85..=94 => {
                // Mostly zoe: outside Tax, watching is what shows her a ticket.
                let who = self.rng.pick(&["ann", "bob", "lea", "zoe", "zoe", "zoe"]);
                let add = self.rng.chance(55);
                store.watch(me, &key, add, self.users[who]).await.map(drop)
            }
            _ => {
                let other = self.rng.pick(&held);
                let add = self.rng.chance(60);
                if other == t {
                    Ok(())
                } else {
                    store
                        .link(me, &key, LinkKind::Related, &other.to_string(), add)
                        .await
                        .map(drop)
                }
            }
        };
        match r {
            Ok(()) => self.stats.writes += 1,
            // The workflow refused a status move, or the like: skipped.
            Err(guichet_store::Error::Invalid(_)) => self.stats.refused_locally += 1,
            Err(e) => panic!("a local write failed: {e:?}"),
        }
        self.record_outbox(c).await;
    }

    /// Everybody online, syncing until a whole round changes nothing.
    async fn settle(&mut self) {
        for c in &mut self.clients {
            c.online = true;
        }
        for round in 0..10 {
            let mut changed = false;
            for c in &self.clients {
                let mut tries = 0;
                let report = loop {
                    match sync_once(&c.store, &c.server).await {
                        Ok(r) => break r,
                        Err(e) if e.is_offline() && tries < 10 => tries += 1,
                        Err(e) => panic!("final sync of {} failed: {e:?}", c.short),
                    }
                };
                if report != guichet_sync::Report::default() {
                    changed = true;
                }
            }
            if !changed {
                eprintln!("  settled after {} rounds", round + 1);
                return;
            }
        }
        panic!("replicas still change after 10 rounds of syncing everybody");
    }
}

fn log(n: usize, who: &str, what: &str) {
    if std::env::var_os("GUICHET_TEST_VERBOSE").is_some() {
        eprintln!("  [{n:3}] {who}: {what}");
    }
}

// ---------------------------------------------------------------------
// A gate in front of a server connection: it lets everything through, but
// when armed it holds (or cuts) the connection that starts a pull
// (`BEGIN ISOLATION LEVEL REPEATABLE READ`), that is right after the push
// half of a round. Holding lets the test write on the PC while the round
// runs, as the desktop app does (its engine syncs in the background);
// cutting ends the round between its push and its pull.

#[derive(Debug, Clone, Copy, PartialEq)]
enum GateMode {
    Open,
    Hold,
    Cut,
}

struct Gate {
    port: u16,
    mode: Arc<std::sync::Mutex<GateMode>>,
    held: Arc<tokio::sync::Notify>,
    release: Arc<tokio::sync::Notify>,
}

const PULL_START: &[u8] = b"REPEATABLE READ";

impl Gate {
    async fn start(upstream: String) -> Gate {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(std::sync::Mutex::new(GateMode::Open));
        let held = Arc::new(tokio::sync::Notify::new());
        let release = Arc::new(tokio::sync::Notify::new());
        let (mode2, held2, release2) = (mode.clone(), held.clone(), release.clone());
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                    continue;
                };
                let (mode, held, release) = (mode2.clone(), held2.clone(), release2.clone());
                tokio::spawn(async move {
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let up = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if buf[..n].windows(PULL_START.len()).any(|w| w == PULL_START) {
                                let m =
                                    std::mem::replace(&mut *mode.lock().unwrap(), GateMode::Open);
                                match m {
                                    GateMode::Open => {}
                                    GateMode::Cut => return,
                                    GateMode::Hold => {
                                        held.notify_one();
                                        release.notified().await;
                                    }
                                }
                            }
                            if sw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    let down = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match sr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if cw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    tokio::select! { _ = up => {}, _ = down => {} }
                });
            }
        });
        Gate {
            port,
            mode,
            held,
            release,
        }
    }

    fn arm(&self, m: GateMode) {
        *self.mode.lock().unwrap() = m;
    }

    /// Disarms; true when the armed gate was never reached.
    fn disarm(&self) -> bool {
        std::mem::replace(&mut *self.mode.lock().unwrap(), GateMode::Open) != GateMode::Open
    }
}

/// A user's server connection through a gate, itself in front of `upstream`
/// (a cutting [`Proxy`], or the database).
async fn server_via_gate(db: &TestDb, short: &str, gate: &Gate) -> Server {
    Server::connect_with(db.options_as(short).host("127.0.0.1").port(gate.port))
        .await
        .expect("server connects through the gate")
}

fn database_addr() -> String {
    let o: sqlx::postgres::PgConnectOptions = server_url().parse().unwrap();
    format!("{}:{}", o.get_host(), o.get_port())
}

// ---------------------------------------------------------------------
// What a replica holds, in a form that compares.

#[derive(Debug, PartialEq)]
struct Snapshot {
    tickets: BTreeMap<TicketId, Ticket>,
    events: Vec<Event>,
    /// Per ticket, its comments as (event id, visibility, body, author), by id.
    comments: BTreeMap<TicketId, Vec<(String, Visibility, String, String)>>,
}

async fn snapshot(store: &Store) -> Snapshot {
    let mut tickets = BTreeMap::new();
    let mut comments = BTreeMap::new();
    for id in store.ticket_ids().await.unwrap() {
        let key = id.to_string();
        tickets.insert(id, store.ticket(&key).await.unwrap());
        let mut cs: Vec<_> = store
            .comments(&key)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.event_id, c.visibility, c.body, c.author))
            .collect();
        cs.sort();
        comments.insert(id, cs);
    }
    Snapshot {
        tickets,
        events: store.all_events().await.unwrap(),
        comments,
    }
}

/// Which fields of two snapshots differ, for a readable failure.
fn diff(old: &Snapshot, fresh: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    let a: BTreeSet<_> = old.tickets.keys().collect();
    let b: BTreeSet<_> = fresh.tickets.keys().collect();
    for t in a.difference(&b) {
        out.push(format!("ticket {t} only in the old replica"));
    }
    for t in b.difference(&a) {
        out.push(format!("ticket {t} only in the fresh replica"));
    }
    for t in a.intersection(&b) {
        if old.tickets[t] != fresh.tickets[t] {
            out.push(format!(
                "ticket {t} differs:\n    old:   {:?}\n    fresh: {:?}",
                old.tickets[t], fresh.tickets[t]
            ));
        }
        if old.comments[t] != fresh.comments[t] {
            out.push(format!(
                "comments of {t} differ:\n    old:   {:?}\n    fresh: {:?}",
                old.comments[t], fresh.comments[t]
            ));
        }
    }
    let ea: BTreeSet<_> = old.events.iter().map(|e| e.id).collect();
    let eb: BTreeSet<_> = fresh.events.iter().map(|e| e.id).collect();
    for e in ea.difference(&eb) {
        let ev = old.events.iter().find(|x| x.id == *e).unwrap();
        out.push(format!("event only in the old replica: {ev:?}"));
    }
    for e in eb.difference(&ea) {
        let ev = fresh.events.iter().find(|x| x.id == *e).unwrap();
        out.push(format!("event only in the fresh replica: {ev:?}"));
    }
    if out.is_empty() && old.events != fresh.events {
        out.push("the same events, but not equal (order or content)".into());
    }
    out
}

// ---------------------------------------------------------------------

async fn run_seed(seed: u64, steps: usize) -> Vec<String> {
    let started = Instant::now();
    eprintln!("convergence: seed {seed} ({steps} steps; rerun with GUICHET_TEST_SEED={seed})");
    let tmp = tempfile::tempdir().unwrap();
    let mut w = World::new(seed, tmp.path()).await;
    for n in 0..steps {
        w.step(n).await;
    }
    w.settle().await;
    let mut failures: Vec<String> = Vec::new();

    // (1) Every replica is what a fresh replica of the same person is.
    let mut olds = Vec::new();
    for (i, c) in w.clients.iter().enumerate() {
        assert_eq!(
            c.store.outbox_len().await.unwrap(),
            0,
            "{}: the outbox is empty once synced",
            c.short
        );
        c.store.check_integrity().await.unwrap();
        let old = snapshot(&c.store).await;
        let (fresh_store, fresh_srv) =
            w.db.replica(c.short, tmp.path().join(format!("fresh-{i}")))
                .await;
        let fresh = snapshot(&fresh_store).await;
        fresh_srv.close().await;
        fresh_store.close().await;
        for (id, cs) in &old.comments {
            let ids: HashSet<_> = cs.iter().map(|c| &c.0).collect();
            if ids.len() != cs.len() || cs.len() != old.tickets[id].comments as usize {
                failures.push(format!(
                    "{}: ticket {id} counts {} comments, lists {} ({} distinct)",
                    c.short,
                    old.tickets[id].comments,
                    cs.len(),
                    ids.len()
                ));
            }
        }
        for d in diff(&old, &fresh) {
            failures.push(format!("{} vs a fresh replica: {d}", c.short));
        }
        olds.push(old);
    }

    // Events on the server, as the administrator sees them (all of them).
    let (total, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT id) FROM guichet.events")
            .fetch_one(&w.db.admin_pool)
            .await
            .unwrap();
    let on_server: HashSet<EventId> =
        sqlx::query_scalar::<_, String>("SELECT id::text FROM guichet.events")
            .fetch_all(&w.db.admin_pool)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.parse().unwrap())
            .collect();
    let server_ticket_ids: HashSet<TicketId> =
        sqlx::query_scalar::<_, String>("SELECT id::text FROM guichet.tickets")
            .fetch_all(&w.db.admin_pool)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.parse().unwrap())
            .collect();
    // Where a lost event's ticket stands, to tell the ways of losing apart.
    let whereabouts = |c: usize, e: &Event| {
        format!(
            "(its ticket is {} the server; {} holds it now)",
            if server_ticket_ids.contains(&e.ticket) {
                "on"
            } else {
                "NOT on"
            },
            if olds[c].tickets.contains_key(&e.ticket) {
                w.clients[c].short.to_string()
            } else {
                format!("not even {}", w.clients[c].short)
            }
        )
    };
    let mut refused: HashSet<EventId> = HashSet::new();
    let mut refused_by: Vec<usize> = vec![0; w.clients.len()];
    for (i, c) in w.clients.iter().enumerate() {
        for (id, _) in c.store.refused().await.unwrap() {
            refused.insert(id);
            refused_by[i] += 1;
        }
    }

    // (2) No comment lost: each one not refused is on the server, once.
    let mut comments_ok = 0;
    for (c, id) in &w.comments {
        if refused.contains(id) {
            continue;
        }
        if on_server.contains(id) {
            comments_ok += 1;
        } else {
            let (_, e) = &w.written[id];
            failures.push(format!(
                "comment lost: written by {} on ticket {}, neither on the server nor refused {}: {:?}",
                w.clients[*c].short,
                e.ticket,
                whereabouts(*c, e),
                e.kind
            ));
        }
    }

    // (3) Nothing applied twice, nothing accepted lost, nothing extra.
    if total != distinct {
        failures.push(format!(
            "server: {total} events but {distinct} distinct ids"
        ));
    }
    let expected: HashSet<EventId> = w
        .written
        .keys()
        .filter(|id| !refused.contains(id))
        .copied()
        .collect();
    for id in expected.difference(&on_server) {
        let (c, e) = &w.written[id];
        failures.push(format!(
            "event lost: written by {}, neither on the server nor refused {}: {e:?}",
            w.clients[*c].short,
            whereabouts(*c, e)
        ));
    }
    for id in on_server.difference(&expected) {
        let what = if refused.contains(id) {
            "refused to its writer yet on the server"
        } else {
            "on the server but written by nobody"
        };
        failures.push(format!("event {id}: {what}"));
    }
    if total as usize != expected.len() {
        failures.push(format!(
            "server holds {total} events, {} were written and not refused",
            expected.len()
        ));
    }

    // (4) The lead sees every ticket: every replica holding a ticket holds
    // the lead's value of it, and the lead holds every ticket there is.
    let lea = w.clients.iter().position(|c| c.lead).unwrap();
    let server_tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM guichet.tickets")
        .fetch_one(&w.db.admin_pool)
        .await
        .unwrap();
    if olds[lea].tickets.len() as i64 != server_tickets {
        failures.push(format!(
            "the lead holds {} tickets, the server {server_tickets}",
            olds[lea].tickets.len()
        ));
    }
    for (i, s) in olds.iter().enumerate() {
        for (id, t) in &s.tickets {
            match olds[lea].tickets.get(id) {
                Some(l) if l == t => {}
                Some(l) => failures.push(format!(
                    "ticket {id}: {} and the lead disagree:\n    {}: {t:?}\n    lead: {l:?}",
                    w.clients[i].short, w.clients[i].short
                )),
                None => failures.push(format!(
                    "ticket {id} is held by {} but not by the lead",
                    w.clients[i].short
                )),
            }
        }
    }

    // (5) Each staff member holds exactly the tickets the visibility rule
    // gives them from the tickets' converged values: assignee, team member
    // or watcher (no requesters, no confidential categories here).
    let mut members: HashMap<guichet_domain::TeamId, HashSet<UserId>> = HashMap::new();
    members.insert(
        w.tax,
        ["ann", "bob", "lea"]
            .iter()
            .map(|s| w.users[s])
            .chain(w.zoe_in_tax.then(|| w.users["zoe"]))
            .collect(),
    );
    members.insert(w.audit, [w.users["zoe"]].into_iter().collect());
    for (i, c) in w.clients.iter().enumerate() {
        if !STAFF.contains(&c.short) {
            continue;
        }
        for (id, t) in &olds[lea].tickets {
            let should = t.assignee == Some(c.id)
                || t.team
                    .and_then(|team| members.get(&team))
                    .is_some_and(|m| m.contains(&c.id))
                || t.watchers.contains(&c.id);
            let holds = olds[i].tickets.contains_key(id);
            if should != holds {
                failures.push(format!(
                    "ticket {id} ({}): {} {} it, but the rule says {} (assignee {:?}, team {:?}, watchers {:?})",
                    t.reference,
                    c.short,
                    if holds { "holds" } else { "does not hold" },
                    if should { "visible" } else { "not visible" },
                    t.assignee,
                    t.team,
                    t.watchers
                ));
            }
        }
    }

    let s = &w.stats;
    eprintln!(
        "  seed {seed}: {} tickets, {} events on the server ({} written, {} refused by the server: {:?}), \
         {comments_ok} comments checked; {} local writes ({} refused locally), {} syncs, {} push-only, \
         {} with writes mid-round, {} cut before the pull, {} cut after commit, {} dropped, {} offline errors, {} membership changes; {:.1?}",
        w.tickets.len(),
        total,
        w.written.len(),
        refused.len(),
        refused_by,
        s.writes,
        s.refused_locally,
        s.syncs,
        s.push_only,
        s.during_round,
        s.pull_cut,
        s.cuts,
        s.drops,
        s.offline_errors,
        s.membership_changes,
        started.elapsed()
    );
    for c in &w.clients {
        c.server.close().await;
        c.store.close().await;
    }
    w.db.drop().await;
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_offline_work_faults_and_partial_syncs_converge() {
    let steps = env_u64("GUICHET_TEST_STEPS").unwrap_or(60) as usize;
    let seeds: Vec<u64> = match env_u64("GUICHET_TEST_SEED") {
        Some(s) => vec![s],
        None => {
            let base = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64
                % 1_000_000;
            let n = env_u64("GUICHET_TEST_SEEDS").unwrap_or(6);
            (0..n).map(|i| base * 10 + i).collect()
        }
    };
    let mut failed = Vec::new();
    for seed in seeds {
        let failures = run_seed(seed, steps).await;
        if !failures.is_empty() {
            eprintln!(
                "seed {seed}: {} problem(s):\n  {}",
                failures.len(),
                failures.join("\n  ")
            );
            failed.push(seed);
        }
    }
    assert!(
        failed.is_empty(),
        "seeds that did not converge: {failed:?} (rerun one with GUICHET_TEST_SEED=N GUICHET_TEST_VERBOSE=1)"
    );
}

// ---------------------------------------------------------------------
// What the random runs found, each on its own.

/// The desktop app writes while its engine syncs: a ticket created after
/// the round pushed and before it pulled is not on the server yet. When
/// the pull reconciles everybody's visibility (a team's membership
/// changed), that ticket must not be taken for one the user lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_created_while_a_round_runs_survives_a_membership_change() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.team("Tax", &["ann"]).await;
    db.team("Audit", &["bob"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, direct) = db.replica("ann", tmp.path().join("ann")).await;
    direct.close().await;
    let gate = Gate::start(database_addr()).await;
    let srv = server_via_gate(&db, "ann", &gate).await;
    guichet_sync::admin::set_member(&db.admin_pool, "Audit", &db.login("ann"), true)
        .await
        .unwrap();

    gate.arm(GateMode::Hold);
    let sync = sync_once(&ann, &srv);
    tokio::pin!(sync);
    let mut written = None;
    let r = tokio::select! {
        r = &mut sync => r,
        _ = gate.held.notified() => {
            let t = new_ticket(&ann, "Written during a round", Some("Tax")).await;
            let me = ann.local_user().await.unwrap();
            ann.comment(me, &t.id.to_string(), Visibility::Reply, "Not lost, please")
                .await
                .unwrap();
            written = Some(t);
            gate.release.notify_one();
            sync.await
        }
    };
    r.unwrap();
    let t = written.expect("the round waited at its pull");
    sync_once(&ann, &srv).await.unwrap();

    let on_server: i64 = sqlx::query_scalar("SELECT count(*) FROM guichet.events")
        .fetch_one(&db.admin_pool)
        .await
        .unwrap();
    let kept = ann.ticket(&t.id.to_string()).await.is_ok();
    let refused = ann.refused().await.unwrap();
    srv.close().await;
    db.drop().await;
    assert!(
        kept,
        "the ticket written during the round is still on the PC (refused: {refused:?})"
    );
    assert_eq!(on_server, 2, "the ticket and its reply reached the server");
}

/// A refused change makes the round drop the ticket and fetch it again as
/// the server has it. If the round is cut between the two, the next round
/// must still bring the ticket back: the user may see it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_dropped_for_a_refused_change_comes_back_after_a_cut_round() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("zoe", "staff").await;
    db.team("Tax", &["ann"]).await;
    db.team("Audit", &["zoe"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let (zoe, direct) = db.replica("zoe", tmp.path().join("zoe")).await;
    direct.close().await;
    let gate = Gate::start(database_addr()).await;
    let zoe_srv = server_via_gate(&db, "zoe", &gate).await;

    // Ann's ticket, which zoe watches: zoe sees it, but is not in its team.
    let t = new_ticket(&ann, "Watched from another team", Some("Tax")).await;
    let zoe_id = zoe.local_user().await.unwrap();
    let ann_id = ann.local_user().await.unwrap();
    ann.watch(ann_id, &t.id.to_string(), true, zoe_id)
        .await
        .unwrap();
    sync_once(&ann, &ann_srv).await.unwrap();
    sync_once(&zoe, &zoe_srv).await.unwrap();
    assert!(
        zoe.ticket(&t.id.to_string()).await.is_ok(),
        "zoe watches it"
    );

    // Zoe moves it to her team: the server refuses (not a member of Tax).
    let audit = zoe.team("Audit").await.unwrap().id;
    zoe.edit_ticket(zoe_id, &t.id.to_string(), vec![Edit::Team(Some(audit))])
        .await
        .unwrap();
    gate.arm(GateMode::Cut);
    let err = sync_once(&zoe, &zoe_srv)
        .await
        .expect_err("the round is cut before its pull");
    assert!(err.is_offline(), "{err:?}");
    assert!(!gate.disarm(), "the gate was reached");
    assert_eq!(
        zoe.refused().await.unwrap().len(),
        1,
        "the move was refused"
    );
    sync_once(&zoe, &zoe_srv).await.unwrap();

    let back = zoe.ticket(&t.id.to_string()).await;
    let expected = ann.ticket(&t.id.to_string()).await.unwrap();
    ann_srv.close().await;
    zoe_srv.close().await;
    db.drop().await;
    assert_eq!(
        back.ok(),
        Some(expected),
        "zoe still watches the ticket: after a complete round she holds it as the server has it"
    );
}

/// Replicas order a ticket's watcher changes by clock; the server's
/// visibility must follow the same order, or a person is listed as a
/// watcher on every PC yet cannot see the ticket (or the reverse).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_watcher_changes_leave_the_server_and_the_replicas_agreeing() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.user("zoe", "staff").await;
    db.team("Tax", &["ann", "bob"]).await;
    db.team("Audit", &["zoe"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let (bob, bob_srv) = db.replica("bob", tmp.path().join("bob")).await;
    let (zoe, zoe_srv) = db.replica("zoe", tmp.path().join("zoe")).await;
    let ann_id = ann.local_user().await.unwrap();
    let bob_id = bob.local_user().await.unwrap();
    let zoe_id = zoe.local_user().await.unwrap();
    let t = new_ticket(&ann, "Who watches?", Some("Tax")).await;
    let key = t.id.to_string();
    ann.watch(ann_id, &key, true, zoe_id).await.unwrap();
    sync_once(&ann, &ann_srv).await.unwrap();
    sync_once(&bob, &bob_srv).await.unwrap();

    // Ann, offline, stops zoe watching; a moment later bob does the same
    // and then has zoe watch again, and syncs first.
    ann.watch(ann_id, &key, false, zoe_id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    bob.watch(bob_id, &key, false, zoe_id).await.unwrap();
    bob.watch(bob_id, &key, true, zoe_id).await.unwrap();
    sync_once(&bob, &bob_srv).await.unwrap();
    sync_once(&ann, &ann_srv).await.unwrap();
    sync_once(&bob, &bob_srv).await.unwrap();
    sync_once(&zoe, &zoe_srv).await.unwrap();

    let a = ann.ticket(&key).await.unwrap();
    let b = bob.ticket(&key).await.unwrap();
    let mut c = db.psql("zoe").await;
    let server_says: bool = sqlx::query_scalar("SELECT guichet.can_see($1::uuid)")
        .bind(&key)
        .fetch_one(&mut c)
        .await
        .unwrap();
    let zoe_holds = zoe.ticket(&key).await.is_ok();
    ann_srv.close().await;
    bob_srv.close().await;
    zoe_srv.close().await;
    db.drop().await;
    assert_eq!(a, b, "ann and bob agree");
    assert!(
        a.watchers.contains(&zoe_id),
        "by clock, bob's add is the last word: zoe watches"
    );
    assert!(
        server_says && zoe_holds,
        "zoe is a watcher on every replica, so she sees the ticket (server: {server_says}, her PC: {zoe_holds})"
    );
}
