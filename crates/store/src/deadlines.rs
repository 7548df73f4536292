//! What the deadline and SLA scheduler needs from the store: the four-eyes
//! confirmation of a deadline, escalations written into a ticket's history,
//! the open tickets with their events, and the record of what was delivered.

use crate::error::Result;
use crate::query::event_from_row;
use crate::Store;
use chrono::{DateTime, Utc};
use guichet_domain::{
    confirm_due, DomainError, Edit, EscalationReason, Event, EventKind, Ticket, UserId,
};
use std::collections::HashSet;

impl Store {
    /// Records `actor`'s confirmation of the ticket's current deadline (the
    /// four-eyes rule): refused when there is none, when it is confirmed
    /// already, or when `actor` entered it.
    pub async fn confirm_due(&self, actor: UserId, key: &str) -> Result<Event> {
        let events = self.history(key).await?;
        let kind = confirm_due(&events, actor)?;
        let EventKind::DueConfirmed { due } = kind else {
            unreachable!("confirm_due makes a confirmation")
        };
        let (_, mut written) = self
            .write(actor, key, move |t| {
                // The deadline changed since the history was read.
                if t.due != Some(due) {
                    return Err(DomainError::invalid(
                        "due",
                        "the deadline changed meanwhile",
                        "a confirmation of the current deadline",
                    )
                    .into());
                }
                Ok(vec![kind])
            })
            .await?;
        Ok(written.remove(0))
    }

    /// Writes an escalation into the ticket's history, in one transaction
    /// with what it changes (a raised priority, a reassignment), each its
    /// own event.
    pub async fn escalate(
        &self,
        actor: UserId,
        key: &str,
        reason: EscalationReason,
        notified: Vec<UserId>,
        edits: Vec<Edit>,
    ) -> Result<(Ticket, Vec<Event>)> {
        let workflow = self.workflow.clone();
        self.write(actor, key, move |t| {
            let mut kinds = vec![EventKind::Escalated { reason, notified }];
            let mut current = t.clone();
            for edit in edits {
                if let Some(change) = current.edit(edit, &workflow)? {
                    crate::tickets::apply_change(&mut current, &change);
                    kinds.push(EventKind::Changed(change));
                }
            }
            Ok(kinds)
        })
        .await
    }

    /// Every open ticket (not resolved or closed) with its events in clock
    /// order: what the scheduler plans reminders and SLA clocks from. For
    /// large stores, [`Store::open_tickets_page`] reads them a page at a time.
    pub async fn open_tickets_with_events(&self) -> Result<Vec<(Ticket, Vec<Event>)>> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = self.open_tickets_page(after, 500).await?;
            let Some(last) = page.last().map(|(n, _, _)| *n) else {
                return Ok(out);
            };
            after = last;
            out.extend(page.into_iter().map(|(_, t, e)| (t, e)));
        }
    }

    /// Up to `limit` open tickets after row number `after`, in row order, each
    /// with its events in clock order and its row number (the `after` of the
    /// next page). Memory stays bounded by the page, whatever the store's size.
    pub async fn open_tickets_page(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, Ticket, Vec<Event>)>> {
        self.guard(async {
            let ids: Vec<(i64, String)> = sqlx::query_as(
                "SELECT n, id FROM tickets WHERE status NOT IN ('resolved', 'closed') AND n > ? \
                 ORDER BY n LIMIT ?",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            // One query for the page's events, grouped by ticket below.
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "SELECT id, ticket_id, actor, hlc, at, payload FROM events WHERE ticket_id IN (",
            );
            let mut list = qb.separated(", ");
            for (_, id) in &ids {
                list.push_bind(id);
            }
            qb.push(") ORDER BY ticket_id, hlc");
            let rows = qb.build().fetch_all(&self.pool).await?;
            let mut by_ticket: std::collections::HashMap<String, Vec<Event>> =
                std::collections::HashMap::with_capacity(ids.len());
            for row in &rows {
                let e = event_from_row(row)?;
                by_ticket.entry(e.ticket.to_string()).or_default().push(e);
            }
            drop(rows);
            let mut out = Vec::with_capacity(ids.len());
            for (n, id) in ids {
                let events = by_ticket.remove(&id).unwrap_or_default();
                if let Some(t) = Ticket::replay(&events) {
                    out.push((n, t, events));
                }
            }
            Ok(out)
        })
        .await
    }

    /// Events stored after local sequence number `after` (the order this
    /// replica stored them in, whoever wrote them), at most `limit`, with
    /// their sequence numbers: what the notifier reads to tell the user of
    /// assignments, replies and mentions by others.
    pub async fn events_since(&self, after: i64, limit: u32) -> Result<Vec<(i64, Event)>> {
        self.guard(async {
            let rows = sqlx::query(
                "SELECT seq, id, ticket_id, actor, hlc, at, payload FROM events \
                 WHERE seq > ? ORDER BY seq LIMIT ?",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|r| Ok((sqlx::Row::get::<i64, _>(r, "seq"), event_from_row(r)?)))
                .collect()
        })
        .await
    }

    /// The newest local sequence number of the event log (0 when empty).
    pub async fn last_seq(&self) -> Result<i64> {
        self.guard(async {
            Ok(
                sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
                    .fetch_one(&self.pool)
                    .await?,
            )
        })
        .await
    }

    /// The keys of what the scheduler has delivered (notifications,
    /// escalations), so nothing is delivered twice.
    pub async fn delivered(&self) -> Result<HashSet<String>> {
        self.guard(async {
            let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM deliveries")
                .fetch_all(&self.pool)
                .await?;
            Ok(keys.into_iter().collect())
        })
        .await
    }

    /// Records keys as delivered at `at`; a key recorded before keeps its
    /// first time.
    pub async fn record_delivered(&self, keys: &[String], at: DateTime<Utc>) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            for k in keys {
                sqlx::query("INSERT OR IGNORE INTO deliveries(key, at) VALUES (?, ?)")
                    .bind(k)
                    .bind(at.to_rfc3339())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
