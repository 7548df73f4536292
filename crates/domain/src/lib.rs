//! The ticket domain of Guichet, free of I/O and of any framework.
//!
//! A ticket's current state ([`Ticket`]) is a projection of its immutable
//! [`Event`]s. Commands are checked here ([`Ticket::edit`], [`NewTicket`],
//! [`Workflow`]) and turned into events; storage, sync and reporting only ever
//! append and replay those events.

mod conflict;
mod deadline;
pub mod demo;
mod directory;
mod error;
mod event;
mod hlc;
mod ids;
mod reference;
mod ticket;
mod workflow;

pub use conflict::{conflicts, ConflictSide};
pub use deadline::{confirm_due, due_confirmation, DueConfirmation};
pub use directory::{default_categories, Category, Contact, Team, User};
pub use error::{DomainError, Result};
pub use event::{Change, EscalationReason, Event, EventKind, NewTicketData};
pub use hlc::{Clock, Hlc};
pub use ids::{ContactId, EventId, TeamId, TicketId, UserId};
pub use reference::{ReplicaCode, TicketRef};
pub use ticket::{
    check_category_key, parse_date, Attachment, Edit, Field, Link, LinkKind, NewTicket, Party,
    Priority, Status, Ticket, Visibility,
};
pub use workflow::Workflow;

/// Limits on free text, shared by validation and by the error messages that cite them.
pub mod limits {
    pub const TITLE_MAX: usize = 200;
    pub const DESCRIPTION_MAX: usize = 50_000;
    pub const COMMENT_MAX: usize = 50_000;
    pub const TAG_MAX: usize = 40;
    pub const MATTER_MAX: usize = 64;
    pub const NAME_MAX: usize = 100;
    pub const LOGIN_MAX: usize = 64;
    pub const FILE_NAME_MAX: usize = 255;
}
