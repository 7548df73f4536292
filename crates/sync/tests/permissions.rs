//! The permission matrix seen from a plain client: each person connects
//! with their own login and password, as they could with psql, and writes
//! raw SQL. Whatever lies outside their rights must be refused by the
//! database itself (a permission error, or rows that are simply not there),
//! and what lies within must work.

mod common;

use common::*;
use guichet_domain::{NewTicket, Party, UserId, Visibility};
use guichet_sync::{admin, sync_once};
use serde_json::{json, Value};
use sqlx::{ConnectOptions, PgConnection};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;

/// insufficient_privilege: what PostgreSQL and `guichet.deny` raise.
const DENIED: &str = "42501";

// ---------------------------------------------------------------------
// Event payloads, written by hand as an attacker would.

/// The next clock value (12-8-8 hex), increasing through the run so that
/// every change is the latest writer of its field.
fn hlc() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let millis = chrono::Utc::now().timestamp_millis() as u64;
    let counter = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{millis:012x}-{counter:08x}-{:08x}", 0xfeed)
}

fn reference() -> String {
    static NUMBER: AtomicU32 = AtomicU32::new(0);
    format!("ZZZZ-{}", NUMBER.fetch_add(1, Ordering::SeqCst) + 1)
}

fn user_party(id: Uuid) -> Value {
    json!({ "kind": "user", "id": id })
}

fn created(
    category: &str,
    team: Option<Uuid>,
    assignee: Option<Uuid>,
    requester: Option<Value>,
) -> Value {
    json!({
        "type": "created", "reference": reference(), "title": "A ticket", "description": "",
        "category": category, "priority": "normal", "status": "open", "assignee": assignee,
        "team": team, "requester": requester, "matter": null, "due": null, "tags": [],
    })
}

fn reply(body: &str) -> Value {
    json!({ "type": "commented", "visibility": "reply", "body": body })
}

fn note(body: &str) -> Value {
    json!({ "type": "commented", "visibility": "internal", "body": body })
}

fn change(field: &str, old: Value, new: Value) -> Value {
    json!({ "type": "changed", "field": field, "old": old, "new": new })
}

fn watcher_added(user: Uuid) -> Value {
    json!({ "type": "watcher_added", "user": user })
}

// ---------------------------------------------------------------------
// Outcomes.

fn sqlstate(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
}

/// Ok when refused with a permission error; otherwise what happened.
fn refused<T: std::fmt::Debug>(r: Result<T, sqlx::Error>) -> Result<(), String> {
    match r {
        Err(e) if sqlstate(&e).as_deref() == Some(DENIED) => Ok(()),
        other => Err(format!("not refused ({other:?})")),
    }
}

/// The attempt must be refused with a permission error.
#[track_caller]
fn denied<T: std::fmt::Debug>(r: Result<T, sqlx::Error>, what: &str) {
    if let Err(e) = refused(r) {
        panic!("{what}: must be refused with a permission error ({DENIED}), {e}");
    }
}

/// The write must go through and touch exactly one row.
#[track_caller]
fn allowed(r: Result<u64, sqlx::Error>, what: &str) {
    match r {
        Ok(1) => {}
        other => panic!("{what}: must be allowed (one row written), got {other:?}"),
    }
}

/// Everything a user can learn about one ticket, by every way of reading.
#[derive(Debug, PartialEq, Eq)]
struct View {
    tickets: i64,
    events: i64,
    watchers: i64,
    history: i64,
    pulled: i64,
    listed: bool,
    can_see: bool,
}

const NOTHING: View = View {
    tickets: 0,
    events: 0,
    watchers: 0,
    history: 0,
    pulled: 0,
    listed: false,
    can_see: false,
};

impl View {
    /// Seen whole: the row, `events` events by every path, `watchers` watchers.
    #[track_caller]
    fn assert_seen(&self, events: i64, watchers: i64, what: &str) {
        let expected = View {
            tickets: 1,
            events,
            watchers,
            history: events,
            pulled: events,
            listed: true,
            can_see: true,
        };
        assert_eq!(*self, expected, "{what}");
    }
}

// ---------------------------------------------------------------------
// A database with people and teams, and their plain connections.

/// Which fields a fixture ticket starts with (people and teams by short name).
#[derive(Clone, Copy)]
struct Spec {
    category: &'static str,
    team: Option<&'static str>,
    assignee: Option<&'static str>,
    requester: Option<&'static str>,
}

/// An ordinary ticket ("it"), without team, assignee or requester.
const IT: Spec = Spec {
    category: "it",
    team: None,
    assignee: None,
    requester: None,
};

impl Spec {
    fn category(self, category: &'static str) -> Spec {
        Spec { category, ..self }
    }
    fn team(self, team: &'static str) -> Spec {
        Spec {
            team: Some(team),
            ..self
        }
    }
    fn assignee(self, who: &'static str) -> Spec {
        Spec {
            assignee: Some(who),
            ..self
        }
    }
    fn requester(self, who: &'static str) -> Spec {
        Spec {
            requester: Some(who),
            ..self
        }
    }
}

struct World {
    db: TestDb,
    ids: HashMap<String, Uuid>,
}

impl World {
    /// The administrator is "admin"; `users` are (short name, role),
    /// `teams` are (name, members).
    async fn new(users: &[(&str, &str)], teams: &[(&str, &[&str])]) -> World {
        let mut db = TestDb::new().await;
        let mut ids = HashMap::new();
        let admin_id: Uuid = sqlx::query_scalar("SELECT id FROM guichet.users WHERE login = $1")
            .bind(&db.admin)
            .fetch_one(&db.admin_pool)
            .await
            .unwrap();
        ids.insert("admin".to_string(), admin_id);
        for (short, role) in users {
            let u = db.user(short, role).await;
            ids.insert(short.to_string(), u.id.0);
        }
        for (name, members) in teams {
            db.team(name, members).await;
        }
        World { db, ids }
    }

    fn id(&self, short: &str) -> Uuid {
        self.ids[short]
    }

    async fn team_id(&self, name: &str) -> Uuid {
        sqlx::query_scalar("SELECT id FROM guichet.teams WHERE name = $1")
            .bind(name)
            .fetch_one(&self.db.admin_pool)
            .await
            .unwrap()
    }

    async fn connect(&self, short: &str) -> Client {
        let mut conn = self.db.psql(short).await;
        let me: Option<Uuid> = sqlx::query_scalar("SELECT guichet.me()")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(
            me,
            Some(self.id(short)),
            "{short} is known to the database as themself"
        );
        Client {
            conn,
            me: self.id(short),
        }
    }

    /// Writes a fixture event as `actor` through the administrator's import,
    /// which keeps the author it is given.
    async fn import(&self, actor: &str, ticket: Uuid, payload: Value) {
        let done: bool =
            sqlx::query_scalar("SELECT guichet.import_event($1, $2, $3, $4, now(), $5, $6::jsonb)")
                .bind(Uuid::now_v7())
                .bind(ticket)
                .bind(self.id(actor))
                .bind(hlc())
                .bind(payload["type"].as_str().unwrap())
                .bind(payload.to_string())
                .fetch_one(&self.db.admin_pool)
                .await
                .expect("fixture event imported");
        assert!(done, "fixture event written");
    }

    /// A fixture ticket opened by `creator`.
    async fn ticket(&self, creator: &str, spec: Spec) -> Uuid {
        let team = match spec.team {
            Some(t) => Some(self.team_id(t).await),
            None => None,
        };
        let payload = created(
            spec.category,
            team,
            spec.assignee.map(|a| self.id(a)),
            spec.requester.map(|r| user_party(self.id(r))),
        );
        let id = Uuid::now_v7();
        self.import(creator, id, payload).await;
        id
    }

    async fn drop(self) {
        self.db.drop().await;
    }
}

/// One person's plain connection: raw SQL only.
struct Client {
    conn: PgConnection,
    me: Uuid,
}

impl Client {
    async fn exec(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        sqlx::query(sql)
            .execute(&mut self.conn)
            .await
            .map(|r| r.rows_affected())
    }

    /// Inserts an event in their own name.
    async fn write(&mut self, ticket: Uuid, payload: &Value) -> Result<u64, sqlx::Error> {
        let me = self.me;
        self.write_as(me, ticket, payload).await
    }

    /// Inserts an event with the author it is told.
    async fn write_as(
        &mut self,
        actor: Uuid,
        ticket: Uuid,
        payload: &Value,
    ) -> Result<u64, sqlx::Error> {
        sqlx::query(
            "INSERT INTO guichet.events(id, ticket_id, actor, hlc, at, kind, payload) \
             VALUES ($1, $2, $3, $4, now(), $5, $6::jsonb)",
        )
        .bind(Uuid::now_v7())
        .bind(ticket)
        .bind(actor)
        .bind(hlc())
        .bind(payload["type"].as_str().unwrap())
        .bind(payload.to_string())
        .execute(&mut self.conn)
        .await
        .map(|r| r.rows_affected())
    }

    async fn count(&mut self, sql: &str, ticket: Uuid) -> i64 {
        sqlx::query_scalar(sql)
            .bind(ticket)
            .fetch_one(&mut self.conn)
            .await
            .unwrap()
    }

    async fn view(&mut self, ticket: Uuid) -> View {
        View {
            tickets: self
                .count("SELECT count(*) FROM guichet.tickets WHERE id = $1", ticket)
                .await,
            events: self
                .count(
                    "SELECT count(*) FROM guichet.events WHERE ticket_id = $1",
                    ticket,
                )
                .await,
            watchers: self
                .count(
                    "SELECT count(*) FROM guichet.ticket_watchers WHERE ticket_id = $1",
                    ticket,
                )
                .await,
            history: self
                .count(
                    "SELECT count(*) FROM guichet.history(ARRAY[$1::uuid])",
                    ticket,
                )
                .await,
            pulled: self
                .count(
                    "SELECT count(*) FROM guichet.pull(0, 0, 100000) WHERE ticket_id = $1",
                    ticket,
                )
                .await,
            listed: sqlx::query_scalar("SELECT $1 IN (SELECT guichet.visible_ids())")
                .bind(ticket)
                .fetch_one(&mut self.conn)
                .await
                .unwrap(),
            can_see: sqlx::query_scalar("SELECT guichet.can_see($1)")
                .bind(ticket)
                .fetch_one(&mut self.conn)
                .await
                .unwrap(),
        }
    }

    /// Every ticket id their reads return.
    async fn ticket_ids(&mut self) -> Vec<Uuid> {
        sqlx::query_scalar("SELECT id FROM guichet.tickets ORDER BY id")
            .fetch_all(&mut self.conn)
            .await
            .unwrap()
    }

    /// One column of the visibility projection, as text (None: null, or
    /// no such row visible).
    async fn field(&mut self, ticket: Uuid, column: &str) -> Option<String> {
        let v: Option<Option<String>> = sqlx::query_scalar(&format!(
            "SELECT {column}::text FROM guichet.tickets WHERE id = $1"
        ))
        .bind(ticket)
        .fetch_optional(&mut self.conn)
        .await
        .unwrap();
        v.flatten()
    }
}

// ---------------------------------------------------------------------
// Staff and team boundaries.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_outside_the_team_can_neither_read_nor_write_its_tickets() {
    let w = World::new(
        &[
            ("ann", "staff"),
            ("amy", "staff"),
            ("bob", "staff"),
            ("carl", "staff"),
        ],
        &[("Tax", &["ann", "amy"]), ("Audit", &["bob"])],
    )
    .await;
    // The tickets are made the way the app makes them: on ann's replica,
    // synced. One is new (nobody assigned, no requester), one is assigned
    // to amy and requested by ann.
    let tmp = tempfile::tempdir().unwrap();
    let (store, srv) = w.db.replica("ann", tmp.path().join("ann")).await;
    let me = store.local_user().await.unwrap();
    let fresh = new_ticket(&store, "VAT return Q3", Some("Tax")).await;
    let key = fresh.id.to_string();
    store
        .comment(me, &key, Visibility::Internal, "Client sent the invoices")
        .await
        .unwrap();
    store
        .comment(me, &key, Visibility::Reply, "We are on it")
        .await
        .unwrap();
    store
        .watch(me, &key, true, UserId(w.id("amy")))
        .await
        .unwrap();
    let taken = store
        .create_ticket(
            me,
            NewTicket {
                title: "Payroll Q3".into(),
                category: "it".into(),
                team: Some(store.team("Tax").await.unwrap().id),
                assignee: Some(UserId(w.id("amy"))),
                requester: Some(Party::User(me)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = sync_once(&store, &srv).await.unwrap();
    assert_eq!(
        (r.pushed, r.refused),
        (5, 0),
        "ann's five events reach the server"
    );
    srv.close().await;
    let tickets = [
        (fresh.id.0, "an unassigned Tax ticket", 4, 1),
        (taken.id.0, "a Tax ticket assigned to amy", 1, 0),
    ];

    let mut ann = w.connect("ann").await;
    let mut amy = w.connect("amy").await;
    for (t, what, events, watchers) in tickets {
        ann.view(t)
            .await
            .assert_seen(events, watchers, &format!("ann (Tax) sees {what}"));
        amy.view(t)
            .await
            .assert_seen(events, watchers, &format!("amy (Tax) sees {what}"));
    }

    for outsider in ["bob", "carl"] {
        let mut c = w.connect(outsider).await;
        let me = c.me;
        assert!(
            c.ticket_ids().await.is_empty(),
            "{outsider} must see no ticket at all"
        );
        let pulled: i64 = sqlx::query_scalar("SELECT count(*) FROM guichet.pull(0, 0, 1000)")
            .fetch_one(&mut c.conn)
            .await
            .unwrap();
        assert_eq!(pulled, 0, "{outsider}'s pull must return nothing");
        for (t, what, _, _) in tickets {
            assert_eq!(
                c.view(t).await,
                NOTHING,
                "{outsider} (not in Tax) must see nothing of {what}"
            );
            for (payload, act) in [
                (reply("Let me help"), "comments on"),
                (note("Psst"), "adds a note to"),
                (watcher_added(me), "makes themself a watcher of"),
                (change("status", json!("new"), json!("closed")), "closes"),
                (
                    change("priority", json!("normal"), json!("urgent")),
                    "raises the priority of",
                ),
                (
                    change("assignee", json!(null), json!(me)),
                    "assigns themself",
                ),
            ] {
                denied(
                    c.write(t, &payload).await,
                    &format!("{outsider} {act} {what}"),
                );
            }
            assert_eq!(
                c.view(t).await,
                NOTHING,
                "{outsider} still sees nothing of {what}"
            );
        }
    }

    // A teammate who did not write the ticket writes to it.
    allowed(
        amy.write(fresh.id.0, &reply("Filed today")).await,
        "amy (Tax) comments on a Tax ticket",
    );
    ann.view(fresh.id.0)
        .await
        .assert_seen(5, 1, "only amy's comment was added");
    ann.view(taken.id.0)
        .await
        .assert_seen(1, 0, "nothing was added");
    w.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_writes_an_event_in_someone_elses_name() {
    let w = World::new(
        &[
            ("ann", "staff"),
            ("amy", "staff"),
            ("lena", "lead"),
            ("rita", "requester"),
        ],
        &[("Tax", &["ann", "amy"])],
    )
    .await;
    let t = w.ticket("amy", IT.team("Tax").requester("rita")).await;
    let amy = w.id("amy");

    for who in ["ann", "lena", "rita", "admin"] {
        let mut c = w.connect(who).await;
        denied(
            c.write_as(amy, t, &reply("Signed: amy")).await,
            &format!("{who} writes as amy"),
        );
        c.exec("SET guichet.importing = 'on'").await.unwrap();
        denied(
            c.write_as(amy, t, &reply("Signed: amy")).await,
            &format!(
                "{who} writes as amy with guichet.importing on (direct INSERT: the policy refuses)"
            ),
        );
        c.exec("RESET guichet.importing").await.unwrap();
    }

    // Import keeps authors, but only for administrators.
    let mut ann = w.connect("ann").await;
    denied(
        sqlx::query("SELECT guichet.import_event($1, $2, $3, $4, now(), 'commented', $5::jsonb)")
            .bind(Uuid::now_v7())
            .bind(t)
            .bind(amy)
            .bind(hlc())
            .bind(reply("Signed: amy").to_string())
            .execute(&mut ann.conn)
            .await,
        "staff calls guichet.import_event",
    );
    w.import("amy", t, reply("Imported from amy's local store"))
        .await;

    // The columns the server stamps are not the client's to choose: naming
    // them is refused (column grants), and without them the server fills them.
    let amy_login = w.db.login("amy");
    denied(
        sqlx::query(
            "INSERT INTO guichet.events(id, ticket_id, actor, hlc, at, kind, payload, recorded_by, internal) \
             VALUES ($1, $2, $3, $4, now(), 'commented', $5::jsonb, $6, false)",
        )
        .bind(Uuid::now_v7())
        .bind(t)
        .bind(ann.me)
        .bind(hlc())
        .bind(note("Internal, labelled otherwise").to_string())
        .bind(&amy_login)
        .execute(&mut ann.conn)
        .await,
        "ann names recorded_by and internal herself",
    );
    denied(
        sqlx::query(
            "INSERT INTO guichet.events(seq, id, ticket_id, actor, hlc, at, kind, payload) \
             VALUES (1, $1, $2, $3, $4, now(), 'commented', $5::jsonb)",
        )
        .bind(Uuid::now_v7())
        .bind(t)
        .bind(ann.me)
        .bind(hlc())
        .bind(note("Takes a sequence number of its own").to_string())
        .execute(&mut ann.conn)
        .await,
        "ann chooses the sequence number",
    );
    let id = Uuid::now_v7();
    allowed(
        sqlx::query(
            "INSERT INTO guichet.events(id, ticket_id, actor, hlc, at, kind, payload) \
             VALUES ($1, $2, $3, $4, now(), 'commented', $5::jsonb)",
        )
        .bind(id)
        .bind(t)
        .bind(ann.me)
        .bind(hlc())
        .bind(note("Internal note").to_string())
        .execute(&mut ann.conn)
        .await
        .map(|r| r.rows_affected()),
        "ann writes an internal note in her own name",
    );
    let (recorded_by, internal): (String, bool) =
        sqlx::query_as("SELECT recorded_by::text, internal FROM guichet.events WHERE id = $1")
            .bind(id)
            .fetch_one(&mut ann.conn)
            .await
            .unwrap();
    assert_eq!(
        recorded_by,
        w.db.login("ann"),
        "recorded_by is the session's login"
    );
    assert!(
        internal,
        "an internal note is marked internal by the server"
    );

    let actors: Vec<Uuid> =
        sqlx::query_scalar("SELECT actor FROM guichet.events WHERE ticket_id = $1 ORDER BY seq")
            .bind(t)
            .fetch_all(&mut ann.conn)
            .await
            .unwrap();
    assert_eq!(
        actors,
        vec![amy, amy, ann.me],
        "only the creation, the import and ann's own note were written"
    );
    w.drop().await;
}

// ---------------------------------------------------------------------
// Append-only history, read-only projection, the directory.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_append_only_for_everyone_and_the_directory_is_the_administrators() {
    let w = World::new(
        &[("ann", "staff"), ("lena", "lead"), ("rita", "requester")],
        &[("Tax", &["ann"])],
    )
    .await;
    let t = w.ticket("ann", IT.team("Tax").requester("rita")).await;
    w.import("ann", t, reply("Received")).await;
    let tax = w.team_id("Tax").await;
    let owner = format!("\"{}_owner\"", w.db.name);

    for who in ["admin", "lena", "ann", "rita"] {
        let mut c = w.connect(who).await;
        let me = c.me;
        assert_eq!(
            c.view(t).await.tickets,
            1,
            "{who} sees the ticket (the refusals below are not for want of it)"
        );
        for sql in [
            format!("UPDATE guichet.events SET payload = payload || '{{\"body\": \"rewritten\"}}' WHERE ticket_id = '{t}'"),
            format!("UPDATE guichet.events SET actor = '{me}' WHERE ticket_id = '{t}'"),
            format!("DELETE FROM guichet.events WHERE ticket_id = '{t}'"),
            "TRUNCATE guichet.events CASCADE".to_string(),
            format!("UPDATE guichet.tickets SET status = 'closed' WHERE id = '{t}'"),
            format!("DELETE FROM guichet.tickets WHERE id = '{t}'"),
            format!(
                "INSERT INTO guichet.tickets(id, reference, category, status, priority, created_by, clocks) \
                 VALUES ('{}', 'ZZZZ-999', 'it', 'open', 'normal', '{me}', '{{}}')",
                Uuid::now_v7()
            ),
            format!("INSERT INTO guichet.ticket_watchers VALUES ('{t}', '{me}')"),
            format!("DELETE FROM guichet.ticket_watchers WHERE ticket_id = '{t}'"),
            "INSERT INTO guichet.commits(tx) VALUES (pg_current_xact_id())".to_string(),
            "INSERT INTO guichet.access_log(ticket_id) VALUES (NULL)".to_string(),
            format!("SET ROLE {owner}"),
        ] {
            denied(c.exec(&sql).await, &format!("{who}: {sql}"));
        }
        if who == "admin" {
            continue;
        }
        for sql in [
            format!(
                "INSERT INTO guichet.users(id, login, name) VALUES ('{}', 'mallory', 'Mallory')",
                Uuid::now_v7()
            ),
            format!("UPDATE guichet.users SET role = 'admin' WHERE id = '{me}'"),
            format!(
                "INSERT INTO guichet.teams(id, name) VALUES ('{}', 'Shadow')",
                Uuid::now_v7()
            ),
            format!("UPDATE guichet.teams SET lead = '{me}' WHERE id = '{tax}'"),
            format!("INSERT INTO guichet.team_members VALUES ('{tax}', '{me}')"),
            format!("DELETE FROM guichet.team_members WHERE team_id = '{tax}'"),
            "UPDATE guichet.categories SET confidential = false".to_string(),
            format!("GRANT \"{}_admins\" TO CURRENT_USER", w.db.name),
        ] {
            denied(c.exec(&sql).await, &format!("{who}: {sql}"));
        }
    }

    // The administrator keeps the directory.
    let mut admin = w.connect("admin").await;
    let newcomer = Uuid::now_v7();
    let team = Uuid::now_v7();
    allowed(
        admin
            .exec(&format!("INSERT INTO guichet.users(id, login, name) VALUES ('{newcomer}', 'newcomer', 'Newcomer')"))
            .await,
        "the administrator adds a user",
    );
    allowed(
        admin
            .exec(&format!(
                "INSERT INTO guichet.teams(id, name) VALUES ('{team}', 'Payroll')"
            ))
            .await,
        "the administrator adds a team",
    );
    allowed(
        admin
            .exec(&format!(
                "INSERT INTO guichet.team_members VALUES ('{team}', '{newcomer}')"
            ))
            .await,
        "the administrator adds a member",
    );

    let mut ann = w.connect("ann").await;
    ann.view(t)
        .await
        .assert_seen(2, 0, "the ticket's history is as it was written");
    assert_eq!(
        ann.field(t, "status").await.as_deref(),
        Some("open"),
        "the projection is unchanged"
    );
    w.drop().await;
}

/// Administrators are given CREATEROLE to manage people's login roles. It
/// must not let them take a role beyond their own: the schema's owner, who
/// alone may rewrite history, or the server's powers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_cannot_become_the_owner_and_rewrite_history() {
    let w = World::new(&[("ann", "staff")], &[("Tax", &["ann"])]).await;
    let owner_login = format!("{}_owner", w.db.name);
    let owner = format!("\"{owner_login}\"");
    let mut admin = w.connect("admin").await;
    let mut holes = Vec::new();

    let sql = "GRANT pg_execute_server_program TO CURRENT_USER".to_string();
    if let Err(e) = refused(admin.exec(&sql).await) {
        holes.push(format!(
            "`{sql}`: {e} (COPY ... FROM PROGRAM runs commands on the server)"
        ));
    }

    // Giving the owner a password, then logging in as the owner.
    let t = w.ticket("ann", IT.team("Tax")).await;
    let sql = format!("ALTER ROLE {owner} LOGIN PASSWORD 'owner-password-123'");
    if let Err(e) = refused(admin.exec(&sql).await) {
        let as_owner =
            w.db.options_as("admin")
                .username(&owner_login)
                .password("owner-password-123");
        let deleted = match as_owner.connect().await {
            Ok(mut c) => sqlx::query("DELETE FROM guichet.events WHERE ticket_id = $1")
                .bind(t)
                .execute(&mut c)
                .await
                .map(|r| r.rows_affected()),
            Err(e) => Err(e),
        };
        holes.push(format!(
            "`{sql}`: {e}; logged in as the owner, deleting the ticket's events gave {deleted:?}"
        ));
    }

    // Joining the owner role, then acting as it.
    let t = w.ticket("ann", IT.team("Tax")).await;
    let sql = format!("GRANT {owner} TO CURRENT_USER");
    if let Err(e) = refused(admin.exec(&sql).await) {
        let set = admin.exec(&format!("SET ROLE {owner}")).await;
        let forged = admin
            .exec(&format!(
                "UPDATE guichet.events SET payload = payload || '{{\"title\": \"forged\"}}' WHERE ticket_id = '{t}'"
            ))
            .await;
        holes.push(format!(
            "`{sql}`: {e}; SET ROLE gave {set:?}; rewriting the ticket's creation gave {forged:?}"
        ));
    }
    assert!(
        holes.is_empty(),
        "the administrator escaped their role:\n{}",
        holes.join("\n")
    );
    w.drop().await;
}

// ---------------------------------------------------------------------
// Requesters.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_sees_their_own_tickets_without_internal_notes_and_may_only_reply() {
    let w = World::new(
        &[
            ("ann", "staff"),
            ("rita", "requester"),
            ("ruth", "requester"),
        ],
        &[("Tax", &["ann"])],
    )
    .await;
    let mine = w.ticket("ann", IT.team("Tax").requester("rita")).await;
    let ruths = w.ticket("ann", IT.team("Tax").requester("ruth")).await;
    let nobodys = w.ticket("ann", IT.team("Tax")).await;
    let mut ann = w.connect("ann").await;
    allowed(
        ann.write(mine, &note("Her file is incomplete")).await,
        "ann adds an internal note",
    );
    allowed(
        ann.write(mine, &reply("Please send page 2")).await,
        "ann replies",
    );
    allowed(
        ann.write(mine, &watcher_added(ann.me)).await,
        "ann watches the ticket",
    );
    allowed(
        ann.exec(&format!(
            "INSERT INTO guichet.contacts(id, name) VALUES ('{}', 'Client SA')",
            Uuid::now_v7()
        ))
        .await,
        "staff add a contact",
    );

    let mut rita = w.connect("rita").await;
    assert_eq!(
        rita.ticket_ids().await,
        vec![mine],
        "rita sees only the ticket she requested"
    );
    rita.view(mine).await.assert_seen(
        3,
        1,
        "rita sees her ticket and its events but the internal note",
    );
    let kinds: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT kind, payload ->> 'visibility' FROM guichet.events WHERE ticket_id = $1 ORDER BY seq",
    )
    .bind(mine)
    .fetch_all(&mut rita.conn)
    .await
    .unwrap();
    assert_eq!(
        kinds,
        vec![
            ("created".into(), None),
            ("commented".into(), Some("reply".into())),
            ("watcher_added".into(), None)
        ],
        "rita reads the creation, the reply and the watcher, not the note"
    );
    for (how, sql) in [
        ("events", "SELECT count(*) FROM guichet.events WHERE payload ->> 'visibility' = 'internal'"),
        ("pull", "SELECT count(*) FROM guichet.pull(0, 0, 1000) WHERE payload ->> 'visibility' = 'internal'"),
        (
            "history",
            "SELECT count(*) FROM guichet.history(ARRAY(SELECT id FROM guichet.tickets)) WHERE payload ->> 'visibility' = 'internal'",
        ),
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut rita.conn).await.unwrap();
        assert_eq!(n, 0, "rita must read no internal note through {how}");
    }
    for (other, what) in [
        (ruths, "ruth's ticket"),
        (nobodys, "a ticket without requester"),
    ] {
        assert_eq!(
            rita.view(other).await,
            NOTHING,
            "rita must see nothing of {what}"
        );
        denied(
            rita.write(other, &reply("Me too")).await,
            &format!("rita replies on {what}"),
        );
    }
    let contacts: i64 = sqlx::query_scalar("SELECT count(*) FROM guichet.contacts")
        .fetch_one(&mut rita.conn)
        .await
        .unwrap();
    assert_eq!(contacts, 0, "a requester must read no contact");

    // On her own ticket: replies, nothing else.
    allowed(
        rita.write(mine, &reply("Here is page 2")).await,
        "rita replies on her ticket",
    );
    denied(
        rita.write(mine, &note("Note to self")).await,
        "rita writes an internal note",
    );
    denied(
        rita.write(mine, &change("status", json!("open"), json!("resolved")))
            .await,
        "rita changes the status",
    );
    denied(
        rita.write(mine, &change("priority", json!("normal"), json!("urgent")))
            .await,
        "rita changes the priority",
    );
    denied(
        rita.write(mine, &change("assignee", json!(null), json!(rita.me)))
            .await,
        "rita assigns herself",
    );
    denied(
        rita.write(mine, &watcher_added(w.id("ruth"))).await,
        "rita adds ruth as a watcher",
    );

    // Opening tickets: only in her own name.
    for (requester, what) in [
        (Some(user_party(w.id("ruth"))), "for ruth"),
        (Some(user_party(ann.me)), "for ann"),
        (
            Some(json!({ "kind": "contact", "id": Uuid::now_v7() })),
            "for a contact",
        ),
        (Some(json!({ "kind": "user" })), "for a user without id"),
        (None, "without requester"),
    ] {
        denied(
            rita.write(Uuid::now_v7(), &created("it", None, None, requester))
                .await,
            &format!("rita opens a ticket {what}"),
        );
    }
    let own = Uuid::now_v7();
    allowed(
        rita.write(own, &created("it", None, None, Some(user_party(rita.me))))
            .await,
        "rita opens a ticket for herself",
    );
    rita.view(own)
        .await
        .assert_seen(1, 0, "rita sees the ticket she opened");

    ann.view(mine).await.assert_seen(
        5,
        1,
        "staff see every event, the note and rita's reply included",
    );
    w.drop().await;
}

// ---------------------------------------------------------------------
// Leads, administrators and confidential categories.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_and_administrators_see_every_team_but_not_a_confidential_category() {
    let w = World::new(
        &[("ann", "staff"), ("hr", "staff"), ("lena", "lead")],
        &[("Tax", &["ann"]), ("HR", &["hr"])],
    )
    .await;
    admin::set_confidential(&w.db.admin_pool, "hr", Some("HR"))
        .await
        .unwrap();
    let tax = w.ticket("ann", IT.team("Tax")).await;
    // One new (nobody assigned, no requester), one taken in hand by hr.
    let hr_only = w.ticket("hr", IT.category("hr").team("HR")).await;
    let hr_taken = w
        .ticket(
            "hr",
            IT.category("hr").team("HR").assignee("hr").requester("hr"),
        )
        .await;
    let assigned_lena = w
        .ticket("hr", IT.category("hr").team("HR").assignee("lena"))
        .await;
    let requested_by_admin = w
        .ticket("hr", IT.category("hr").team("HR").requester("admin"))
        .await;
    for t in [hr_only, hr_taken, assigned_lena, requested_by_admin] {
        w.import("hr", t, note("Salary details")).await;
    }

    let mut hr = w.connect("hr").await;
    for t in [hr_only, hr_taken, assigned_lena, requested_by_admin] {
        hr.view(t)
            .await
            .assert_seen(2, 0, "the HR team sees its confidential tickets");
    }
    let mut ann = w.connect("ann").await;
    for t in [hr_only, hr_taken, assigned_lena, requested_by_admin] {
        assert_eq!(
            ann.view(t).await,
            NOTHING,
            "staff outside HR must see no confidential ticket"
        );
    }

    for (earlier_comments, who) in ["lena", "admin"].into_iter().enumerate() {
        let mut c = w.connect(who).await;
        c.view(tax).await.assert_seen(
            1 + earlier_comments as i64,
            0,
            &format!("{who} sees a ticket of a team they are not in"),
        );
        allowed(
            c.write(tax, &reply("Seen")).await,
            &format!("{who} comments on another team's ticket"),
        );
        for (t, what) in [
            (hr_only, "a new confidential ticket"),
            (hr_taken, "a confidential ticket in hand"),
        ] {
            assert_eq!(c.view(t).await, NOTHING, "{who} must see nothing of {what}");
            let me = c.me;
            for (payload, act) in [
                (reply("Seen"), "comments on"),
                (
                    change("category", json!("hr"), json!("it")),
                    "moves out of its category",
                ),
                (
                    change("assignee", json!(null), json!(me)),
                    "assigns themself",
                ),
            ] {
                denied(c.write(t, &payload).await, &format!("{who} {act} {what}"));
            }
        }
    }
    let mut lena = w.connect("lena").await;
    lena.view(assigned_lena).await.assert_seen(
        2,
        0,
        "the lead sees the confidential ticket assigned to her",
    );
    assert_eq!(
        lena.view(requested_by_admin).await,
        NOTHING,
        "the lead must not see another's confidential ticket"
    );
    let mut admin = w.connect("admin").await;
    // As its requester, without the HR team's internal note on it.
    admin.view(requested_by_admin).await.assert_seen(
        1,
        0,
        "the administrator sees the confidential ticket they requested, not HR's internal note",
    );
    assert_eq!(
        admin.view(assigned_lena).await,
        NOTHING,
        "the administrator must not see another's confidential ticket"
    );

    // Membership of the category's team opens them all.
    admin::set_member(&w.db.admin_pool, "HR", &w.db.admin, true)
        .await
        .unwrap();
    for t in [hr_only, hr_taken, assigned_lena, requested_by_admin] {
        admin.view(t).await.assert_seen(
            2,
            0,
            "an administrator in HR sees its confidential tickets",
        );
    }
    w.drop().await;
}

// ---------------------------------------------------------------------
// The staff rules of guichet.on_event, one by one.

const MATRIX_USERS: &[(&str, &str)] = &[
    ("ann", "staff"),
    ("amy", "staff"),
    ("bob", "staff"),
    ("carl", "staff"),
    ("hr", "staff"),
    ("lena", "lead"),
];
const MATRIX_TEAMS: &[(&str, &[&str])] = &[
    ("Tax", &["ann", "amy"]),
    ("Audit", &["bob"]),
    ("HR", &["hr"]),
];

/// A Tax ticket opened by ann, which bob (Audit) watches.
async fn tax_ticket_watched_by_bob(w: &World) -> Uuid {
    let t = w.ticket("ann", IT.team("Tax")).await;
    let mut ann = w.connect("ann").await;
    allowed(
        ann.write(t, &watcher_added(w.id("bob"))).await,
        "ann makes bob a watcher",
    );
    let mut bob = w.connect("bob").await;
    bob.view(t)
        .await
        .assert_seen(2, 1, "bob sees the Tax ticket he watches");
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_assign_only_to_themselves_or_within_the_tickets_team() {
    let w = World::new(MATRIX_USERS, MATRIX_TEAMS).await;
    let t = tax_ticket_watched_by_bob(&w).await;
    let (amy, bob, carl) = (w.id("amy"), w.id("bob"), w.id("carl"));
    let mut ann = w.connect("ann").await;
    denied(
        ann.write(t, &change("assignee", json!(null), json!(carl)))
            .await,
        "ann (Tax) assigns carl (no team)",
    );
    denied(
        ann.write(t, &change("assignee", json!(null), json!(bob)))
            .await,
        "ann (Tax) assigns bob (Audit)",
    );
    assert_eq!(
        ann.field(t, "assignee").await,
        None,
        "the refused assignments left no trace"
    );
    allowed(
        ann.write(t, &change("assignee", json!(null), json!(amy)))
            .await,
        "ann assigns amy (Tax)",
    );
    assert_eq!(ann.field(t, "assignee").await, Some(amy.to_string()));
    allowed(
        ann.write(t, &change("assignee", json!(amy), json!(ann.me)))
            .await,
        "ann assigns herself",
    );
    allowed(
        ann.write(t, &change("assignee", json!(ann.me), json!(null)))
            .await,
        "ann unassigns",
    );

    let mut bob_c = w.connect("bob").await;
    denied(
        bob_c
            .write(t, &change("assignee", json!(null), json!(carl)))
            .await,
        "bob (watcher) assigns carl",
    );
    allowed(
        bob_c
            .write(t, &change("assignee", json!(null), json!(bob)))
            .await,
        "bob (watcher) assigns himself",
    );

    let mut lena = w.connect("lena").await;
    allowed(
        lena.write(t, &change("assignee", json!(bob), json!(carl)))
            .await,
        "the lead assigns across teams",
    );
    assert_eq!(ann.field(t, "assignee").await, Some(carl.to_string()));
    w.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_move_a_ticket_to_another_team_only_from_their_own_team() {
    let w = World::new(MATRIX_USERS, MATRIX_TEAMS).await;
    let t = tax_ticket_watched_by_bob(&w).await;
    let (tax, audit) = (w.team_id("Tax").await, w.team_id("Audit").await);
    let mut bob = w.connect("bob").await;
    denied(
        bob.write(t, &change("team", json!(tax), json!(audit)))
            .await,
        "bob (watcher, Audit) moves a Tax ticket",
    );
    allowed(
        bob.write(t, &change("priority", json!("normal"), json!("high")))
            .await,
        "bob (watcher) raises the priority",
    );
    let mut ann = w.connect("ann").await;
    assert_eq!(
        ann.field(t, "team").await,
        Some(tax.to_string()),
        "the refused move left no trace"
    );
    allowed(
        ann.write(t, &change("team", json!(tax), json!(audit)))
            .await,
        "ann (Tax) moves her team's ticket to Audit",
    );
    assert_eq!(
        ann.view(t).await,
        NOTHING,
        "ann (Tax) no longer sees a ticket moved to Audit"
    );
    let mut lena = w.connect("lena").await;
    assert_eq!(lena.field(t, "team").await, Some(audit.to_string()));
    allowed(
        lena.write(t, &change("team", json!(audit), json!(tax)))
            .await,
        "the lead moves any ticket",
    );

    // A ticket without team may be given one by whoever sees it.
    let loose = w.ticket("carl", IT.assignee("carl")).await;
    let mut carl = w.connect("carl").await;
    allowed(
        carl.write(loose, &change("team", json!(null), json!(tax)))
            .await,
        "carl (assignee) gives a team to a ticket without one",
    );
    w.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_close_a_ticket_only_as_its_assignee_or_team() {
    let w = World::new(MATRIX_USERS, MATRIX_TEAMS).await;
    let t = tax_ticket_watched_by_bob(&w).await;
    let mut bob = w.connect("bob").await;
    denied(
        bob.write(t, &change("status", json!("open"), json!("closed")))
            .await,
        "bob (watcher) closes a Tax ticket",
    );
    allowed(
        bob.write(t, &change("status", json!("open"), json!("waiting")))
            .await,
        "bob (watcher) sets it waiting",
    );

    let mut lena = w.connect("lena").await;
    allowed(
        lena.write(t, &change("assignee", json!(null), json!(w.id("carl"))))
            .await,
        "the lead assigns carl",
    );
    let mut carl = w.connect("carl").await;
    allowed(
        carl.write(t, &change("status", json!("waiting"), json!("closed")))
            .await,
        "carl (assignee, no team) closes",
    );
    assert_eq!(carl.field(t, "status").await.as_deref(), Some("closed"));

    let other = w.ticket("amy", IT.team("Tax")).await;
    let mut ann = w.connect("ann").await;
    allowed(
        ann.write(other, &change("status", json!("open"), json!("closed")))
            .await,
        "ann (Tax) closes a Tax ticket",
    );
    w.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_move_a_ticket_into_a_confidential_category_only_as_its_team() {
    let w = World::new(MATRIX_USERS, MATRIX_TEAMS).await;
    admin::set_confidential(&w.db.admin_pool, "hr", Some("HR"))
        .await
        .unwrap();
    let t = w.ticket("ann", IT.team("Tax")).await;
    let mut ann = w.connect("ann").await;
    denied(
        ann.write(t, &change("category", json!("it"), json!("hr")))
            .await,
        "ann (not HR) moves a ticket into hr",
    );
    allowed(
        ann.write(t, &change("category", json!("it"), json!("it/hardware")))
            .await,
        "ann moves it to an ordinary category",
    );
    assert_eq!(
        ann.field(t, "category").await.as_deref(),
        Some("it/hardware")
    );

    let h = w.ticket("hr", IT.team("HR")).await;
    let mut lena = w.connect("lena").await;
    lena.view(h)
        .await
        .assert_seen(1, 0, "the lead sees an ordinary HR-team ticket");
    let mut hr = w.connect("hr").await;
    allowed(
        hr.write(h, &change("category", json!("it"), json!("hr")))
            .await,
        "hr (HR) moves a ticket into hr",
    );
    assert_eq!(
        lena.view(h).await,
        NOTHING,
        "once confidential, the lead no longer sees it"
    );
    hr.view(h).await.assert_seen(2, 0, "HR still sees it");
    w.drop().await;
}

// ---------------------------------------------------------------------
// Logging in.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_can_no_longer_log_in_nor_act_through_an_open_session() {
    let w = World::new(&[("ann", "staff")], &[("Tax", &["ann"])]).await;
    let t = w.ticket("ann", IT.team("Tax")).await;
    let mut open = w.connect("ann").await;
    open.view(t)
        .await
        .assert_seen(1, 0, "ann sees her team's ticket");

    admin::disable_user(&w.db.admin_pool, &w.db.login("ann"))
        .await
        .unwrap();
    match w.db.options_as("ann").connect().await {
        Err(e) => assert_eq!(
            sqlstate(&e).as_deref(),
            Some("28000"),
            "refused as not permitted to log in: {e}"
        ),
        Ok(_) => panic!("a disabled user must not be able to log in"),
    }

    let me: Option<Uuid> = sqlx::query_scalar("SELECT guichet.me()")
        .fetch_one(&mut open.conn)
        .await
        .unwrap();
    assert_eq!(
        me, None,
        "a disabled user is nobody, even in a session opened before"
    );
    assert_eq!(
        open.view(t).await,
        NOTHING,
        "a disabled user's open session must see nothing"
    );
    denied(
        open.write(t, &reply("Still here")).await,
        "a disabled user comments through an open session",
    );
    w.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused() {
    let w = World::new(&[("ann", "staff")], &[]).await;
    for (login, password) in [
        (w.db.login("ann"), "not-the-password"),
        (w.db.admin.clone(), "not-the-password"),
        (w.db.login("nobody"), PASSWORD),
        (w.db.login("ann"), ""),
    ] {
        let o = w.db.options_as("ann").username(&login).password(password);
        match o.connect().await {
            Err(e) => assert_eq!(
                sqlstate(&e).as_deref(),
                Some("28P01"),
                "{login} with a wrong password: {e}"
            ),
            Ok(_) => panic!("{login} must not log in with password '{password}'"),
        }
    }
    w.connect("ann").await;
    w.drop().await;
}
