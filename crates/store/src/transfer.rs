//! Export and import of a whole data directory as JSON lines or CSV: the
//! directory (categories, users, teams, contacts) and the complete event log,
//! so that export then import gives back the same tickets with their history.
//!
//! Import is all or nothing: every line is checked first, every rejected line
//! is reported with its number, and only a file without errors is applied, in
//! one transaction. Events already present (same id) are skipped, so the same
//! file can be imported twice without doubling anything.

use crate::directory::{
    all_categories, all_contacts, all_teams, all_users, insert_category, insert_contact,
    insert_team, insert_user,
};
use crate::error::{Error, LineError, Result};
use crate::persist::{persist, Persist};
use crate::query::event_from_row;
use crate::rows::load_ticket;
use crate::{load_clock, meta_get, meta_set, save_clock, Store};
use guichet_domain::{
    Category, Change, Contact, Event, EventKind, Party, Team, Ticket, TicketId, User,
};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};

const FORMAT_NAME: &str = "guichet-export";
const FORMAT_VERSION: u32 = 1;
/// Tickets written per batch during import: bounds memory, not atomicity.
const IMPORT_BATCH: usize = 2_000;
/// At most this many rejected lines are listed; the count says how many more.
const MAX_REPORTED: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// `.csv` files are CSV; everything else is JSON lines.
    pub fn from_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Jsonl,
        }
    }
}

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Header { format: String, version: u32 },
    Category(Category),
    User(User),
    Team(Team),
    Contact(Contact),
    Event(Event),
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub categories: usize,
    pub users: usize,
    pub teams: usize,
    pub contacts: usize,
    pub tickets: usize,
    pub events: usize,
    /// Events that were already in the store (same id) and were left alone.
    pub already_present: usize,
}

const CSV_HEADER: [&str; 8] = [
    "record", "id", "ticket", "actor", "hlc", "at", "type", "data",
];

fn csv_row(r: &Record) -> [String; 8] {
    let json = |v: &dyn erased::Json| v.json();
    match r {
        Record::Header { format, version } => [
            "header".into(),
            format.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            version.to_string(),
        ],
        Record::Category(c) => [
            "category".into(),
            c.key.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            json(c),
        ],
        Record::User(u) => [
            "user".into(),
            u.id.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            json(u),
        ],
        Record::Team(t) => [
            "team".into(),
            t.id.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            json(t),
        ],
        Record::Contact(c) => [
            "contact".into(),
            c.id.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            json(c),
        ],
        Record::Event(e) => [
            "event".into(),
            e.id.to_string(),
            e.ticket.to_string(),
            e.actor.to_string(),
            e.hlc.to_string(),
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            e.kind.name().into(),
            json(&e.kind),
        ],
    }
}

enum Sink<'a> {
    Json(&'a mut dyn Write),
    Csv(csv::Writer<&'a mut dyn Write>),
}

fn io_err(e: std::io::Error) -> Error {
    Error::io("export output", e)
}

fn csv_err(e: csv::Error) -> Error {
    io_err(e.into())
}

impl Sink<'_> {
    fn emit(&mut self, r: &Record) -> Result<()> {
        match self {
            Sink::Json(out) => {
                serde_json::to_writer(&mut **out, r).map_err(|e| io_err(e.into()))?;
                out.write_all(b"\n").map_err(io_err)
            }
            Sink::Csv(w) => w.write_record(csv_row(r)).map_err(csv_err),
        }
    }

    fn flush(&mut self) -> Result<()> {
        match self {
            Sink::Json(out) => out.flush().map_err(io_err),
            Sink::Csv(w) => w.flush().map_err(io_err),
        }
    }
}

mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("records serialise")
        }
    }
}

fn column<T: std::str::FromStr>(
    row: &csv::StringRecord,
    i: usize,
    name: &str,
) -> std::result::Result<T, String> {
    let v = row.get(i).unwrap_or("");
    v.parse()
        .map_err(|_| format!("{name} column: '{v}' is not valid"))
}

fn record_from_csv(row: &csv::StringRecord) -> std::result::Result<Record, String> {
    let get = |i: usize| row.get(i).unwrap_or("");
    let data = get(7);
    let parse_err = |e: serde_json::Error| format!("data column: {e}");
    match get(0) {
        "header" => Ok(Record::Header { format: get(1).into(), version: data.parse().map_err(|_| "data column: not a version number".to_string())? }),
        "category" => serde_json::from_str(data).map(Record::Category).map_err(parse_err),
        "user" => serde_json::from_str(data).map(Record::User).map_err(parse_err),
        "team" => serde_json::from_str(data).map(Record::Team).map_err(parse_err),
        "contact" => serde_json::from_str(data).map(Record::Contact).map_err(parse_err),
        "event" => {
            Ok(Record::Event(Event {
                id: column(row, 1, "id")?,
                ticket: column(row, 2, "ticket")?,
                actor: column(row, 3, "actor")?,
                hlc: get(4).parse()?,
                at: chrono::DateTime::parse_from_rfc3339(get(5)).map_err(|_| format!("at column: '{}' is not an RFC 3339 time", get(5)))?.to_utc(),
                kind: serde_json::from_str(data).map_err(parse_err)?,
            }))
        }
        other => Err(format!("record column: '{other}' is unknown; accepted: header, category, user, team, contact, event")),
    }
}

impl Store {
    /// Writes the whole data directory: directory records, then every event in log order.
    pub async fn export(&self, out: &mut dyn Write, format: Format) -> Result<usize> {
        let mut sink = match format {
            Format::Jsonl => Sink::Json(out),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER).map_err(csv_err)?;
                Sink::Csv(w)
            }
        };
        let mut count = 0usize;
        let mut emit = |r: Record, sink: &mut Sink| -> Result<()> {
            count += 1;
            sink.emit(&r)
        };
        emit(
            Record::Header {
                format: FORMAT_NAME.into(),
                version: FORMAT_VERSION,
            },
            &mut sink,
        )?;
        let mut conn = self.pool.acquire().await?;
        for c in self.guard(all_categories(&mut conn)).await? {
            emit(Record::Category(c), &mut sink)?;
        }
        for u in self.guard(all_users(&mut conn)).await? {
            emit(Record::User(u), &mut sink)?;
        }
        for t in self.guard(all_teams(&mut conn)).await? {
            emit(Record::Team(t), &mut sink)?;
        }
        for c in self.guard(all_contacts(&mut conn)).await? {
            emit(Record::Contact(c), &mut sink)?;
        }
        let mut after = 0i64;
        loop {
            let rows = self
                .guard(async {
                    Ok(sqlx::query("SELECT seq, id, ticket_id, actor, hlc, at, payload FROM events WHERE seq > ? ORDER BY seq LIMIT 10000")
                        .bind(after)
                        .fetch_all(&mut *conn)
                        .await?)
                })
                .await?;
            let Some(last) = rows.last() else { break };
            after = sqlx::Row::get(last, "seq");
            for r in &rows {
                emit(Record::Event(event_from_row(r)?), &mut sink)?;
            }
        }
        sink.flush()?;
        Ok(count)
    }

    /// Imports a file written by [`Store::export`] (or by hand in the same
    /// form). Nothing is written unless every line is accepted.
    pub async fn import(
        &self,
        input: &mut (dyn BufRead + Send),
        format: Format,
    ) -> Result<ImportReport> {
        let (records, mut errors) = read_records(input, format);
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let plan = check(&mut tx, &records, &mut errors).await?;
            if !errors.is_empty() {
                let extra = errors.len().saturating_sub(MAX_REPORTED);
                errors.truncate(MAX_REPORTED);
                if extra > 0 {
                    errors.push(LineError {
                        line: 0,
                        message: format!("and {extra} more rejected lines"),
                    });
                }
                return Err(Error::Import(errors));
            }
            let report = apply(&mut tx, plan).await?;
            tx.commit().await?;
            tracing::info!(
                tickets = report.tickets,
                events = report.events,
                "import applied"
            );
            if report.tickets >= 1_000 {
                if let Err(e) = crate::db::refresh_statistics(&self.pool, true).await {
                    tracing::warn!(error = %e, "could not refresh the query planner's statistics");
                }
            }
            Ok(report)
        })
        .await
    }
}

/// Checks and applies records inside the caller's transaction (a pulled
/// batch): all or nothing, like an import.
pub(crate) async fn apply_records(
    conn: &mut SqliteConnection,
    records: &[(usize, Record)],
) -> Result<ImportReport> {
    let mut errors = Vec::new();
    let plan = check(conn, records, &mut errors).await?;
    if !errors.is_empty() {
        errors.truncate(MAX_REPORTED);
        return Err(Error::Import(errors));
    }
    apply(conn, plan).await
}

fn read_records(input: &mut dyn BufRead, format: Format) -> (Vec<(usize, Record)>, Vec<LineError>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    match format {
        Format::Jsonl => {
            for (i, line) in input.lines().enumerate() {
                let n = i + 1;
                match line {
                    Err(e) => {
                        errors.push(LineError { line: n, message: format!("unreadable: {e}") });
                        break;
                    }
                    Ok(l) if l.trim().is_empty() => {}
                    Ok(l) => match serde_json::from_str::<Record>(&l) {
                        Ok(r) => records.push((n, r)),
                        Err(e) => errors.push(LineError {
                            line: n,
                            message: format!("not a Guichet record ({e}); accepted: one JSON object per line as written by `guichet export`"),
                        }),
                    },
                }
            }
        }
        Format::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(false)
                .from_reader(input);
            for (i, row) in rdr.records().enumerate() {
                let n = row
                    .as_ref()
                    .ok()
                    .and_then(|r| r.position())
                    .map(|p| p.line() as usize)
                    .unwrap_or(i + 2);
                match row {
                    Err(e) => errors.push(LineError {
                        line: n,
                        message: format!(
                            "not a CSV row of 8 columns ({e}); accepted: {}",
                            CSV_HEADER.join(",")
                        ),
                    }),
                    Ok(r) => match record_from_csv(&r) {
                        Ok(rec) => records.push((n, rec)),
                        Err(m) => errors.push(LineError {
                            line: n,
                            message: m,
                        }),
                    },
                }
            }
        }
    }
    (records, errors)
}

/// What an accepted file will write.
struct Plan {
    categories: Vec<Category>,
    users: Vec<User>,
    teams: Vec<Team>,
    contacts: Vec<Contact>,
    /// Per ticket, the events new to this store.
    events: BTreeMap<TicketId, Vec<Event>>,
    already_present: usize,
}

async fn check(
    conn: &mut SqliteConnection,
    records: &[(usize, Record)],
    errors: &mut Vec<LineError>,
) -> Result<Plan> {
    let mut err = |line: usize, message: String| errors.push(LineError { line, message });
    let mut categories: HashSet<String> = all_categories(conn)
        .await?
        .into_iter()
        .map(|c| c.key)
        .collect();
    let known_users = all_users(conn).await?;
    let mut users: HashSet<_> = known_users.iter().map(|u| u.id).collect();
    let mut logins: HashMap<String, _> = known_users
        .iter()
        .map(|u| (u.login.clone(), u.id))
        .collect();
    let mut teams: HashSet<_> = all_teams(conn).await?.into_iter().map(|t| t.id).collect();
    let mut contacts: HashSet<_> = all_contacts(conn)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();

    let event_ids: Vec<String> = records
        .iter()
        .filter_map(|(_, r)| matches!(r, Record::Event(_)).then_some(r))
        .map(|r| match r {
            Record::Event(e) => e.id.to_string(),
            _ => unreachable!(),
        })
        .collect();
    let present_events = existing(conn, "SELECT id FROM events WHERE id IN", &event_ids).await?;
    let ticket_ids: Vec<String> = records
        .iter()
        .filter_map(|(_, r)| match r {
            Record::Event(e) => Some(e.ticket.to_string()),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut tickets: HashSet<String> =
        existing(conn, "SELECT id FROM tickets WHERE id IN", &ticket_ids).await?;
    let refs: Vec<String> = records
        .iter()
        .filter_map(|(_, r)| match r {
            Record::Event(Event {
                kind: EventKind::Created(d),
                ..
            }) => Some(d.reference.to_string()),
            _ => None,
        })
        .collect();
    let mut taken_refs: HashSet<String> =
        existing(conn, "SELECT ref FROM tickets WHERE ref IN", &refs).await?;

    let mut plan = Plan {
        categories: vec![],
        users: vec![],
        teams: vec![],
        contacts: vec![],
        events: BTreeMap::new(),
        already_present: 0,
    };
    let mut seen_events = HashSet::new();
    for (line, r) in records {
        let line = *line;
        match r {
            Record::Header { format, version } => {
                if format != FORMAT_NAME || *version != FORMAT_VERSION {
                    err(line, format!("header: '{format}' version {version} is not supported; accepted: {FORMAT_NAME} version {FORMAT_VERSION}"));
                }
            }
            Record::Category(c) => {
                if let Err(e) = guichet_domain::check_category_key(&c.key) {
                    err(line, e.to_string());
                } else if categories.contains(&c.key) {
                    // Already known: the store's own labels stay.
                } else if c.parent.as_ref().is_some_and(|p| !categories.contains(p)) {
                    err(line, format!("category parent: '{}' is unknown; accepted: a category defined on an earlier line or in the store", c.parent.as_deref().unwrap_or_default()));
                } else {
                    categories.insert(c.key.clone());
                    plan.categories.push(c.clone());
                }
            }
            Record::User(u) => match User::new(&u.login, &u.name, u.email.as_deref()) {
                Err(e) => err(line, e.to_string()),
                Ok(_) if users.contains(&u.id) => {}
                Ok(_) if logins.contains_key(&u.login) => err(line, format!("login: '{}' is already used by another user; accepted: a login not yet taken", u.login)),
                Ok(_) => {
                    users.insert(u.id);
                    logins.insert(u.login.clone(), u.id);
                    plan.users.push(u.clone());
                }
            },
            Record::Team(t) => {
                if let Some(m) = t.members.iter().find(|m| !users.contains(m)) {
                    err(line, format!("team member: '{m}' is unknown; accepted: a user defined on an earlier line or in the store"));
                } else if let Err(e) = Team::new(&t.name) {
                    err(line, e.to_string());
                } else if teams.insert(t.id) {
                    plan.teams.push(t.clone());
                }
            }
            Record::Contact(c) => {
                if let Err(e) = Contact::new(&c.name, c.email.as_deref(), None) {
                    err(line, e.to_string());
                } else if contacts.insert(c.id) {
                    plan.contacts.push(c.clone());
                }
            }
            Record::Event(e) => {
                if !seen_events.insert(e.id) {
                    err(line, format!("id: event '{}' appears twice in the file; accepted: each event once", e.id));
                    continue;
                }
                if present_events.contains(&e.id.to_string()) {
                    plan.already_present += 1;
                    continue;
                }
                if let Err(problem) = check_event(e, &categories, &users, &teams, &contacts, &mut tickets, &mut taken_refs) {
                    err(line, problem);
                    continue;
                }
                plan.events.entry(e.ticket).or_default().push(e.clone());
            }
        }
    }
    Ok(plan)
}

fn check_event(
    e: &Event,
    categories: &HashSet<String>,
    users: &HashSet<guichet_domain::UserId>,
    teams: &HashSet<guichet_domain::TeamId>,
    contacts: &HashSet<guichet_domain::ContactId>,
    tickets: &mut HashSet<String>,
    refs: &mut HashSet<String>,
) -> std::result::Result<(), String> {
    e.kind.validate().map_err(|d| d.to_string())?;
    let unknown = |field: &str, v: String, where_: &str| {
        format!("{field}: '{v}' is unknown; accepted: {where_} defined on an earlier line or in the store")
    };
    if !users.contains(&e.actor) {
        return Err(unknown("actor", e.actor.to_string(), "a user"));
    }
    let user = |field: &str, u: Option<guichet_domain::UserId>| match u {
        Some(u) if !users.contains(&u) => Err(unknown(field, u.to_string(), "a user")),
        _ => Ok(()),
    };
    let team = |t: Option<guichet_domain::TeamId>| match t {
        Some(t) if !teams.contains(&t) => Err(unknown("team", t.to_string(), "a team")),
        _ => Ok(()),
    };
    let requester = |p: Option<Party>| match p {
        Some(Party::User(u)) => user("requester", Some(u)),
        Some(Party::Contact(c)) if !contacts.contains(&c) => {
            Err(unknown("requester", c.to_string(), "a contact"))
        }
        _ => Ok(()),
    };
    let category = |c: &str| {
        if categories.contains(c) {
            Ok(())
        } else {
            Err(unknown("category", c.to_string(), "a category"))
        }
    };
    match &e.kind {
        EventKind::Created(d) => {
            if tickets.contains(&e.ticket.to_string()) {
                return Err(format!("ticket: '{}' is created twice; accepted: one creation event per ticket", e.ticket));
            }
            if !refs.insert(d.reference.to_string()) {
                return Err(format!("reference: '{}' is already used by another ticket; accepted: a reference not yet taken", d.reference));
            }
            category(&d.category)?;
            user("assignee", d.assignee)?;
            team(d.team)?;
            requester(d.requester)?;
            tickets.insert(e.ticket.to_string());
            Ok(())
        }
        _ if !tickets.contains(&e.ticket.to_string()) => Err(format!(
            "ticket: '{}' has no creation event before this line and is not in the store; accepted: events after their ticket's creation",
            e.ticket
        )),
        EventKind::Changed(Change::Category { new, .. }) => category(new),
        EventKind::Changed(Change::Assignee { new, .. }) => user("assignee", *new),
        EventKind::Changed(Change::Team { new, .. }) => team(*new),
        EventKind::Changed(Change::Requester { new, .. }) => requester(*new),
        EventKind::WatcherAdded { user: u } => user("watcher", Some(*u)),
        _ => Ok(()),
    }
}

/// A ticket's stored events.
pub(crate) async fn stored_events(conn: &mut SqliteConnection, ticket: &str) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT id, ticket_id, actor, hlc, at, payload FROM events WHERE ticket_id = ?",
    )
    .bind(ticket)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// Which of `values` the query finds, asked in chunks.
async fn existing(
    conn: &mut SqliteConnection,
    head: &str,
    values: &[String],
) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in values.chunks(500) {
        let sql = format!("{head} ({})", vec!["?"; chunk.len()].join(", "));
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for v in chunk {
            q = q.bind(v);
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

async fn apply(conn: &mut SqliteConnection, plan: Plan) -> Result<ImportReport> {
    let mut report = ImportReport {
        categories: plan.categories.len(),
        users: plan.users.len(),
        teams: plan.teams.len(),
        contacts: plan.contacts.len(),
        already_present: plan.already_present,
        ..Default::default()
    };
    for c in &plan.categories {
        insert_category(conn, c).await?;
    }
    for u in &plan.users {
        insert_user(conn, u).await?;
    }
    for t in &plan.teams {
        insert_team(conn, t).await?;
    }
    for c in &plan.contacts {
        insert_contact(conn, c).await?;
    }
    let replica = meta_get(conn, "replica").await?.unwrap_or_default();
    let mut clock = load_clock(conn).await?;
    let mut next_number: u64 = meta_get(conn, "next_number")
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut next_n: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(n), 0) + 1 FROM tickets")
        .fetch_one(&mut *conn)
        .await?;
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    for (ticket_id, mut events) in plan.events {
        // Creation first, then clock order: the order every replica applies.
        events.sort_by_key(|e| (!matches!(e.kind, EventKind::Created(_)), e.hlc));
        for e in &events {
            clock.observe(e.hlc);
        }
        let (n, before) = if matches!(events[0].kind, EventKind::Created(_)) {
            next_n += 1;
            (next_n - 1, None)
        } else {
            let (n, t) = load_ticket(conn, &ticket_id.to_string()).await?;
            (n, Some(t))
        };
        let latest: Option<String> = match &before {
            Some(_) => {
                sqlx::query_scalar("SELECT MAX(hlc) FROM events WHERE ticket_id = ?")
                    .bind(ticket_id.to_string())
                    .fetch_one(&mut *conn)
                    .await?
            }
            None => None,
        };
        let late = latest.is_some_and(|l| events.iter().any(|e| e.hlc.to_string() < l));
        let after = match &before {
            Some(_) if late => {
                // An event older than what the ticket already holds (a
                // pull after offline work): tags, watchers and links are
                // sets whose adds and removes depend on order, so the
                // ticket is replayed from its whole log in clock order,
                // which gives every replica the same state.
                let mut all = stored_events(conn, &ticket_id.to_string()).await?;
                all.extend(events.iter().cloned());
                all.sort_by_key(|e| (!matches!(e.kind, EventKind::Created(_)), e.hlc));
                Ticket::replay(&all).expect("stored log starts with its creation")
            }
            Some(t) => {
                let mut t = t.clone();
                events.iter().for_each(|e| t.apply(e));
                t
            }
            None => {
                report.tickets += 1;
                Ticket::replay(&events).expect("checked: starts with its creation")
            }
        };
        if after.reference.replica.to_string() == replica {
            next_number = next_number.max(after.reference.number + 1);
        }
        report.events += events.len();
        batch.push(Persist {
            n,
            before,
            after,
            events,
        });
        if batch.len() >= IMPORT_BATCH {
            persist(conn, &batch).await?;
            batch.clear();
        }
    }
    persist(conn, &batch).await?;
    meta_set(conn, "next_number", &next_number.to_string()).await?;
    save_clock(conn, &clock).await?;
    Ok(report)
}

/// A complete export file of a generated firm (see [`guichet_domain::demo`]):
/// `tickets` tickets of `events` events each, from `seed`. Demo data and the
/// benchmarks' data set are made with it.
pub fn demo_jsonl(seed: u64, tickets: usize, events: usize) -> Vec<u8> {
    use guichet_domain::demo::Generator;
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-05T08:00:00Z")
        .expect("valid")
        .to_utc();
    // "KANZ" is the demo firm's replica code; it cannot clash with a random local one often,
    // and when it does the import reports the taken references instead of writing.
    let mut g = Generator::new(seed, "KANZ".parse().expect("valid code"), start);
    let mut out = Vec::new();
    let mut line = |r: Record| {
        serde_json::to_writer(&mut out, &r).expect("records serialise");
        out.push(b'\n');
    };
    line(Record::Header {
        format: FORMAT_NAME.into(),
        version: FORMAT_VERSION,
    });
    let firm = g.firm().clone();
    firm.users.into_iter().for_each(|u| line(Record::User(u)));
    firm.teams.into_iter().for_each(|t| line(Record::Team(t)));
    firm.contacts
        .into_iter()
        .for_each(|c| line(Record::Contact(c)));
    for _ in 0..tickets {
        for e in g.ticket(events) {
            line(Record::Event(e));
        }
    }
    out
}
