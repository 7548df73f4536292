//! Reads: list views, full-text search, one ticket, its history and comments.

use crate::error::{Error, Result};
use crate::micros_to_time;
use crate::rows::{load_ticket, priority_from, priority_index};
use crate::Store;
use chrono::{DateTime, NaiveDate, Utc};
use guichet_domain::{DomainError, Event, Priority, Status, TeamId, Ticket, UserId, Visibility};
use serde::Serialize;
use sqlx::{QueryBuilder, Row, Sqlite};

/// How a list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Most recently changed first: the default of every view.
    #[default]
    Updated,
    Created,
    /// Soonest due date first; tickets without one last.
    Due,
    /// Most urgent first, then most recently changed.
    Priority,
}

/// A list view's filters. Empty vectors and `None` mean "any".
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    /// `Some(None)`: unassigned tickets only.
    pub assignee: Option<Option<UserId>>,
    pub team: Option<TeamId>,
    /// A category and everything below it.
    pub category: Option<String>,
    pub requester: Option<String>,
    pub tag: Option<String>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    /// Full-text search over title, description and comments.
    pub text: Option<String>,
    pub sort: Sort,
    pub limit: u32,
    pub offset: u32,
}

impl ListQuery {
    /// The page size asked for: 50 when unset, at most 10,000.
    pub fn page_size(&self) -> u32 {
        if self.limit == 0 {
            50
        } else {
            self.limit.min(10_000)
        }
    }

    /// Only a text search, newest first: what the search box asks.
    pub fn is_text_only(&self) -> bool {
        let ListQuery {
            statuses,
            priorities,
            assignee,
            team,
            category,
            requester,
            tag,
            due_from,
            due_to,
            text: _,
            sort,
            limit: _,
            offset: _,
        } = self;
        statuses.is_empty()
            && priorities.is_empty()
            && assignee.is_none()
            && team.is_none()
            && category.is_none()
            && requester.is_none()
            && tag.is_none()
            && due_from.is_none()
            && due_to.is_none()
            && *sort == Sort::Updated
    }
}

/// One row of a list view.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketSummary {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub category: String,
    pub priority: Priority,
    pub status: Status,
    pub assignee: Option<String>,
    pub team: Option<String>,
    pub due: Option<NaiveDate>,
    pub comments: i64,
    pub updated_at: DateTime<Utc>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub event_id: String,
    pub visibility: Visibility,
    pub body: String,
    pub author: String,
    pub at: DateTime<Utc>,
}

/// Turns what a person types into an FTS5 query: every word must match, as a
/// prefix, with FTS5's own syntax characters taken as separators.
pub(crate) fn fts_query(text: &str) -> Result<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() {
        return Err(DomainError::invalid(
            "search",
            format!("'{text}' has no word to look for"),
            "at least one letter or digit",
        )
        .into());
    }
    Ok(words.join(" "))
}

impl Store {
    /// One ticket by reference or id.
    pub async fn ticket(&self, key: &str) -> Result<Ticket> {
        let mut conn = self.pool.acquire().await?;
        self.guard(load_ticket(&mut conn, key))
            .await
            .map(|(_, t)| t)
    }

    /// The ticket's events, oldest first.
    pub async fn history(&self, key: &str) -> Result<Vec<Event>> {
        self.guard(async {
            let mut conn = self.pool.acquire().await?;
            let (_, t) = load_ticket(&mut conn, key).await?;
            let rows = sqlx::query("SELECT id, ticket_id, actor, hlc, at, payload FROM events WHERE ticket_id = ? ORDER BY hlc")
                .bind(t.id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            rows.iter().map(event_from_row).collect()
        })
        .await
    }

    pub async fn comments(&self, key: &str) -> Result<Vec<Comment>> {
        self.guard(async {
            let mut conn = self.pool.acquire().await?;
            let (n, _) = load_ticket(&mut conn, key).await?;
            let rows = sqlx::query(
                "SELECT c.event_id, c.visibility, c.body, COALESCE(u.login, c.actor) AS author, c.at \
                 FROM comments c LEFT JOIN users u ON u.id = c.actor WHERE c.ticket_n = ? ORDER BY c.at, c.n",
            )
            .bind(n)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Comment {
                        event_id: r.get("event_id"),
                        visibility: r.get::<String, _>("visibility").parse()?,
                        body: r.get("body"),
                        author: r.get("author"),
                        at: micros_to_time(r.get("at")),
                    })
                })
                .collect()
        })
        .await
    }

    /// A page of a list view.
    pub async fn list(&self, q: &ListQuery) -> Result<Vec<TicketSummary>> {
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT t.id, t.ref, t.title, t.category, t.priority, t.status, u.login AS assignee, tm.name AS team, \
             t.due, t.comments, t.updated_at FROM tickets t \
             LEFT JOIN users u ON u.id = t.assignee LEFT JOIN teams tm ON tm.id = t.team WHERE 1 = 1",
        );
        let limit = q.page_size();
        push_filters(&mut qb, q, limit)?;
        qb.push(match q.sort {
            Sort::Updated => " ORDER BY t.updated_at DESC, t.n DESC",
            Sort::Created => " ORDER BY t.created_at DESC, t.n DESC",
            Sort::Due => " ORDER BY t.due IS NULL, t.due, t.n",
            Sort::Priority => " ORDER BY t.priority DESC, t.updated_at DESC",
        });
        let limit = if q.limit == 0 {
            50
        } else {
            q.limit.min(10_000)
        };
        qb.push(" LIMIT ")
            .push_bind(limit as i64)
            .push(" OFFSET ")
            .push_bind(q.offset as i64);
        self.guard(async {
            let rows = qb.build().fetch_all(&self.pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(TicketSummary {
                        id: r.get("id"),
                        reference: r.get("ref"),
                        title: r.get("title"),
                        category: r.get("category"),
                        priority: priority_from(r.get("priority")),
                        status: r.get::<String, _>("status").parse()?,
                        assignee: r.get("assignee"),
                        team: r.get("team"),
                        due: r
                            .get::<Option<String>, _>("due")
                            .and_then(|d| d.parse().ok()),
                        comments: r.get("comments"),
                        updated_at: micros_to_time(r.get("updated_at")),
                    })
                })
                .collect()
        })
        .await
    }

    /// How many tickets the query finds in all (for a list's scroll bar).
    /// A text search counts among its newest matches only (see `text_capped`).
    pub async fn count(&self, q: &ListQuery) -> Result<i64> {
        let mut qb: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT COUNT(*) FROM tickets t WHERE 1 = 1");
        push_filters(&mut qb, q, q.page_size())?;
        self.guard(async { Ok(qb.build_query_scalar::<i64>().fetch_one(&self.pool).await?) })
            .await
    }

    /// Whether a text search with filters left matches out: true when an
    /// index holds more than [`TEXT_CANDIDATES`] matches, of which only the
    /// newest were considered.
    pub async fn text_capped(&self, text: &str) -> Result<bool> {
        let m = fts_query(text)?;
        self.guard(async {
            let sql = format!(
                "SELECT max((SELECT count(*) FROM (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1 LIMIT {n})), \
                 (SELECT count(*) FROM (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?1 LIMIT {n})))",
                n = TEXT_CANDIDATES + 1
            );
            let most: i64 = sqlx::query_scalar(&sql)
                .bind(&m)
                .fetch_one(&self.pool)
                .await?;
            Ok(most > TEXT_CANDIDATES as i64)
        })
        .await
    }

    /// Full-text search: among the newest tickets whose text matches and the
    /// tickets of the newest matching comments, the most recently changed first.
    pub async fn search(&self, text: &str, limit: u32) -> Result<Vec<TicketSummary>> {
        self.list(&ListQuery {
            text: Some(text.to_string()),
            limit,
            ..Default::default()
        })
        .await
    }

    /// Number of tickets and events, for status output and tests.
    pub async fn counts(&self) -> Result<(i64, i64)> {
        self.guard(async {
            let t: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
                .fetch_one(&self.pool)
                .await?;
            let e: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
                .fetch_one(&self.pool)
                .await?;
            Ok((t, e))
        })
        .await
    }
}

/// How many of the newest matches of each full-text index a search with
/// other filters considers.
pub const TEXT_CANDIDATES: usize = 2_000;

/// The WHERE conditions of a list query (after `WHERE 1 = 1`), shared by the
/// page and its count.
fn push_filters(qb: &mut QueryBuilder<'_, Sqlite>, q: &ListQuery, limit: u32) -> Result<()> {
    if let Some(text) = &q.text {
        let m = fts_query(text)?;
        // A search considers only the newest TEXT_CANDIDATES matches of each
        // index (FTS5 streams rowids in descending order and stops at the
        // cap), so a common word costs milliseconds, not a scan;
        // `Store::text_capped` tells when that cut anything. A bare search
        // paged deeper than that takes as many as its page needs.
        let cap = if q.is_text_only() {
            let n = (limit as u64 + q.offset as u64).max(TEXT_CANDIDATES as u64);
            format!(" ORDER BY rowid DESC LIMIT {n}")
        } else {
            format!(" ORDER BY rowid DESC LIMIT {TEXT_CANDIDATES}")
        };
        qb.push(" AND t.n IN (SELECT n FROM (SELECT rowid AS n FROM tickets_fts WHERE tickets_fts MATCH ");
        qb.push_bind(m.clone());
        qb.push(&cap);
        qb.push(") UNION SELECT ticket_n FROM (SELECT c.ticket_n FROM comments_fts JOIN comments c ON c.n = comments_fts.rowid WHERE comments_fts MATCH ");
        qb.push_bind(m);
        qb.push(cap.replace("rowid", "comments_fts.rowid"));
        qb.push("))");
    }
    if !q.statuses.is_empty() {
        qb.push(" AND t.status IN (");
        let mut sep = qb.separated(", ");
        for s in &q.statuses {
            sep.push_bind(s.as_str());
        }
        qb.push(")");
    }
    if !q.priorities.is_empty() {
        qb.push(" AND t.priority IN (");
        let mut sep = qb.separated(", ");
        for p in &q.priorities {
            sep.push_bind(priority_index(*p));
        }
        qb.push(")");
    }
    match &q.assignee {
        Some(Some(u)) => {
            qb.push(" AND t.assignee = ").push_bind(u.to_string());
        }
        Some(None) => {
            qb.push(" AND t.assignee IS NULL");
        }
        None => {}
    }
    if let Some(team) = q.team {
        qb.push(" AND t.team = ").push_bind(team.to_string());
    }
    if let Some(c) = &q.category {
        qb.push(" AND (t.category = ")
            .push_bind(c.clone())
            .push(" OR t.category LIKE ")
            // `_` is allowed in keys but is LIKE's one-character wildcard:
            // escape it (and `%`, `\`) rather than drop it.
            .push_bind(format!(
                "{}/%",
                c.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            ))
            .push(" ESCAPE '\\')");
    }
    if let Some(r) = &q.requester {
        qb.push(" AND t.requester_id = ").push_bind(r.clone());
    }
    if let Some(tag) = &q.tag {
        qb.push(" AND t.n IN (SELECT ticket_n FROM ticket_tags WHERE tag = ")
            .push_bind(tag.to_lowercase())
            .push(")");
    }
    if let Some(d) = q.due_from {
        qb.push(" AND t.due >= ").push_bind(d.to_string());
    }
    if let Some(d) = q.due_to {
        qb.push(" AND t.due <= ").push_bind(d.to_string());
    }
    Ok(())
}

pub(crate) fn event_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<Event> {
    let bad = |what: &str| {
        Error::Db(sqlx::Error::Decode(
            format!("unreadable {what} in the events table").into(),
        ))
    };
    Ok(Event {
        id: r.get::<String, _>("id").parse().map_err(|_| bad("id"))?,
        ticket: r
            .get::<String, _>("ticket_id")
            .parse()
            .map_err(|_| bad("ticket_id"))?,
        actor: r
            .get::<String, _>("actor")
            .parse()
            .map_err(|_| bad("actor"))?,
        hlc: r.get::<String, _>("hlc").parse().map_err(|_| bad("hlc"))?,
        at: micros_to_time(r.get("at")),
        kind: serde_json::from_str(r.get("payload")).map_err(|_| bad("payload"))?,
    })
}

/// The built-in saved views: each answers one person's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Mine,
    Unassigned,
    Overdue,
    DueThisWeek,
    WaitingOnClient,
    AllOpen,
}

impl View {
    pub const ALL: &'static [(View, &'static str)] = &[
        (View::Mine, "mine"),
        (View::Unassigned, "unassigned"),
        (View::Overdue, "overdue"),
        (View::DueThisWeek, "due-this-week"),
        (View::WaitingOnClient, "waiting"),
        (View::AllOpen, "open"),
    ];

    pub fn parse(s: &str) -> Result<View> {
        View::ALL
            .iter()
            .find(|(_, n)| *n == s.trim())
            .map(|(v, _)| *v)
            .ok_or_else(|| {
                DomainError::invalid(
                    "view",
                    format!("'{s}' is unknown"),
                    View::ALL
                        .iter()
                        .map(|(_, n)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                )
                .into()
            })
    }

    /// The filters of this view for user `me` on day `today`.
    pub fn query(self, me: UserId, today: NaiveDate) -> ListQuery {
        let open: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect();
        let base = ListQuery {
            statuses: open,
            ..Default::default()
        };
        match self {
            View::Mine => ListQuery {
                assignee: Some(Some(me)),
                ..base
            },
            View::Unassigned => ListQuery {
                assignee: Some(None),
                ..base
            },
            View::Overdue => ListQuery {
                due_to: today.pred_opt(),
                sort: Sort::Due,
                ..base
            },
            View::DueThisWeek => {
                use chrono::Datelike;
                let sunday = today
                    + chrono::Duration::days(6 - today.weekday().num_days_from_monday() as i64);
                ListQuery {
                    due_from: Some(today),
                    due_to: Some(sunday),
                    sort: Sort::Due,
                    ..base
                }
            }
            View::WaitingOnClient => ListQuery {
                statuses: vec![Status::Waiting],
                ..base
            },
            View::AllOpen => base,
        }
    }
}
