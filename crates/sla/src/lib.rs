//! Guichet's time engine: SLA clocks in business time, deadline reminders,
//! escalation rules and the scheduler's plan (next wake-up, catch-up).
//!
//! Pure functions, no I/O: the current time `now` is always a parameter and
//! the caller (the desktop's scheduler) keeps the set of delivered keys.
//! A scheduler round is:
//!
//! 1. for each open ticket, [`ticket_dues`] (or [`deadline_dues`] and
//!    [`sla_dues`] on a [`sla_clock`]) with the calendar of its team
//!    ([`TimeConfig::calendar_for`]);
//! 2. [`plan`] them against the delivered keys at `now`;
//! 3. for each fired due, [`escalation`] gives the actions, which the desktop
//!    carries out and writes to the ticket's history as events; summarised
//!    dues become one summary notification;
//! 4. record [`Plan::keys`] as delivered, sleep until [`Plan::next_wake`]
//!    (or the next change).
//!
//! Nothing here logs; errors name fields, never people or ticket text.

mod clock;
mod config;
mod dues;
mod escalation;
mod ics;
mod plan;

pub use clock::{sla_clock, ClockState, SlaClock, TargetClock};
pub use config::{
    default_policies, ConfigError, EscalationConfig, ReminderConfig, ReminderOffset, SlaPolicy,
    TimeConfig, MAX_REMINDER_DAYS, MAX_TARGET_MINUTES,
};
pub use dues::{deadline_dues, sla_dues, ticket_dues, Due, DueKind, Target};
pub use escalation::{escalation, Action, Role};
pub use ics::{ics, IcsDeadline};
pub use plan::{plan, Plan};
