//! Commands that change tickets: each one a single immediate transaction.

use crate::error::{Error, Result};
use crate::persist::{persist, Persist};
use crate::rows::load_ticket;
use crate::{load_clock, now, save_clock, Store};
use guichet_domain::{
    Change, Edit, Event, EventId, EventKind, Link, LinkKind, NewTicket, Party, Ticket, TicketId,
    TicketRef, UserId, Visibility,
};
use sqlx::SqliteConnection;

impl Store {
    /// Records a new ticket; returns it as stored.
    pub async fn create_ticket(&self, actor: UserId, input: NewTicket) -> Result<Ticket> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            check_actor(&mut tx, actor).await?;
            let replica = self.replica_in(&mut tx).await?;
            let number: i64 = sqlx::query_scalar(
                "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_number'",
            )
            .fetch_one(&mut *tx)
            .await?;
            let data = input.validate(TicketRef {
                replica,
                number: number as u64,
            })?;
            let kind = EventKind::Created(Box::new(data));
            check_refs(&mut tx, None, &kind).await?;
            sqlx::query("UPDATE meta SET value = CAST(? AS TEXT) WHERE key = 'next_number'")
                .bind(number + 1)
                .execute(&mut *tx)
                .await?;
            let n: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(n), 0) + 1 FROM tickets")
                .fetch_one(&mut *tx)
                .await?;
            let mut clock = load_clock(&mut tx).await?;
            let at = now();
            let event = Event {
                id: EventId::new(),
                ticket: TicketId::new(),
                actor,
                hlc: clock.tick(at.timestamp_millis() as u64),
                at,
                kind,
            };
            let ticket = Ticket::replay([&event]).expect("a creation event");
            persist(
                &mut tx,
                &[Persist {
                    n,
                    before: None,
                    after: ticket.clone(),
                    events: vec![event],
                }],
            )
            .await?;
            save_clock(&mut tx, &clock).await?;
            tx.commit().await?;
            tracing::debug!(ticket = %ticket.id, "ticket created");
            Ok(ticket)
        })
        .await
    }

    /// Applies edits of overwritten fields together; an edit that changes
    /// nothing writes nothing. Returns the ticket after the edits.
    pub async fn edit_ticket(&self, actor: UserId, key: &str, edits: Vec<Edit>) -> Result<Ticket> {
        let workflow = self.workflow.clone();
        self.write(actor, key, move |t| {
            let mut current = t.clone();
            let mut kinds = Vec::new();
            for edit in edits {
                if let Some(change) = current.edit(edit, &workflow)? {
                    apply_change(&mut current, &change);
                    kinds.push(EventKind::Changed(change));
                }
            }
            Ok(kinds)
        })
        .await
        .map(|(t, _)| t)
    }

    /// Adds a reply (visible to the requester) or an internal note.
    pub async fn comment(
        &self,
        actor: UserId,
        key: &str,
        visibility: Visibility,
        body: &str,
    ) -> Result<Event> {
        let kind = EventKind::comment(visibility, body)?;
        let (_, mut events) = self.write(actor, key, move |_| Ok(vec![kind])).await?;
        Ok(events.remove(0))
    }

    pub async fn tag(&self, actor: UserId, key: &str, add: bool, tag: &str) -> Result<Ticket> {
        let kind = EventKind::tag(add, tag)?;
        self.write(actor, key, move |t| {
            let present = match &kind {
                EventKind::TagAdded { tag } | EventKind::TagRemoved { tag } => t.tags.contains(tag),
                _ => unreachable!(),
            };
            Ok(if present == add { vec![] } else { vec![kind] })
        })
        .await
        .map(|(t, _)| t)
    }

    pub async fn watch(&self, actor: UserId, key: &str, add: bool, user: UserId) -> Result<Ticket> {
        self.write(actor, key, move |t| {
            Ok(match (add, t.watchers.contains(&user)) {
                (true, false) => vec![EventKind::WatcherAdded { user }],
                (false, true) => vec![EventKind::WatcherRemoved { user }],
                _ => vec![],
            })
        })
        .await
        .map(|(t, _)| t)
    }

    /// Links `key` to `target`: `parent` means the target is the parent.
    pub async fn link(
        &self,
        actor: UserId,
        key: &str,
        kind: LinkKind,
        target: &str,
        add: bool,
    ) -> Result<Ticket> {
        let mut conn = self.pool.acquire().await?;
        let (_, target) =
            self.guard(load_ticket(&mut conn, target))
                .await
                .map_err(|e| match e {
                    Error::NotFound { key, .. } => Error::NotFound {
                        what: "link target ticket",
                        key,
                    },
                    e => e,
                })?;
        drop(conn);
        let link = Link {
            kind,
            target: target.id,
        };
        self.write(actor, key, move |t| {
            if t.id == link.target {
                return Err(guichet_domain::DomainError::invalid(
                    "link target",
                    "is the ticket itself",
                    "another ticket's reference",
                )
                .into());
            }
            Ok(match (add, t.links.contains(&link)) {
                (true, false) => vec![EventKind::LinkAdded { link }],
                (false, true) => vec![EventKind::LinkRemoved { link }],
                _ => vec![],
            })
        })
        .await
        .map(|(t, _)| t)
    }

    /// The common path of every change to an existing ticket: load it under
    /// the write lock, let `decide` check and produce event kinds, check what
    /// they refer to, stamp them, apply them, write everything, commit.
    pub(crate) async fn write<F>(
        &self,
        actor: UserId,
        key: &str,
        decide: F,
    ) -> Result<(Ticket, Vec<Event>)>
    where
        F: FnOnce(&Ticket) -> Result<Vec<EventKind>>,
    {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            check_actor(&mut tx, actor).await?;
            let (n, before) = load_ticket(&mut tx, key).await?;
            let kinds = decide(&before)?;
            if kinds.is_empty() {
                return Ok((before, Vec::new()));
            }
            for k in &kinds {
                check_refs(&mut tx, Some(&before), k).await?;
            }
            let mut clock = load_clock(&mut tx).await?;
            let at = now();
            let events: Vec<Event> = kinds
                .into_iter()
                .map(|kind| Event {
                    id: EventId::new(),
                    ticket: before.id,
                    actor,
                    hlc: clock.tick(at.timestamp_millis() as u64),
                    at,
                    kind,
                })
                .collect();
            let mut after = before.clone();
            for e in &events {
                after.apply(e);
            }
            persist(
                &mut tx,
                &[Persist {
                    n,
                    before: Some(before),
                    after: after.clone(),
                    events: events.clone(),
                }],
            )
            .await?;
            save_clock(&mut tx, &clock).await?;
            tx.commit().await?;
            tracing::debug!(ticket = %after.id, events = events.len(), "ticket changed");
            Ok((after, events))
        })
        .await
    }

    async fn replica_in(&self, conn: &mut SqliteConnection) -> Result<guichet_domain::ReplicaCode> {
        let code = crate::meta_get(conn, "replica").await?.unwrap_or_default();
        code.parse().map_err(|d| Error::Corrupt {
            path: crate::db_path(&self.dir),
            detail: d,
        })
    }
}

pub(crate) fn apply_change(t: &mut Ticket, change: &Change) {
    // Applying through a throw-away event keeps one definition of what a change does.
    let e = Event {
        id: EventId::new(),
        ticket: t.id,
        actor: t.created_by,
        hlc: guichet_domain::Hlc {
            millis: u64::MAX,
            counter: 0,
            node: 0,
        },
        at: t.updated_at,
        kind: EventKind::Changed(change.clone()),
    };
    t.apply(&e);
}

async fn check_actor(conn: &mut SqliteConnection, actor: UserId) -> Result<()> {
    let active: Option<i64> = sqlx::query_scalar("SELECT active FROM users WHERE id = ?")
        .bind(actor.to_string())
        .fetch_optional(conn)
        .await?;
    match active {
        Some(1) => Ok(()),
        Some(_) => Err(Error::Conflict {
            field: "user",
            problem: "this user is disabled and may not change tickets".into(),
        }),
        None => Err(Error::Unknown {
            field: "user",
            value: actor.to_string(),
            accepted: "a user of this data directory".into(),
        }),
    }
}

/// Checks that what an event refers to exists: category, users, team,
/// requester, link target. The same checks serve commands and imports.
pub(crate) async fn check_refs(
    conn: &mut SqliteConnection,
    _ticket: Option<&Ticket>,
    kind: &EventKind,
) -> Result<()> {
    match kind {
        EventKind::Created(d) => {
            check_category(conn, &d.category).await?;
            if let Some(u) = d.assignee {
                check_user(conn, "assignee", u, true).await?;
            }
            if let Some(t) = d.team {
                check_team(conn, t).await?;
            }
            check_requester(conn, d.requester).await
        }
        EventKind::Changed(Change::Category { new, .. }) => check_category(conn, new).await,
        EventKind::Changed(Change::Assignee { new: Some(u), .. }) => {
            check_user(conn, "assignee", *u, true).await
        }
        EventKind::Changed(Change::Team { new: Some(t), .. }) => check_team(conn, *t).await,
        EventKind::Changed(Change::Requester { new, .. }) => check_requester(conn, *new).await,
        EventKind::WatcherAdded { user } => check_user(conn, "watcher", *user, false).await,
        _ => Ok(()),
    }
}

async fn check_category(conn: &mut SqliteConnection, key: &str) -> Result<()> {
    let found: Option<String> = sqlx::query_scalar("SELECT key FROM categories WHERE key = ?")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_some() {
        return Ok(());
    }
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM categories ORDER BY key")
        .fetch_all(conn)
        .await?;
    Err(Error::Unknown {
        field: "category",
        value: key.to_string(),
        accepted: keys.join(", "),
    })
}

async fn check_user(
    conn: &mut SqliteConnection,
    field: &'static str,
    id: UserId,
    must_be_active: bool,
) -> Result<()> {
    let active: Option<i64> = sqlx::query_scalar("SELECT active FROM users WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    match active {
        Some(0) if must_be_active => Err(Error::Conflict {
            field,
            problem: "this user is disabled; choose an active user".into(),
        }),
        Some(_) => Ok(()),
        None => Err(Error::Unknown {
            field,
            value: id.to_string(),
            accepted: "a user's login (see `guichet user list`)".into(),
        }),
    }
}

async fn check_team(conn: &mut SqliteConnection, id: guichet_domain::TeamId) -> Result<()> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM teams WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    found.map(drop).ok_or_else(|| Error::Unknown {
        field: "team",
        value: id.to_string(),
        accepted: "a team's name (see `guichet team list`)".into(),
    })
}

async fn check_requester(conn: &mut SqliteConnection, p: Option<Party>) -> Result<()> {
    match p {
        None => Ok(()),
        Some(Party::User(u)) => check_user(conn, "requester", u, false).await,
        Some(Party::Contact(c)) => {
            let found: Option<String> = sqlx::query_scalar("SELECT id FROM contacts WHERE id = ?")
                .bind(c.to_string())
                .fetch_optional(conn)
                .await?;
            found.map(drop).ok_or_else(|| Error::Unknown {
                field: "requester",
                value: c.to_string(),
                accepted: "a user's login or a contact (see `guichet contact list`)".into(),
            })
        }
    }
}
