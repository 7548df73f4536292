//! Escalation: what a due turns into for the people of a ticket.

use crate::config::TimeConfig;
use crate::dues::{Due, DueKind};
use guichet_domain::{Priority, Ticket, UserId};
use serde::{Deserialize, Serialize};

/// In which capacity someone is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Assignee,
    Lead,
}

/// One consequence of a due. The desktop carries out each action and writes
/// it to the ticket's history as an event (a notification note, a priority
/// or assignee change by the system), so escalations are auditable and sync
/// like any other change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    Notify { user: UserId, role: Role },
    RaisePriority { from: Priority, to: Priority },
    Reassign { to: UserId },
}

fn raised(p: Priority) -> Option<Priority> {
    match p {
        Priority::Low => Some(Priority::Normal),
        Priority::Normal => Some(Priority::High),
        Priority::High => Some(Priority::Urgent),
        Priority::Urgent => None,
    }
}

/// The actions for a due, in order: notify the assignee, then the team lead
/// (never twice when the lead is the assignee), then raise the priority,
/// then reassign.
///
/// - Reminder: the assignee only; the team lead when the ticket is unassigned.
/// - SLA warning: the assignee; the lead too with `notify_lead_on_warning`.
/// - SLA breach: the assignee; the lead too with `notify_lead_on_breach`;
///   the priority one step up with `raise_priority_on_breach` (the SLA
///   targets follow the new priority).
/// - Missed deadline: as a breach for notifications; with
///   `reassign_to_lead_on_missed_deadline` the ticket goes to the lead.
///
/// An unassigned ticket always notifies the lead (else nobody would hear of
/// it). A resolved or closed ticket, or a due of another ticket, gives nothing.
pub fn escalation(
    due: &Due,
    ticket: &Ticket,
    team_lead: Option<UserId>,
    cfg: &TimeConfig,
) -> Vec<Action> {
    if due.ticket != ticket.id || !ticket.status.is_open() {
        return Vec::new();
    }
    let esc = &cfg.escalation;
    let unassigned = ticket.assignee.is_none();
    let lead_wanted = unassigned
        || match due.kind {
            DueKind::Reminder { .. } => false,
            DueKind::SlaWarning { .. } => esc.notify_lead_on_warning,
            DueKind::SlaBreach { .. } | DueKind::DeadlineMissed { .. } => esc.notify_lead_on_breach,
        };
    let mut out = Vec::new();
    if let Some(user) = ticket.assignee {
        out.push(Action::Notify {
            user,
            role: Role::Assignee,
        });
    }
    if let Some(lead) = team_lead {
        if lead_wanted && ticket.assignee != Some(lead) {
            out.push(Action::Notify {
                user: lead,
                role: Role::Lead,
            });
        }
    }
    match due.kind {
        DueKind::SlaBreach { .. } if esc.raise_priority_on_breach => {
            if let Some(to) = raised(ticket.priority) {
                out.push(Action::RaisePriority {
                    from: ticket.priority,
                    to,
                });
            }
        }
        DueKind::DeadlineMissed { .. } if esc.reassign_to_lead_on_missed_deadline => {
            if let Some(lead) = team_lead.filter(|l| ticket.assignee != Some(*l)) {
                out.push(Action::Reassign { to: lead });
            }
        }
        _ => {}
    }
    out
}
