//! Writing events and their projection. One path serves a single command and
//! an import of a million events: rows are gathered and written with
//! multi-row statements, which is what makes bulk import fast in SQLite.

use crate::error::Result;
use crate::rows::{priority_index, requester_cols};
use guichet_domain::{Event, EventKind, Ticket};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// One ticket to write: its row number, its state before (None when new),
/// after, and the events that led from one to the other.
pub(crate) struct Persist {
    pub n: i64,
    pub before: Option<Ticket>,
    pub after: Ticket,
    pub events: Vec<Event>,
}

#[derive(Clone)]
enum Val {
    I(i64),
    T(String),
    N,
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::T(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::T(v.to_string())
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::N, Into::into)
    }
}

/// Rows for one table, flushed as `INSERT … VALUES (…), (…), …` statements.
struct Rows {
    head: &'static str,
    tail: &'static str,
    width: usize,
    vals: Vec<Val>,
}

/// Rows per statement: well under SQLite's 32,766 bound parameters.
const CHUNK_PARAMS: usize = 2_000;

impl Rows {
    fn new(head: &'static str, width: usize, tail: &'static str) -> Rows {
        Rows {
            head,
            tail,
            width,
            vals: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Val>) {
        debug_assert_eq!(row.len(), self.width);
        self.vals.extend(row);
    }

    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        let per = (CHUNK_PARAMS / self.width).max(1) * self.width;
        for chunk in self.vals.chunks(per) {
            let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(self.head);
            qb.push(" ");
            qb.push_values(chunk.chunks(self.width), |mut b, row| {
                for v in row {
                    match v {
                        Val::I(i) => b.push_bind(*i),
                        Val::T(s) => b.push_bind(s.clone()),
                        Val::N => b.push_bind(None::<String>),
                    };
                }
            });
            qb.push(" ");
            qb.push(self.tail);
            qb.build().persistent(true).execute(&mut *conn).await?;
        }
        self.vals.clear();
        Ok(())
    }
}

/// Writes the tickets' rows, collection changes, events, comments and attachments.
pub(crate) async fn persist(conn: &mut SqliteConnection, items: &[Persist]) -> Result<()> {
    let mut tickets = Rows::new(
        "INSERT INTO tickets(n, id, ref, title, description, category, priority, status, assignee, team, \
         requester_kind, requester_id, matter, due, comments, created_at, created_by, updated_at, clocks)",
        19,
        "ON CONFLICT(n) DO UPDATE SET title = excluded.title, description = excluded.description, \
         category = excluded.category, priority = excluded.priority, status = excluded.status, \
         assignee = excluded.assignee, team = excluded.team, requester_kind = excluded.requester_kind, \
         requester_id = excluded.requester_id, matter = excluded.matter, due = excluded.due, \
         comments = excluded.comments, updated_at = excluded.updated_at, clocks = excluded.clocks",
    );
    let mut tags = Rows::new("INSERT INTO ticket_tags(ticket_n, tag)", 2, "");
    let mut watchers = Rows::new("INSERT INTO ticket_watchers(ticket_n, user_id)", 2, "");
    let mut links = Rows::new("INSERT INTO ticket_links(ticket_n, kind, target_id)", 3, "");
    let mut events = Rows::new(
        "INSERT INTO events(id, ticket_id, actor, hlc, at, kind, payload)",
        7,
        "",
    );
    let mut comments = Rows::new(
        "INSERT INTO comments(event_id, ticket_n, visibility, body, actor, at)",
        6,
        "",
    );
    let mut attachments = Rows::new(
        "INSERT INTO attachments(event_id, ticket_n, sha256, name, size, mime, hlc)",
        7,
        "",
    );

    for p in items {
        let t = &p.after;
        let (rk, rid) = requester_cols(t.requester);
        tickets.push(vec![
            p.n.into(),
            t.id.to_string().into(),
            t.reference.to_string().into(),
            t.title.as_str().into(),
            t.description.as_str().into(),
            t.category.as_str().into(),
            priority_index(t.priority).into(),
            t.status.as_str().into(),
            t.assignee.map(|u| u.to_string()).into(),
            t.team.map(|u| u.to_string()).into(),
            rk.into(),
            rid.into(),
            t.matter.clone().into(),
            t.due.map(|d| d.to_string()).into(),
            (t.comments as i64).into(),
            t.created_at.timestamp_micros().into(),
            t.created_by.to_string().into(),
            t.updated_at.timestamp_micros().into(),
            serde_json::to_string(&t.clocks)
                .expect("clocks serialise")
                .into(),
        ]);
        let empty = Ticket {
            tags: Default::default(),
            watchers: Default::default(),
            links: Default::default(),
            ..t.clone()
        };
        let before = p.before.as_ref().unwrap_or(&empty);
        for tag in t.tags.difference(&before.tags) {
            tags.push(vec![p.n.into(), tag.as_str().into()]);
        }
        for tag in before.tags.difference(&t.tags) {
            sqlx::query("DELETE FROM ticket_tags WHERE ticket_n = ? AND tag = ?")
                .bind(p.n)
                .bind(tag)
                .execute(&mut *conn)
                .await?;
        }
        for w in t.watchers.difference(&before.watchers) {
            watchers.push(vec![p.n.into(), w.to_string().into()]);
        }
        for w in before.watchers.difference(&t.watchers) {
            sqlx::query("DELETE FROM ticket_watchers WHERE ticket_n = ? AND user_id = ?")
                .bind(p.n)
                .bind(w.to_string())
                .execute(&mut *conn)
                .await?;
        }
        for l in t.links.difference(&before.links) {
            links.push(vec![
                p.n.into(),
                l.kind.as_str().into(),
                l.target.to_string().into(),
            ]);
        }
        for l in before.links.difference(&t.links) {
            sqlx::query(
                "DELETE FROM ticket_links WHERE ticket_n = ? AND kind = ? AND target_id = ?",
            )
            .bind(p.n)
            .bind(l.kind.as_str())
            .bind(l.target.to_string())
            .execute(&mut *conn)
            .await?;
        }
        for e in &p.events {
            let at = e.at.timestamp_micros();
            events.push(vec![
                e.id.to_string().into(),
                e.ticket.to_string().into(),
                e.actor.to_string().into(),
                e.hlc.to_string().into(),
                at.into(),
                e.kind.name().into(),
                serde_json::to_string(&e.kind)
                    .expect("events serialise")
                    .into(),
            ]);
            match &e.kind {
                EventKind::Commented { visibility, body } => comments.push(vec![
                    e.id.to_string().into(),
                    p.n.into(),
                    visibility.as_str().into(),
                    body.as_str().into(),
                    e.actor.to_string().into(),
                    at.into(),
                ]),
                EventKind::AttachmentAdded { attachment: a } => attachments.push(vec![
                    e.id.to_string().into(),
                    p.n.into(),
                    a.sha256.as_str().into(),
                    a.name.as_str().into(),
                    (a.size as i64).into(),
                    a.mime.as_str().into(),
                    e.hlc.to_string().into(),
                ]),
                _ => {}
            }
        }
    }
    // Tickets first: the other tables refer to them.
    tickets.flush(conn).await?;
    tags.flush(conn).await?;
    watchers.flush(conn).await?;
    links.flush(conn).await?;
    events.flush(conn).await?;
    comments.flush(conn).await?;
    attachments.flush(conn).await?;
    Ok(())
}
