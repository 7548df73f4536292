//! The desktop's scheduler: one *round* reads the open tickets, plans their
//! reminders and SLA moments with `guichet-sla`, carries out escalations
//! (each written into the ticket's history), reads what others did since
//! the last round (assignments, replies, mentions), and returns the
//! notifications to show. The loop around it ([`run`]) sleeps until the next
//! due moment or the next change, and re-reads the wall clock at least every
//! minute, so a suspended PC or a clock change never makes it late by more
//! than that, and a PC that was off catches up once.
//!
//! What was delivered is recorded in the store by key, so a restart or a
//! re-plan never repeats a notification or an escalation.

use chrono::{DateTime, Local, Utc};
use guichet_domain::{EscalationReason, EventKind, Ticket, TicketId, UserId, Visibility};
use guichet_notify::{KindKey, Notice, NoticeKind, Prefs, TrayCounts};
use guichet_sla::{plan, ticket_dues, Action, DueKind, Target, TimeConfig};
use guichet_store::Store;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Settings keys (in the store's settings table).
pub const TIME_CONFIG: &str = "time.config";
pub const PREFS: &str = "notify.prefs";
const CURSOR: &str = "notify.cursor";

/// Beyond this many notifications due at once (a PC back after a week
/// off), the rest come as one summary.
pub const MAX_INDIVIDUAL: usize = 5;

/// What one round leaves to do.
#[derive(Debug, Default)]
pub struct Round {
    /// Notifications to show now, in order.
    pub notices: Vec<Notice>,
    /// The next due moment not yet delivered.
    pub next_wake: Option<DateTime<Utc>>,
    /// Quiet hours or a pause held notifications back until then.
    pub held_until: Option<DateTime<Utc>>,
    /// My open tickets and, of those, the overdue ones (business calendar).
    pub counts: TrayCounts,
    /// Escalations written into ticket histories during this round.
    pub escalations: usize,
}

/// The firm's time settings; a stored document that no longer validates
/// falls back to the defaults (logged without its content).
pub async fn time_config(store: &Store) -> TimeConfig {
    match store.setting(TIME_CONFIG).await {
        Ok(Some(json)) => TimeConfig::from_json(&json).unwrap_or_else(|e| {
            tracing::warn!(field = %e.field, "stored time settings refused; using defaults");
            TimeConfig::default()
        }),
        _ => TimeConfig::default(),
    }
}

/// The local user's notification preferences.
pub async fn prefs(store: &Store) -> Prefs {
    match store.setting(PREFS).await {
        Ok(Some(json)) => Prefs::from_json(&json).unwrap_or_default(),
        _ => Prefs::default(),
    }
}

fn reason(kind: &DueKind) -> Option<EscalationReason> {
    Some(match kind {
        DueKind::Reminder { .. } => return None,
        DueKind::SlaWarning {
            target: Target::FirstResponse,
        } => EscalationReason::FirstResponseWarning,
        DueKind::SlaWarning {
            target: Target::Resolution,
        } => EscalationReason::ResolutionWarning,
        DueKind::SlaBreach {
            target: Target::FirstResponse,
        } => EscalationReason::FirstResponseBreached,
        DueKind::SlaBreach {
            target: Target::Resolution,
        } => EscalationReason::ResolutionBreached,
        DueKind::DeadlineMissed { .. } => EscalationReason::DeadlineMissed,
    })
}

fn target_name(t: &Target) -> String {
    match t {
        Target::FirstResponse => "first_response".into(),
        Target::Resolution => "resolution".into(),
    }
}

/// The notification a due gives the user, as assignee or as lead.
fn notice_kind(kind: &DueKind, as_lead: bool) -> NoticeKind {
    if as_lead {
        if let Some(r) = reason(kind) {
            let reason = serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            return NoticeKind::Escalation { reason };
        }
    }
    match kind {
        DueKind::Reminder {
            deadline,
            days_before,
        } => NoticeKind::Reminder {
            days_before: *days_before,
            deadline: *deadline,
        },
        DueKind::SlaWarning { target } => NoticeKind::SlaWarning {
            target: target_name(target),
        },
        DueKind::SlaBreach { target } => NoticeKind::SlaBreach {
            target: target_name(target),
        },
        DueKind::DeadlineMissed { deadline } => NoticeKind::DeadlineMissed {
            deadline: *deadline,
        },
    }
}

/// One round at `now` for the local user `me`.
pub async fn round(store: &Store, me: UserId, now: DateTime<Utc>) -> guichet_store::Result<Round> {
    let cfg = time_config(store).await;
    let prefs = prefs(store).await;
    let local_now = now.with_timezone(&Local).time();
    let leads: HashMap<_, _> = store
        .teams()
        .await?
        .into_iter()
        .map(|t| (t.id, t.lead))
        .collect();
    let open = store.open_tickets_with_events().await?;
    let mut delivered = store.delivered().await?;

    // Each team's calendar once; a team calendar that no longer validates
    // falls back to the firm's.
    let firm = cfg.calendar_for(None).ok();
    let mut calendars = HashMap::new();
    let mut dues = Vec::new();
    let mut counts = TrayCounts::default();
    for (t, events) in &open {
        let cal = calendars
            .entry(t.team)
            .or_insert_with(|| {
                cfg.calendar_for(t.team.map(|id| id.to_string()).as_deref())
                    .ok()
                    .or_else(|| firm.clone())
            })
            .clone();
        let Some(cal) = cal else { continue };
        if t.assignee == Some(me) {
            counts.open += 1;
            let today = cal.local_date(now);
            if t.due.is_some_and(|d| cal.effective_deadline(d) < today) {
                counts.overdue += 1;
            }
        }
        dues.extend(ticket_dues(events, &cfg, &cal, now));
    }
    let tickets: HashMap<TicketId, &Ticket> = open.iter().map(|(t, _)| (t.id, t)).collect();
    let planned = plan(dues, &delivered, now, MAX_INDIVIDUAL);

    let mut out = Round {
        next_wake: planned.next_wake,
        counts,
        ..Round::default()
    };
    let mut record = Vec::new();
    let mut summarised = 0usize;
    let held = |kind: &NoticeKind| prefs.enabled(kind.key()) && !prefs.allows(kind, local_now, now);

    for (due, individual) in planned
        .fire
        .iter()
        .map(|d| (d, true))
        .chain(planned.summarised.iter().map(|d| (d, false)))
    {
        let Some(ticket) = tickets.get(&due.ticket) else {
            continue;
        };
        let lead = ticket.team.and_then(|t| leads.get(&t).copied().flatten());
        let actions = guichet_sla::escalation(due, ticket, lead, &cfg);
        let mut notified: Vec<UserId> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Notify { user, .. } => Some(*user),
                _ => None,
            })
            .collect();
        // On a PC of its own, a ticket with neither assignee nor lead is
        // the local user's to hear of.
        if notified.is_empty() {
            notified.push(me);
        }
        let as_lead = ticket.assignee != Some(me) && notified.contains(&me) && lead == Some(me);
        // Escalations go into the history once, whatever happens to the
        // notification (held by quiet hours, say).
        let esc_key = format!("escalated:{}", due.key);
        if let Some(r) = reason(&due.kind) {
            if !delivered.contains(&esc_key) {
                let already_raised = open
                    .iter()
                    .find(|(t, _)| t.id == ticket.id)
                    .is_some_and(|(_, evs)| {
                        evs.iter().any(|e| matches!(&e.kind, EventKind::Escalated { reason, .. } if *reason == r))
                    });
                let edits = actions
                    .iter()
                    .filter_map(|a| match a {
                        Action::RaisePriority { to, .. } if !already_raised => {
                            Some(guichet_domain::Edit::Priority(*to))
                        }
                        Action::Reassign { to } => Some(guichet_domain::Edit::Assignee(Some(*to))),
                        _ => None,
                    })
                    .collect();
                store
                    .escalate(me, &ticket.id.to_string(), r, notified.clone(), edits)
                    .await?;
                out.escalations += 1;
                record.push(esc_key.clone());
                delivered.insert(esc_key);
            }
        }
        if !notified.contains(&me) {
            record.push(due.key.clone());
            continue;
        }
        let kind = notice_kind(&due.kind, as_lead);
        if held(&kind) {
            continue;
        }
        record.push(due.key.clone());
        if !prefs.enabled(kind.key()) {
            continue;
        }
        if individual {
            out.notices.push(Notice {
                key: due.key.clone(),
                kind,
                reference: Some(ticket.reference.to_string()),
                title: ticket.title.clone(),
            });
        } else {
            summarised += 1;
        }
    }
    if summarised > 0 {
        out.notices.push(Notice {
            key: format!("summary:{}", now.timestamp_millis()),
            kind: NoticeKind::Summary { count: summarised },
            reference: None,
            title: String::new(),
        });
    }

    // What others did since the last round.
    let others = activity(store, me, &prefs, &delivered, now, local_now).await?;
    for n in others {
        record.push(n.key.clone());
        out.notices.push(n);
    }
    if prefs.is_paused(now) || prefs.is_quiet(local_now) {
        out.held_until = prefs.next_allowed(now.with_timezone(&Local).naive_local(), now);
    }
    store.record_delivered(&record, now).await?;
    Ok(out)
}

/// Assignments to me, replies and notes on tickets I own or watch, and
/// mentions of me (`@login`), by someone else, since the last round. The
/// first round ever starts from the end of the log: no flood of the past.
async fn activity(
    store: &Store,
    me: UserId,
    prefs: &Prefs,
    delivered: &HashSet<String>,
    now: DateTime<Utc>,
    local_now: chrono::NaiveTime,
) -> guichet_store::Result<Vec<Notice>> {
    let cursor = match store.setting(CURSOR).await? {
        Some(c) => c.parse::<i64>().unwrap_or(0),
        None => {
            let last = store.last_seq().await?;
            store.set_setting(CURSOR, &last.to_string()).await?;
            return Ok(Vec::new());
        }
    };
    if prefs.is_paused(now) || prefs.is_quiet(local_now) {
        return Ok(Vec::new());
    }
    let login = store.user(&me.to_string()).await?.login;
    let mention = format!("@{}", login.to_lowercase());
    let events = store.events_since(cursor, 500).await?;
    let Some(last) = events.last().map(|(seq, _)| *seq) else {
        return Ok(Vec::new());
    };
    let mut tickets: BTreeMap<TicketId, Ticket> = BTreeMap::new();
    let mut out = Vec::new();
    for (_, e) in events {
        if e.actor == me {
            continue;
        }
        let key = format!("event:{}", e.id);
        if delivered.contains(&key) {
            continue;
        }
        if let std::collections::btree_map::Entry::Vacant(v) = tickets.entry(e.ticket) {
            match store.ticket(&e.ticket.to_string()).await {
                Ok(t) => {
                    v.insert(t);
                }
                Err(_) => continue,
            }
        }
        let t = &tickets[&e.ticket];
        let mine = t.assignee == Some(me) || t.watchers.contains(&me) || t.created_by == me;
        let kind = match &e.kind {
            EventKind::Changed(guichet_domain::Change::Assignee { new: Some(u), .. })
                if *u == me =>
            {
                NoticeKind::Assigned
            }
            EventKind::Created(d) if d.assignee == Some(me) => NoticeKind::Assigned,
            EventKind::Commented { body, .. } if body.to_lowercase().contains(&mention) => {
                NoticeKind::Mention
            }
            EventKind::Commented { visibility, .. } if mine => match visibility {
                Visibility::Reply => NoticeKind::Reply,
                Visibility::Internal => NoticeKind::Note,
            },
            _ => continue,
        };
        if !prefs.enabled(kind.key()) {
            continue;
        }
        out.push(Notice {
            key,
            kind,
            reference: Some(t.reference.to_string()),
            title: t.title.clone(),
        });
    }
    store.set_setting(CURSOR, &last.to_string()).await?;
    Ok(out)
}

/// The `today` to give the store's overdue view so that it counts in
/// business time: a ticket is overdue once its *effective* deadline (after
/// rollover) is before today, which is the case exactly when its due date
/// is on or before the last working day before today.
pub fn overdue_cutoff(
    cal: Option<&guichet_calendar::BusinessCalendar>,
    today: chrono::NaiveDate,
) -> chrono::NaiveDate {
    let Some(cal) = cal.filter(|c| c.rollover) else {
        return today;
    };
    let mut last = today - chrono::Duration::days(1);
    for _ in 0..60 {
        if cal.calendar.is_working_day(last) {
            break;
        }
        last -= chrono::Duration::days(1);
    }
    last + chrono::Duration::days(1)
}

/// The kinds a user can switch off, for the settings screen.
pub fn kinds() -> Vec<&'static str> {
    KindKey::ALL.iter().map(|k| k.name()).collect()
}

/// A full round runs at least this often, to see what another process (the
/// command line, later the sync engine) wrote.
pub const REFRESH: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// The moment the next round is due: the next due moment, the end of a
/// hold, or the periodic refresh, whichever comes first.
pub fn next_round(round: &Round, now: DateTime<Utc>) -> DateTime<Utc> {
    [round.next_wake, round.held_until, Some(now + REFRESH)]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(now + REFRESH)
}

/// How long to sleep before looking at the wall clock again: until `next`,
/// but never more than a minute, so that a suspended PC or a changed clock
/// is noticed within a minute (the monotonic timer stops during suspend).
/// The look is a comparison, not a round: no polling of the database.
pub fn nap(next: DateTime<Utc>, now: DateTime<Utc>) -> std::time::Duration {
    const MAX: std::time::Duration = std::time::Duration::from_secs(60);
    (next - now).to_std().unwrap_or_default().min(MAX)
}

/// Something every due can be told apart by in a test.
#[cfg(test)]
pub fn keys(r: &Round) -> Vec<String> {
    r.notices.iter().map(|n| n.key.clone()).collect()
}
