//! Reading the projection back into domain values.

use crate::error::{Error, Result};
use crate::micros_to_time;
use guichet_domain::{
    Attachment, Field, Hlc, Link, Party, Priority, Status, Ticket, TicketId, TicketRef,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeMap;

pub(crate) const TICKET_COLUMNS: &str = "n, id, ref, title, description, category, priority, status, assignee, team, \
     requester_kind, requester_id, matter, due, comments, created_at, created_by, updated_at, clocks";

pub(crate) fn priority_index(p: Priority) -> i64 {
    Priority::ALL.iter().position(|&q| q == p).unwrap_or(1) as i64
}

pub(crate) fn priority_from(i: i64) -> Priority {
    Priority::ALL
        .get(i as usize)
        .copied()
        .unwrap_or(Priority::Normal)
}

pub(crate) fn requester_cols(r: Option<Party>) -> (Option<&'static str>, Option<String>) {
    match r {
        None => (None, None),
        Some(Party::User(u)) => (Some("user"), Some(u.to_string())),
        Some(Party::Contact(c)) => (Some("contact"), Some(c.to_string())),
    }
}

fn bad(what: &str) -> Error {
    Error::Db(sqlx::Error::Decode(
        format!("unreadable {what} in the tickets table").into(),
    ))
}

fn parse<T: std::str::FromStr>(s: &str, what: &str) -> Result<T> {
    s.parse().map_err(|_| bad(what))
}

fn opt<T: std::str::FromStr>(s: Option<String>, what: &str) -> Result<Option<T>> {
    s.map(|s| parse(&s, what)).transpose()
}

/// A ticket row without its collections (tags, watchers, links, attachments).
pub(crate) fn ticket_from_row(row: &SqliteRow) -> Result<(i64, Ticket)> {
    let requester = match (
        row.get::<Option<String>, _>("requester_kind").as_deref(),
        row.get::<Option<String>, _>("requester_id"),
    ) {
        (Some("user"), Some(id)) => Some(Party::User(parse(&id, "requester")?)),
        (Some("contact"), Some(id)) => Some(Party::Contact(parse(&id, "requester")?)),
        _ => None,
    };
    let clocks: BTreeMap<Field, Hlc> =
        serde_json::from_str(row.get("clocks")).map_err(|_| bad("clocks"))?;
    let status: String = row.get("status");
    let t = Ticket {
        id: parse::<TicketId>(row.get("id"), "id")?,
        reference: parse::<TicketRef>(row.get("ref"), "ref")?,
        title: row.get("title"),
        description: row.get("description"),
        category: row.get("category"),
        priority: priority_from(row.get("priority")),
        status: status.parse::<Status>().map_err(|_| bad("status"))?,
        assignee: opt(row.get("assignee"), "assignee")?,
        team: opt(row.get("team"), "team")?,
        requester,
        matter: row.get("matter"),
        due: opt(row.get("due"), "due")?,
        tags: Default::default(),
        watchers: Default::default(),
        links: Default::default(),
        attachments: Vec::new(),
        comments: row.get::<i64, _>("comments") as u32,
        created_at: micros_to_time(row.get("created_at")),
        created_by: parse(row.get("created_by"), "created_by")?,
        updated_at: micros_to_time(row.get("updated_at")),
        clocks,
    };
    Ok((row.get("n"), t))
}

/// Loads a whole ticket by its reference (`K7QX-42`) or id.
pub(crate) async fn load_ticket(conn: &mut SqliteConnection, key: &str) -> Result<(i64, Ticket)> {
    let key = key.trim();
    let column = if key.parse::<TicketId>().is_ok() {
        "id"
    } else {
        "ref"
    };
    let normalized = match key.parse::<TicketRef>() {
        Ok(r) if column == "ref" => r.to_string(),
        _ => key.to_string(),
    };
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE {column} = ?");
    let row = sqlx::query(&sql)
        .bind(&normalized)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::NotFound {
            what: "ticket",
            key: key.to_string(),
        })?;
    let (n, mut t) = ticket_from_row(&row)?;
    load_collections(conn, n, &mut t).await?;
    Ok((n, t))
}

pub(crate) async fn load_collections(
    conn: &mut SqliteConnection,
    n: i64,
    t: &mut Ticket,
) -> Result<()> {
    t.tags = sqlx::query_scalar("SELECT tag FROM ticket_tags WHERE ticket_n = ?")
        .bind(n)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let watchers: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM ticket_watchers WHERE ticket_n = ?")
            .bind(n)
            .fetch_all(&mut *conn)
            .await?;
    t.watchers = watchers
        .iter()
        .map(|w| parse(w, "watcher"))
        .collect::<Result<_>>()?;
    let links = sqlx::query("SELECT kind, target_id FROM ticket_links WHERE ticket_n = ?")
        .bind(n)
        .fetch_all(&mut *conn)
        .await?;
    t.links = links
        .iter()
        .map(|r| {
            Ok(Link {
                kind: parse(r.get("kind"), "link kind")?,
                target: parse(r.get("target_id"), "link target")?,
            })
        })
        .collect::<Result<_>>()?;
    let atts = sqlx::query(
        "SELECT sha256, name, size, mime FROM attachments WHERE ticket_n = ? ORDER BY hlc",
    )
    .bind(n)
    .fetch_all(&mut *conn)
    .await?;
    t.attachments = atts
        .iter()
        .map(|r| Attachment {
            sha256: r.get("sha256"),
            name: r.get("name"),
            size: r.get::<i64, _>("size") as u64,
            mime: r.get("mime"),
        })
        .collect();
    Ok(())
}
