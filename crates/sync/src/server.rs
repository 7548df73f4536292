//! One user's connection to the shared database. Everything here runs with
//! that user's own credentials: row-level security and the write trigger
//! decide what they see and may do.

use crate::{Error, Result};
use guichet_domain::{
    Category, Contact, Event, EventId, ReplicaCode, Team, TeamId, TicketId, User, UserId,
};
use guichet_store::Directory;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Row};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

/// A position in the server's log: the last (commit number, sequence)
/// applied. Commit numbers are drawn at COMMIT under a lock held until the
/// commit is visible, so they become visible in order: a transaction that
/// commits late has a later number and is read by a later pull, never skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub commit: i64,
    pub seq: i64,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.commit, self.seq)
    }
}

impl FromStr for Cursor {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let (a, b) = s
            .split_once(':')
            .ok_or_else(|| format!("cursor: '{s}' is not COMMIT:SEQ"))?;
        Ok(Cursor {
            commit: a
                .parse()
                .map_err(|_| format!("cursor: '{s}' is not COMMIT:SEQ"))?,
            seq: b
                .parse()
                .map_err(|_| format!("cursor: '{s}' is not COMMIT:SEQ"))?,
        })
    }
}

/// The connected user as the server knows them.
#[derive(Debug, Clone)]
pub struct ServerUser {
    pub user: User,
    pub role: String,
}

/// One pulled page.
#[derive(Debug, Default)]
pub struct Page {
    pub events: Vec<Event>,
    pub last: Option<Cursor>,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    /// Taken, or already there (a retry): acknowledged.
    pub accepted: Vec<EventId>,
    /// Refused by the database, with its reason.
    pub refused: Vec<(EventId, String)>,
}

/// A connection pool of one user.
#[derive(Clone)]
pub struct Server {
    pool: PgPool,
    options: PgConnectOptions,
}

/// Parses a connection URL (`postgres://login@host/db?sslmode=verify-full…`)
/// and applies the password, when one is given apart from the URL.
pub fn options(url: &str, password: Option<&str>) -> Result<PgConnectOptions> {
    let mut o = PgConnectOptions::from_str(url).map_err(|e| {
        guichet_domain::DomainError::invalid(
            "database_url",
            format!("is not a PostgreSQL URL ({e})"),
            "postgres://LOGIN@HOST:PORT/DATABASE, with ?sslmode=verify-full&sslrootcert=FILE for TLS",
        )
    })?;
    if let Some(p) = password {
        o = o.password(p);
    }
    Ok(o.application_name("guichet"))
}

impl Server {
    pub async fn connect(url: &str, password: Option<&str>) -> Result<Server> {
        let options = options(url, password)?;
        Server::connect_with(options).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> Result<Server> {
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        Ok(Server { pool, options })
    }

    /// A server whose connections are made when first needed: the desktop
    /// app starts offline just as well, and the engine reports it.
    pub fn connect_lazy(url: &str, password: Option<&str>) -> Result<Server> {
        let options = options(url, password)?;
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options.clone());
        Ok(Server { pool, options })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn options(&self) -> &PgConnectOptions {
        &self.options
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Who the server says is connected, or an error when the login is no
    /// active Guichet user.
    pub async fn whoami(&self) -> Result<ServerUser> {
        let row = sqlx::query(
            "SELECT id::text, login, name, email, active, role FROM guichet.users WHERE login = session_user",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Err(Error::Forbidden(
                "this database login is not a Guichet user; ask the administrator to run `guichet admin user add`".into(),
            ));
        };
        let user = user_from_row(&r)?;
        if !user.active {
            return Err(Error::Login);
        }
        Ok(ServerUser {
            user,
            role: r.get("role"),
        })
    }

    /// Reserves a replica code for a new PC: unique on the server, so ticket
    /// references made offline on different PCs never collide.
    pub async fn register_replica(&self) -> Result<ReplicaCode> {
        for _ in 0..50 {
            let b = uuid::Uuid::new_v4().into_bytes();
            let code = ReplicaCode::from_number(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let done = sqlx::query(
                "INSERT INTO guichet.replicas(code, user_id) VALUES ($1, guichet.me()) ON CONFLICT (code) DO NOTHING",
            )
            .bind(code.number() as i32)
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                return Ok(code);
            }
        }
        Err(Error::Refused(
            "no free replica code found; accepted: fewer than a million PCs".into(),
        ))
    }

    /// Pushes events in one transaction; each in a savepoint, so a refused
    /// event (permissions) does not hold back the others. An event already
    /// on the server (a retry after a lost acknowledgement) is accepted and
    /// applied nothing twice.
    pub async fn push(&self, events: &[Event]) -> Result<Pushed> {
        let mut out = Pushed::default();
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        for e in events {
            sqlx::query("SAVEPOINT ev").execute(&mut *tx).await?;
            let r = sqlx::query(
                "INSERT INTO guichet.events(id, ticket_id, actor, hlc, at, kind, payload) \
                 VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb)",
            )
            .bind(e.id.to_string())
            .bind(e.ticket.to_string())
            .bind(e.actor.to_string())
            .bind(e.hlc.to_string())
            .bind(e.at)
            .bind(e.kind.name())
            .bind(serde_json::to_string(&e.kind).expect("events serialise"))
            .execute(&mut *tx)
            .await;
            match r.map_err(Error::from) {
                Ok(_) => {
                    sqlx::query("RELEASE SAVEPOINT ev")
                        .execute(&mut *tx)
                        .await?;
                    out.accepted.push(e.id);
                }
                Err(Error::Forbidden(m)) | Err(Error::Refused(m)) => {
                    sqlx::query("ROLLBACK TO SAVEPOINT ev")
                        .execute(&mut *tx)
                        .await?;
                    out.refused.push((e.id, m));
                }
                Err(other) => return Err(other),
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Adds contacts entered on a PC (they are needed by others to show a
    /// ticket's requester). Existing ones are left as they are.
    pub async fn push_contacts(&self, contacts: &[Contact]) -> Result<()> {
        for c in contacts {
            sqlx::query(
                "INSERT INTO guichet.contacts(id, name, email, organisation) VALUES ($1::uuid, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(c.id.to_string())
            .bind(&c.name)
            .bind(&c.email)
            .bind(&c.organisation)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Starts a pull: one read-only snapshot for the directory, the access
    /// log and every page.
    pub async fn begin_pull(&self) -> Result<Pull> {
        let mut conn = self.pool.acquire().await?.detach();
        sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut conn)
            .await?;
        Ok(Pull { conn })
    }
}

/// A pull in progress: one consistent snapshot of the server.
pub struct Pull {
    conn: PgConnection,
}

impl Pull {
    pub async fn finish(mut self) -> Result<()> {
        sqlx::query("COMMIT").execute(&mut self.conn).await?;
        let _ = self.conn.close().await;
        Ok(())
    }

    /// The directory: users, teams with members, categories, contacts (as
    /// far as this user may read them).
    pub async fn directory(&mut self) -> Result<Directory> {
        let users = sqlx::query(
            "SELECT id::text, login, name, email, active FROM guichet.users ORDER BY login",
        )
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(user_from_row)
        .collect::<Result<Vec<_>>>()?;
        let members: Vec<(String, String)> =
            sqlx::query_as("SELECT team_id::text, user_id::text FROM guichet.team_members")
                .fetch_all(&mut self.conn)
                .await?;
        let mut by_team: HashMap<String, Vec<UserId>> = HashMap::new();
        for (t, u) in members {
            by_team.entry(t).or_default().push(parse_id(&u)?);
        }
        let teams =
            sqlx::query("SELECT id::text, name, lead::text FROM guichet.teams ORDER BY name")
                .fetch_all(&mut self.conn)
                .await?
                .iter()
                .map(|r| {
                    let id: String = r.get(0);
                    Ok(Team {
                        id: parse_id::<TeamId>(&id)?,
                        name: r.get(1),
                        members: by_team.remove(&id).unwrap_or_default(),
                        lead: r
                            .get::<Option<String>, _>(2)
                            .map(|l| parse_id(&l))
                            .transpose()?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
        let categories = sqlx::query(
            "SELECT key, parent, name_en, name_fr, name_de, confidential FROM guichet.categories ORDER BY key",
        )
        .fetch_all(&mut self.conn)
        .await?
        .iter()
        .map(|r| Category {
            key: r.get(0),
            parent: r.get(1),
            name_en: r.get(2),
            name_fr: r.get(3),
            name_de: r.get(4),
            confidential: r.get(5),
        })
        .collect();
        let contacts =
            sqlx::query("SELECT id::text, name, email, organisation FROM guichet.contacts")
                .fetch_all(&mut self.conn)
                .await?
                .iter()
                .map(|r| {
                    Ok(Contact {
                        id: parse_id(&r.get::<String, _>(0))?,
                        name: r.get(1),
                        email: r.get(2),
                        organisation: r.get(3),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
        Ok(Directory {
            users,
            teams,
            contacts,
            categories,
        })
    }

    /// Entries of the access log after `after`: tickets whose visibility may
    /// have changed (`None`: everybody's may have).
    pub async fn access_changes(
        &mut self,
        after: Cursor,
    ) -> Result<(Vec<Option<TicketId>>, Option<Cursor>)> {
        let rows =
            sqlx::query("SELECT no, seq, ticket_id::text FROM guichet.access_changes($1, $2)")
                .bind(after.commit)
                .bind(after.seq)
                .fetch_all(&mut self.conn)
                .await?;
        let mut last = None;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            last = Some(cursor_from(r)?);
            out.push(
                r.get::<Option<String>, _>(2)
                    .map(|t| parse_id(&t))
                    .transpose()?,
            );
        }
        Ok((out, last))
    }

    /// Which of these tickets the user may see.
    pub async fn visible_among(&mut self, ids: &[TicketId]) -> Result<Vec<TicketId>> {
        let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT x::text FROM unnest($1::text[]::uuid[]) AS x WHERE guichet.can_see(x)",
        )
        .bind(&ids)
        .fetch_all(&mut self.conn)
        .await?;
        rows.iter().map(|r| parse_id(r)).collect()
    }

    /// Every ticket the user may see.
    pub async fn visible_ids(&mut self) -> Result<Vec<TicketId>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT v::text FROM guichet.visible_ids() AS v")
                .fetch_all(&mut self.conn)
                .await?;
        rows.iter().map(|r| parse_id(r)).collect()
    }

    /// The end of the log in this snapshot: every event and access entry
    /// up to it is in the snapshot, none after it.
    pub async fn log_end(&mut self) -> Result<Cursor> {
        let no: i64 = sqlx::query_scalar("SELECT guichet.log_end()")
            .fetch_one(&mut self.conn)
            .await?;
        Ok(Cursor {
            commit: no,
            seq: i64::MAX,
        })
    }

    /// The whole visible history of these tickets.
    pub async fn history(&mut self, ids: &[TicketId]) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(1_000) {
            let ids: Vec<String> = chunk.iter().map(|i| i.to_string()).collect();
            let rows = sqlx::query(
                "SELECT no, seq, id::text, ticket_id::text, actor::text, hlc, at, payload::text \
                 FROM guichet.history($1::text[]::uuid[])",
            )
            .bind(&ids)
            .fetch_all(&mut self.conn)
            .await?;
            for r in &rows {
                out.push(event_from_row(r)?);
            }
        }
        Ok(out)
    }

    /// The next page of events after `after`.
    pub async fn page(&mut self, after: Cursor, limit: u32) -> Result<Page> {
        let rows = sqlx::query(
            "SELECT no, seq, id::text, ticket_id::text, actor::text, hlc, at, payload::text \
             FROM guichet.pull($1, $2, $3)",
        )
        .bind(after.commit)
        .bind(after.seq)
        .bind(limit as i32)
        .fetch_all(&mut self.conn)
        .await?;
        let mut page = Page::default();
        for r in &rows {
            page.last = Some(cursor_from(r)?);
            page.events.push(event_from_row(r)?);
        }
        Ok(page)
    }
}

fn cursor_from(r: &sqlx::postgres::PgRow) -> Result<Cursor> {
    Ok(Cursor {
        commit: r.get(0),
        seq: r.get(1),
    })
}

fn event_from_row(r: &sqlx::postgres::PgRow) -> Result<Event> {
    let payload: String = r.get(7);
    Ok(Event {
        id: parse_id(&r.get::<String, _>(2))?,
        ticket: parse_id(&r.get::<String, _>(3))?,
        actor: parse_id(&r.get::<String, _>(4))?,
        hlc: r.get::<String, _>(5).parse().map_err(Error::Refused)?,
        at: r.get(6),
        kind: serde_json::from_str(&payload).map_err(|e| {
            Error::Refused(format!("server: an event's payload is unreadable ({e})"))
        })?,
    })
}

fn user_from_row(r: &sqlx::postgres::PgRow) -> Result<User> {
    Ok(User {
        id: parse_id(&r.get::<String, _>(0))?,
        login: r.get(1),
        name: r.get(2),
        email: r.get(3),
        active: r.get(4),
    })
}

pub(crate) fn parse_id<T: FromStr>(s: &str) -> Result<T> {
    s.parse()
        .map_err(|_| Error::Refused(format!("server: '{s}' is not an id")))
}
