//! The four-eyes rule for deadlines: a court or tax deadline entered (or
//! changed) by one person is confirmed by another, and both are in the
//! ticket's history.

use crate::event::{Change, Event, EventKind};
use crate::ids::UserId;
use crate::{DomainError, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who entered a ticket's current deadline and who confirmed it, if anyone.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueConfirmation {
    pub due: NaiveDate,
    pub set_by: UserId,
    pub confirmed_by: Option<UserId>,
}

/// The state of the current deadline, read from a ticket's events (in any
/// order: the deadline that counts is the one with the newest clock, as in
/// the projection). `None` when the ticket has no deadline.
pub fn due_confirmation(events: &[Event]) -> Option<DueConfirmation> {
    let mut set: Option<(&Event, Option<NaiveDate>)> = None;
    for e in events {
        let due = match &e.kind {
            EventKind::Created(d) => d.due,
            EventKind::Changed(Change::Due { new, .. }) => *new,
            _ => continue,
        };
        if set.is_none_or(|(prev, _)| prev.hlc < e.hlc) {
            set = Some((e, due));
        }
    }
    let (setter, due) = set?;
    let due = due?;
    let confirmed_by = events
        .iter()
        .filter(|e| e.hlc > setter.hlc && e.actor != setter.actor)
        .find_map(|e| match e.kind {
            EventKind::DueConfirmed { due: d } if d == due => Some(e.actor),
            _ => None,
        });
    Some(DueConfirmation {
        due,
        set_by: setter.actor,
        confirmed_by,
    })
}

/// The confirmation `actor` may record for the ticket's current deadline, or
/// why not: there is none, it is already confirmed, or `actor` entered it.
pub fn confirm_due(events: &[Event], actor: UserId) -> Result<EventKind> {
    let Some(c) = due_confirmation(events) else {
        return Err(DomainError::invalid(
            "due",
            "the ticket has no deadline to confirm",
            "a ticket with a due date",
        ));
    };
    if c.confirmed_by.is_some() {
        return Err(DomainError::invalid(
            "due",
            "this deadline is already confirmed",
            "a deadline not yet confirmed",
        ));
    }
    if c.set_by == actor {
        return Err(DomainError::invalid(
            "due",
            "a deadline is confirmed by someone other than the person who entered it",
            "a confirmation by a colleague (four-eyes rule)",
        ));
    }
    Ok(EventKind::DueConfirmed { due: c.due })
}
