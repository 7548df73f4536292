//! Immutable events: the only way a ticket changes.

use crate::hlc::Hlc;
use crate::ids::{EventId, TeamId, TicketId, UserId};
use crate::reference::TicketRef;
use crate::ticket::{
    check_attachment, check_category_key, check_comment, check_tag, check_title, Attachment, Field,
    Link, Party, Priority, Status, Visibility,
};
use crate::{limits, DomainError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One immutable change to one ticket: who, when (clock and wall time), what.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub ticket: TicketId,
    pub actor: UserId,
    pub hlc: Hlc,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Created(Box<NewTicketData>),
    Changed(Change),
    TagAdded {
        tag: String,
    },
    TagRemoved {
        tag: String,
    },
    WatcherAdded {
        user: UserId,
    },
    WatcherRemoved {
        user: UserId,
    },
    LinkAdded {
        link: Link,
    },
    LinkRemoved {
        link: Link,
    },
    Commented {
        visibility: Visibility,
        body: String,
    },
    AttachmentAdded {
        attachment: Attachment,
    },
    /// A second person confirmed the ticket's deadline (the four-eyes rule
    /// for court and tax deadlines). Carries the date confirmed, so a
    /// confirmation never covers a date changed since.
    DueConfirmed {
        due: NaiveDate,
    },
    /// The scheduler escalated the ticket: who was notified, and why. A
    /// priority raise or a reassignment it made follows as its own
    /// `changed` event.
    Escalated {
        reason: EscalationReason,
        notified: Vec<UserId>,
    },
}

/// Why a ticket was escalated.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// A share of the first-response target (e.g. 80 %) is used up.
    FirstResponseWarning,
    FirstResponseBreached,
    ResolutionWarning,
    ResolutionBreached,
    DeadlineMissed,
}

impl EventKind {
    /// A stable short name, used as the `kind` column of the stores.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Created(_) => "created",
            EventKind::Changed(_) => "changed",
            EventKind::TagAdded { .. } => "tag_added",
            EventKind::TagRemoved { .. } => "tag_removed",
            EventKind::WatcherAdded { .. } => "watcher_added",
            EventKind::WatcherRemoved { .. } => "watcher_removed",
            EventKind::LinkAdded { .. } => "link_added",
            EventKind::LinkRemoved { .. } => "link_removed",
            EventKind::Commented { .. } => "commented",
            EventKind::AttachmentAdded { .. } => "attachment_added",
            EventKind::DueConfirmed { .. } => "due_confirmed",
            EventKind::Escalated { .. } => "escalated",
        }
    }

    pub fn comment(visibility: Visibility, body: &str) -> Result<EventKind> {
        Ok(EventKind::Commented {
            visibility,
            body: check_comment(body)?,
        })
    }

    pub fn tag(add: bool, tag: &str) -> Result<EventKind> {
        let tag = check_tag(tag)?;
        Ok(if add {
            EventKind::TagAdded { tag }
        } else {
            EventKind::TagRemoved { tag }
        })
    }

    pub fn attachment(a: Attachment) -> Result<EventKind> {
        Ok(EventKind::AttachmentAdded {
            attachment: check_attachment(a)?,
        })
    }

    /// Checks the payload of an event that did not come through a command of
    /// this replica (an import line, a pulled event): the same rules apply.
    pub fn validate(&self) -> Result<()> {
        match self {
            EventKind::Created(d) => {
                if check_title(&d.title)? != d.title {
                    return Err(DomainError::invalid(
                        "title",
                        "has surrounding spaces",
                        "trimmed text",
                    ));
                }
                if d.description.chars().count() > limits::DESCRIPTION_MAX {
                    return Err(DomainError::invalid(
                        "description",
                        "is too long",
                        format!("at most {} characters", limits::DESCRIPTION_MAX),
                    ));
                }
                check_category_key(&d.category)?;
                for t in &d.tags {
                    check_tag(t)?;
                }
                Ok(())
            }
            EventKind::Changed(Change::Title { new, .. }) => check_title(new).map(drop),
            EventKind::Changed(Change::Category { new, .. }) => check_category_key(new).map(drop),
            EventKind::Changed(Change::Description { new, .. })
                if new.chars().count() > limits::DESCRIPTION_MAX =>
            {
                Err(DomainError::invalid(
                    "description",
                    "is too long",
                    format!("at most {} characters", limits::DESCRIPTION_MAX),
                ))
            }
            EventKind::Changed(_) => Ok(()),
            EventKind::TagAdded { tag } | EventKind::TagRemoved { tag } => check_tag(tag).map(drop),
            EventKind::Commented { body, .. } => check_comment(body).map(drop),
            EventKind::AttachmentAdded { attachment } => {
                check_attachment(attachment.clone()).map(drop)
            }
            EventKind::WatcherAdded { .. }
            | EventKind::WatcherRemoved { .. }
            | EventKind::LinkAdded { .. }
            | EventKind::LinkRemoved { .. }
            | EventKind::DueConfirmed { .. } => Ok(()),
            EventKind::Escalated { notified, .. } if notified.len() > 100 => Err(
                DomainError::invalid("notified", "lists too many people", "at most 100"),
            ),
            EventKind::Escalated { .. } => Ok(()),
        }
    }
}

/// The payload of a creation event: the ticket as first entered.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicketData {
    pub reference: TicketRef,
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: Priority,
    pub status: Status,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub requester: Option<Party>,
    pub matter: Option<String>,
    pub due: Option<NaiveDate>,
    pub tags: BTreeSet<String>,
}

/// A field overwritten, with the value it had before (kept for the history
/// and for showing sync conflicts).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Change {
    Title {
        old: String,
        new: String,
    },
    Description {
        old: String,
        new: String,
    },
    Category {
        old: String,
        new: String,
    },
    Priority {
        old: Priority,
        new: Priority,
    },
    Status {
        old: Status,
        new: Status,
    },
    Assignee {
        old: Option<UserId>,
        new: Option<UserId>,
    },
    Team {
        old: Option<TeamId>,
        new: Option<TeamId>,
    },
    Requester {
        old: Option<Party>,
        new: Option<Party>,
    },
    Matter {
        old: Option<String>,
        new: Option<String>,
    },
    Due {
        old: Option<NaiveDate>,
        new: Option<NaiveDate>,
    },
}

impl Change {
    pub fn field(&self) -> Field {
        match self {
            Change::Title { .. } => Field::Title,
            Change::Description { .. } => Field::Description,
            Change::Category { .. } => Field::Category,
            Change::Priority { .. } => Field::Priority,
            Change::Status { .. } => Field::Status,
            Change::Assignee { .. } => Field::Assignee,
            Change::Team { .. } => Field::Team,
            Change::Requester { .. } => Field::Requester,
            Change::Matter { .. } => Field::Matter,
            Change::Due { .. } => Field::Due,
        }
    }
}
