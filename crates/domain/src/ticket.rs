//! The ticket projection and the checks that turn a user's edit into a [`Change`].

use crate::event::{Change, Event, EventKind, NewTicketData};
use crate::hlc::Hlc;
use crate::ids::{ContactId, TeamId, TicketId, UserId};
use crate::limits::*;
use crate::reference::TicketRef;
use crate::workflow::Workflow;
use crate::{DomainError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A closed set of named values, written and read in snake_case; an unknown
/// name is an error naming `$field` and listing the accepted names.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self> {
                let t = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                $name::ALL.iter().copied().find(|v| v.as_str() == t).ok_or_else(|| {
                    DomainError::invalid(
                        $field,
                        format!("'{s}' is unknown"),
                        $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    )
                })
            }
        }
    };
}

named_enum!(
    /// Where a ticket stands. Allowed moves are in [`Workflow`].
    Status, "status" {
        New => "new",
        Open => "open",
        InProgress => "in_progress",
        Waiting => "waiting",
        Resolved => "resolved",
        Closed => "closed",
    }
);

impl Status {
    /// Resolved and closed tickets leave the "open" views.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }
}

named_enum!(
    /// Priority; the order of the variants is the order of urgency.
    Priority, "priority" {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
);

named_enum!(
    /// How two tickets relate. `parent` means the target is this ticket's parent.
    LinkKind, "link kind" {
        Related => "related",
        Parent => "parent",
        Child => "child",
        DuplicateOf => "duplicate_of",
    }
);

named_enum!(
    /// A reply is visible to the requester; an internal note only to staff.
    Visibility, "visibility" {
        Reply => "reply",
        Internal => "internal",
    }
);

/// Who asked: a colleague or an external contact (a client).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Party {
    User(UserId),
    Contact(ContactId),
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    pub target: TicketId,
}

/// An attachment's metadata; the bytes live content-addressed by `sha256`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub sha256: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    pub mime: String,
}

/// The ticket fields that are overwritten (last writer wins), as opposed to
/// collections that events add to.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Description,
    Category,
    Priority,
    Status,
    Assignee,
    Team,
    Requester,
    Matter,
    Due,
}

/// The current state of a ticket: a projection of its events.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
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
    pub watchers: BTreeSet<UserId>,
    pub links: BTreeSet<Link>,
    pub attachments: Vec<Attachment>,
    pub comments: u32,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    pub updated_at: DateTime<Utc>,
    /// For each overwritten field, the clock of the event that last set it.
    #[cfg_attr(feature = "ts", ts(type = "Partial<Record<Field, string>>"))]
    pub clocks: BTreeMap<Field, Hlc>,
}

impl Ticket {
    /// The ticket as its creation event makes it.
    pub fn from_created(event: &Event, data: &NewTicketData) -> Ticket {
        let clocks = [
            Field::Title,
            Field::Description,
            Field::Category,
            Field::Priority,
            Field::Status,
            Field::Assignee,
            Field::Team,
            Field::Requester,
            Field::Matter,
            Field::Due,
        ]
        .into_iter()
        .map(|f| (f, event.hlc))
        .collect();
        Ticket {
            id: event.ticket,
            reference: data.reference,
            title: data.title.clone(),
            description: data.description.clone(),
            category: data.category.clone(),
            priority: data.priority,
            status: data.status,
            assignee: data.assignee,
            team: data.team,
            requester: data.requester,
            matter: data.matter.clone(),
            due: data.due,
            tags: data.tags.clone(),
            watchers: BTreeSet::new(),
            links: BTreeSet::new(),
            attachments: Vec::new(),
            comments: 0,
            created_at: event.at,
            created_by: event.actor,
            updated_at: event.at,
            clocks,
        }
    }

    /// Replays a ticket's events, first one its creation. `None` when the
    /// log does not start with a creation event.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Ticket> {
        let mut events = events.into_iter();
        let first = events.next()?;
        let EventKind::Created(data) = &first.kind else {
            return None;
        };
        let mut t = Ticket::from_created(first, data);
        for e in events {
            t.apply(e);
        }
        Some(t)
    }

    /// Applies one event. Field changes follow last-writer-wins by clock, so an
    /// older change arriving late (from sync) does not overwrite a newer one;
    /// it stays in the history all the same.
    pub fn apply(&mut self, e: &Event) {
        debug_assert_eq!(e.ticket, self.id);
        if e.at > self.updated_at {
            self.updated_at = e.at;
        }
        match &e.kind {
            EventKind::Created(_) => {}
            EventKind::Changed(change) => {
                let field = change.field();
                if self.clocks.get(&field).is_some_and(|c| *c > e.hlc) {
                    return;
                }
                self.clocks.insert(field, e.hlc);
                match change.clone() {
                    Change::Title { new, .. } => self.title = new,
                    Change::Description { new, .. } => self.description = new,
                    Change::Category { new, .. } => self.category = new,
                    Change::Priority { new, .. } => self.priority = new,
                    Change::Status { new, .. } => self.status = new,
                    Change::Assignee { new, .. } => self.assignee = new,
                    Change::Team { new, .. } => self.team = new,
                    Change::Requester { new, .. } => self.requester = new,
                    Change::Matter { new, .. } => self.matter = new,
                    Change::Due { new, .. } => self.due = new,
                }
            }
            EventKind::TagAdded { tag } => {
                self.tags.insert(tag.clone());
            }
            EventKind::TagRemoved { tag } => {
                self.tags.remove(tag);
            }
            EventKind::WatcherAdded { user } => {
                self.watchers.insert(*user);
            }
            EventKind::WatcherRemoved { user } => {
                self.watchers.remove(user);
            }
            EventKind::LinkAdded { link } => {
                self.links.insert(*link);
            }
            EventKind::LinkRemoved { link } => {
                self.links.remove(link);
            }
            EventKind::Commented { .. } => self.comments += 1,
            EventKind::AttachmentAdded { attachment } => self.attachments.push(attachment.clone()),
            EventKind::DueConfirmed { .. } | EventKind::Escalated { .. } => {}
        }
    }

    /// Checks an edit against this ticket and the workflow. `Ok(None)` when
    /// the edit changes nothing (no event is written then).
    pub fn edit(&self, edit: Edit, workflow: &Workflow) -> Result<Option<Change>> {
        let change = match edit {
            Edit::Title(new) => {
                let new = check_title(&new)?;
                (new != self.title).then(|| Change::Title {
                    old: self.title.clone(),
                    new,
                })
            }
            Edit::Description(new) => {
                let new = check_description(&new)?;
                (new != self.description).then(|| Change::Description {
                    old: self.description.clone(),
                    new,
                })
            }
            Edit::Category(new) => {
                let new = check_category_key(&new)?;
                (new != self.category).then(|| Change::Category {
                    old: self.category.clone(),
                    new,
                })
            }
            Edit::Priority(new) => (new != self.priority).then_some(Change::Priority {
                old: self.priority,
                new,
            }),
            Edit::Status(new) => {
                if new == self.status {
                    None
                } else {
                    workflow.check(self.status, new)?;
                    Some(Change::Status {
                        old: self.status,
                        new,
                    })
                }
            }
            Edit::Assignee(new) => (new != self.assignee).then_some(Change::Assignee {
                old: self.assignee,
                new,
            }),
            Edit::Team(new) => (new != self.team).then_some(Change::Team {
                old: self.team,
                new,
            }),
            Edit::Requester(new) => (new != self.requester).then_some(Change::Requester {
                old: self.requester,
                new,
            }),
            Edit::Matter(new) => {
                let new = check_matter(new.as_deref())?;
                (new != self.matter).then(|| Change::Matter {
                    old: self.matter.clone(),
                    new,
                })
            }
            Edit::Due(new) => (new != self.due).then_some(Change::Due { old: self.due, new }),
        };
        Ok(change)
    }
}

/// One user edit of an overwritten field.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum Edit {
    Title(String),
    Description(String),
    Category(String),
    Priority(Priority),
    Status(Status),
    Assignee(Option<UserId>),
    Team(Option<TeamId>),
    Requester(Option<Party>),
    Matter(Option<String>),
    Due(Option<NaiveDate>),
}

/// What a user fills in for a new ticket, before checks.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewTicket {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub category: String,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub assignee: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
    #[serde(default)]
    pub requester: Option<Party>,
    #[serde(default)]
    pub matter: Option<String>,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl NewTicket {
    /// Checks every field and gives the creation payload. Existence of the
    /// category, users and team is for the store to check.
    pub fn validate(self, reference: TicketRef) -> Result<NewTicketData> {
        let tags = self
            .tags
            .iter()
            .map(|t| check_tag(t))
            .collect::<Result<BTreeSet<_>>>()?;
        Ok(NewTicketData {
            reference,
            title: check_title(&self.title)?,
            description: check_description(&self.description)?,
            category: check_category_key(&self.category)?,
            priority: self.priority.unwrap_or(Priority::Normal),
            status: Status::New,
            assignee: self.assignee,
            team: self.team,
            requester: self.requester,
            matter: check_matter(self.matter.as_deref())?,
            due: self.due,
            tags,
        })
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn check_title(s: &str) -> Result<String> {
    let t = s.trim();
    let accepted = format!("1 to {TITLE_MAX} characters");
    if t.is_empty() {
        return Err(DomainError::invalid("title", "must not be empty", accepted));
    }
    if chars(t) > TITLE_MAX {
        return Err(DomainError::invalid(
            "title",
            format!("is {} characters long", chars(t)),
            accepted,
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "title",
            "contains a control character",
            "one line of text",
        ));
    }
    Ok(t.to_string())
}

fn check_description(s: &str) -> Result<String> {
    if chars(s) > DESCRIPTION_MAX {
        return Err(DomainError::invalid(
            "description",
            format!("is {} characters long", chars(s)),
            format!("at most {DESCRIPTION_MAX} characters"),
        ));
    }
    Ok(s.trim_end().to_string())
}

pub(crate) fn check_comment(s: &str) -> Result<String> {
    let t = s.trim();
    let accepted = format!("1 to {COMMENT_MAX} characters");
    if t.is_empty() {
        return Err(DomainError::invalid(
            "comment",
            "must not be empty",
            accepted,
        ));
    }
    if chars(t) > COMMENT_MAX {
        return Err(DomainError::invalid(
            "comment",
            format!("is {} characters long", chars(t)),
            accepted,
        ));
    }
    Ok(t.to_string())
}

/// Category keys are slash-separated paths of lowercase words: `client/tax`.
pub fn check_category_key(s: &str) -> Result<String> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.split('/').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(t.to_string())
    } else {
        Err(DomainError::invalid(
            "category",
            format!("'{s}' is not a category key"),
            "lowercase words of a-z 0-9 - _ separated by '/', at most 64 characters, such as client/tax",
        ))
    }
}

pub(crate) fn check_tag(s: &str) -> Result<String> {
    let t = s.trim().to_lowercase();
    let ok = !t.is_empty()
        && chars(&t) <= TAG_MAX
        && t.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok {
        Ok(t)
    } else {
        Err(DomainError::invalid(
            "tag",
            format!("'{s}' is not a tag"),
            format!("1 to {TAG_MAX} letters, digits, - _ . / without spaces"),
        ))
    }
}

fn check_matter(s: Option<&str>) -> Result<Option<String>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(m) if chars(m) <= MATTER_MAX && !m.chars().any(char::is_control) => {
            Ok(Some(m.to_string()))
        }
        Some(m) => Err(DomainError::invalid(
            "matter",
            format!(
                "is {} characters long or contains a control character",
                chars(m)
            ),
            format!("a client/matter reference of at most {MATTER_MAX} characters on one line"),
        )),
    }
}

/// Reads a due date; the error names the field and the accepted form.
pub fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        DomainError::invalid(
            field,
            format!("'{s}' is not a date"),
            "a calendar date as YYYY-MM-DD, such as 2027-03-31",
        )
    })
}

pub(crate) fn check_attachment(a: Attachment) -> Result<Attachment> {
    let name = a.name.trim();
    if name.is_empty()
        || chars(name) > FILE_NAME_MAX
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
    {
        return Err(DomainError::invalid(
            "attachment name",
            format!("'{}' is not a file name", a.name),
            format!("1 to {FILE_NAME_MAX} characters without / \\ or control characters"),
        ));
    }
    let hex = a.sha256.len() == 64
        && a.sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return Err(DomainError::invalid(
            "attachment sha256",
            "is not a SHA-256",
            "64 lowercase hex digits",
        ));
    }
    Ok(Attachment {
        name: name.to_string(),
        ..a
    })
}
