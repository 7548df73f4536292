//! Dues: the moments something should happen for a ticket (a reminder, an SLA
//! warning or breach, a missed deadline), each under a stable key.

use crate::clock::{sla_clock, ClockState, SlaClock, TargetClock};
use crate::config::TimeConfig;
use chrono::{DateTime, NaiveDate, Utc};
use guichet_calendar::BusinessCalendar;
use guichet_domain::{Event, Field, Ticket, TicketId};
use serde::{Deserialize, Serialize};

/// Which SLA target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    FirstResponse,
    Resolution,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::Resolution => "resolution",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DueKind {
    /// `days_before` working days before the effective `deadline`.
    Reminder {
        deadline: NaiveDate,
        days_before: u32,
    },
    SlaWarning {
        target: Target,
    },
    SlaBreach {
        target: Target,
    },
    /// The effective deadline's last working moment has passed.
    DeadlineMissed {
        deadline: NaiveDate,
    },
}

/// Something due for a ticket at a moment.
///
/// The key is stable: planning again (after a restart, or after any change
/// that does not move the thing itself) gives the same key, so a delivered
/// due is never delivered twice; a changed deadline or a re-targeted SLA
/// gives a new key. Keys hold ids, dates and numbers only:
/// `reminder:<ticket>:<yyyy-mm-dd>:<days>`, `deadline_missed:<ticket>:<yyyy-mm-dd>`,
/// `sla_warning:<ticket>:<target>:<minutes>`, `sla_breach:<ticket>:<target>:<minutes>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Due {
    pub key: String,
    pub ticket: TicketId,
    pub at: DateTime<Utc>,
    pub kind: DueKind,
}

/// The deadline dues of a ticket: for an open ticket with a due date, one
/// reminder per offset at the first working moment of the day that many
/// *working days* before the effective deadline (0: the morning of the
/// deadline itself), and a [`DueKind::DeadlineMissed`] at the end of the
/// effective deadline's last working interval.
///
/// Reminders that would fall before the due date was set (ticket creation or
/// the last change of the due date) are left out: a deadline entered three
/// days ahead gets no "7 days before" reminder.
pub fn deadline_dues(ticket: &Ticket, cfg: &TimeConfig, cal: &BusinessCalendar) -> Vec<Due> {
    let Some(due) = ticket.due else {
        return Vec::new();
    };
    if !ticket.status.is_open() {
        return Vec::new();
    }
    let deadline = cal.effective_deadline(due);
    let set_at = ticket
        .clocks
        .get(&Field::Due)
        .and_then(|h| DateTime::from_timestamp_millis(h.millis as i64))
        .map(|t| t.min(ticket.updated_at))
        .unwrap_or(ticket.created_at)
        .max(ticket.created_at);
    let mut out: Vec<Due> = cfg
        .reminders
        .offsets(&ticket.category)
        .iter()
        .map(|&days| {
            let day = cal.working_days_before(deadline, days);
            Due {
                key: format!("reminder:{}:{deadline}:{days}", ticket.id),
                ticket: ticket.id,
                at: cal.day_start(day),
                kind: DueKind::Reminder {
                    deadline,
                    days_before: days,
                },
            }
        })
        .filter(|d| d.at >= set_at)
        .collect();
    out.push(Due {
        key: format!("deadline_missed:{}:{deadline}", ticket.id),
        ticket: ticket.id,
        at: cal.day_end(deadline),
        kind: DueKind::DeadlineMissed { deadline },
    });
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
    out
}

fn target_dues(ticket: TicketId, target: Target, clock: &TargetClock, out: &mut Vec<Due>) {
    if clock.state.is_met() {
        return;
    }
    let key = |what: &str| {
        format!(
            "{what}:{ticket}:{}:{}",
            target.as_str(),
            clock.target_minutes
        )
    };
    if clock.state != ClockState::Breached {
        if let Some(at) = clock.warn_at {
            out.push(Due {
                key: key("sla_warning"),
                ticket,
                at,
                kind: DueKind::SlaWarning { target },
            });
        }
    }
    if let Some(at) = clock.breached_at.or(clock.due_at) {
        out.push(Due {
            key: key("sla_breach"),
            ticket,
            at,
            kind: DueKind::SlaBreach { target },
        });
    }
}

/// The SLA dues of a ticket's clock: for each target not met, its warning
/// (unless already breached) and its breach, at the moment they happened or
/// are projected to happen. A paused target has no projected moments, only
/// those already passed.
pub fn sla_dues(ticket: TicketId, clock: &SlaClock) -> Vec<Due> {
    let mut out = Vec::new();
    target_dues(
        ticket,
        Target::FirstResponse,
        &clock.first_response,
        &mut out,
    );
    target_dues(ticket, Target::Resolution, &clock.resolution, &mut out);
    out
}

/// All dues of one ticket, from its events: deadline dues and SLA dues.
pub fn ticket_dues(
    events: &[Event],
    cfg: &TimeConfig,
    cal: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Vec<Due> {
    let Some(ticket) = Ticket::replay(events) else {
        return Vec::new();
    };
    let mut out = deadline_dues(&ticket, cfg, cal);
    if let Some(clock) = sla_clock(events, cfg, cal, now) {
        out.extend(sla_dues(ticket.id, &clock));
    }
    out
}
