//! The status transition table. It is data, so a category can later carry its own.

use crate::{DomainError, Result, Status};
use serde::{Deserialize, Serialize};
use Status::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    transitions: Vec<(Status, Status)>,
}

impl Default for Workflow {
    /// New work can be taken up, parked waiting on the client, or resolved at
    /// once; `closed` only follows `resolved` (the requester had their chance
    /// to object); resolved and closed tickets can be reopened.
    fn default() -> Self {
        let t = [
            (New, Open),
            (New, InProgress),
            (New, Waiting),
            (New, Resolved),
            (Open, InProgress),
            (Open, Waiting),
            (Open, Resolved),
            (InProgress, Open),
            (InProgress, Waiting),
            (InProgress, Resolved),
            (Waiting, Open),
            (Waiting, InProgress),
            (Waiting, Resolved),
            (Resolved, Closed),
            (Resolved, Open),
            (Closed, Open),
        ];
        Workflow {
            transitions: t.to_vec(),
        }
    }
}

impl Workflow {
    pub fn new(transitions: Vec<(Status, Status)>) -> Self {
        Workflow { transitions }
    }

    pub fn allows(&self, from: Status, to: Status) -> bool {
        self.transitions.contains(&(from, to))
    }

    /// The statuses reachable from `from`, in the order of [`Status::ALL`].
    pub fn next(&self, from: Status) -> Vec<Status> {
        Status::ALL
            .iter()
            .copied()
            .filter(|&to| self.allows(from, to))
            .collect()
    }

    pub fn check(&self, from: Status, to: Status) -> Result<()> {
        if self.allows(from, to) {
            Ok(())
        } else {
            Err(DomainError::Transition {
                from,
                to,
                allowed: self.next(from),
            })
        }
    }
}
