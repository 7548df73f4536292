//! SLA clocks: a ticket's first-response and resolution targets, measured in
//! business time from its events.

use crate::config::TimeConfig;
use chrono::{DateTime, Duration, Utc};
use guichet_calendar::BusinessCalendar;
use guichet_domain::{Change, Event, EventKind, Party, Status, Ticket, Visibility};
use serde::{Deserialize, Serialize};

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Counting, below the warning threshold.
    Running,
    /// Not counting (a pause status), target not reached.
    Paused,
    /// Counting, past the warning threshold.
    Warning,
    /// Target reached and not yet met (counting or paused).
    Breached,
    /// Met within the target.
    Met,
    /// Met after the target.
    MetLate,
}

impl ClockState {
    /// The clock has stopped for good (until a reopening).
    pub fn is_met(self) -> bool {
        matches!(self, ClockState::Met | ClockState::MetLate)
    }
}

/// One target of a ticket, in business minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetClock {
    pub target_minutes: i64,
    /// Business minutes counted so far (until met, when met), whole minutes.
    pub elapsed_minutes: i64,
    pub state: ClockState,
    /// While counting and not yet breached: the moment the target will be
    /// reached if nothing changes.
    pub due_at: Option<DateTime<Utc>>,
    /// The moment the warning threshold was reached, or will be if the
    /// clock keeps counting.
    pub warn_at: Option<DateTime<Utc>>,
    /// The moment the target was reached, when it was.
    pub breached_at: Option<DateTime<Utc>>,
}

/// A ticket's two SLA targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    pub first_response: TargetClock,
    pub resolution: TargetClock,
}

/// The clocks of one ticket at `now`, from its events in clock order (the
/// first one its creation). `None` when the events do not start with a
/// creation or no SLA policy matches the ticket.
///
/// - The policy is chosen by the ticket's *current* category and priority: a
///   priority change re-targets both clocks, the time already counted stays.
/// - The clocks count business time (working hours of working days in the
///   calendar's time zone) while the ticket is open and not in a pause
///   status; time in a pause status does not count.
/// - First response is met by the first public reply (`Commented` with
///   `visibility: reply`) by someone other than the requester (when the
///   requester is a colleague, `Party::User`), or by the ticket's first
///   resolution if that comes first. Internal notes never count.
/// - Resolution is met when the ticket becomes resolved or closed; reopening
///   resumes the clock from where it stopped.
/// - Event times are taken as they come, never going back: an event stamped
///   earlier than its predecessor (another replica's clock) counts at the
///   predecessor's time. Time after `now` does not count.
pub fn sla_clock(
    events: &[Event],
    cfg: &TimeConfig,
    cal: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Option<SlaClock> {
    let first = events.first()?;
    let EventKind::Created(data) = &first.kind else {
        return None;
    };
    let ticket = Ticket::replay(events)?;
    let policy = cfg.policy_for(&ticket.category, ticket.priority)?;

    let counts = |s: Status| s.is_open() && !cfg.pause_statuses.contains(&s);
    let mut status = data.status;
    let mut requester = data.requester;
    let mut at = first.at;
    let mut since = counts(status).then_some(at);
    let mut segments: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut responded: Option<DateTime<Utc>> = (!status.is_open()).then_some(at);
    let mut resolved: Option<DateTime<Utc>> = (!status.is_open()).then_some(at);

    for e in &events[1..] {
        at = at.max(e.at);
        match &e.kind {
            EventKind::Changed(Change::Status { new, .. }) => {
                let new = *new;
                match (since, counts(new)) {
                    (Some(s), false) => {
                        segments.push((s, at));
                        since = None;
                    }
                    (None, true) => since = Some(at),
                    _ => {}
                }
                if !new.is_open() {
                    responded.get_or_insert(at);
                    if status.is_open() {
                        resolved = Some(at);
                    }
                } else {
                    resolved = None;
                }
                status = new;
            }
            EventKind::Changed(Change::Requester { new, .. }) => requester = *new,
            EventKind::Commented {
                visibility: Visibility::Reply,
                ..
            } if requester != Some(Party::User(e.actor)) => {
                responded.get_or_insert(at);
            }
            _ => {}
        }
    }
    let counting_now = since.is_some();
    if let Some(s) = since {
        segments.push((s, now.max(s)));
    }
    let segments: Vec<_> = segments
        .into_iter()
        .map(|(s, e)| (s.min(now), e.min(now)))
        .filter(|(s, e)| s < e)
        .collect();

    let first_response_segments: Vec<_> = match responded {
        Some(r) => segments
            .iter()
            .map(|(s, e)| (*s, (*e).min(r)))
            .filter(|(s, e)| s < e)
            .collect(),
        None => segments.clone(),
    };
    let warn = cfg.warn_percent;
    Some(SlaClock {
        first_response: target_clock(
            cal,
            &first_response_segments,
            responded.is_some(),
            counting_now && responded.is_none(),
            policy.first_response_minutes,
            warn,
            now,
        ),
        resolution: target_clock(
            cal,
            &segments,
            resolved.is_some(),
            counting_now,
            policy.resolution_minutes,
            warn,
            now,
        ),
    })
}

fn target_clock(
    cal: &BusinessCalendar,
    segments: &[(DateTime<Utc>, DateTime<Utc>)],
    met: bool,
    counting: bool,
    target_minutes: u32,
    warn_percent: u8,
    now: DateTime<Utc>,
) -> TargetClock {
    let worked: Vec<Duration> = segments
        .iter()
        .map(|(s, e)| cal.working_between(*s, *e))
        .collect();
    let elapsed = worked.iter().fold(Duration::zero(), |a, b| a + *b);
    let target = Duration::minutes(target_minutes as i64);
    let warn = Duration::seconds(target_minutes as i64 * 60 * warn_percent as i64 / 100);
    // The moment the counted time reached `x`, walking the segments.
    let crossing = |x: Duration| {
        let mut before = Duration::zero();
        for ((s, _), w) in segments.iter().zip(&worked) {
            if before + *w >= x {
                return Some(cal.add_working(*s, x - before));
            }
            before += *w;
        }
        None
    };
    let ahead = |x: Duration| (counting && elapsed < x).then(|| cal.add_working(now, x - elapsed));
    let state = if met {
        if elapsed <= target {
            ClockState::Met
        } else {
            ClockState::MetLate
        }
    } else if elapsed >= target {
        ClockState::Breached
    } else if !counting {
        ClockState::Paused
    } else if elapsed >= warn {
        ClockState::Warning
    } else {
        ClockState::Running
    };
    TargetClock {
        target_minutes: target_minutes as i64,
        elapsed_minutes: elapsed.num_minutes(),
        state,
        due_at: if met { None } else { ahead(target) },
        warn_at: if elapsed >= warn {
            crossing(warn)
        } else if met {
            None
        } else {
            ahead(warn)
        },
        breached_at: if elapsed > target || (!met && elapsed == target) {
            crossing(target)
        } else {
            None
        },
    }
}
