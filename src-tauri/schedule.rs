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
use guichet_sla::{plan, Action, DueKind, Target, TimeConfig};
use guichet_store::Store;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Settings keys (in the store's settings table).
pub const TIME_CONFIG: &str = "time.config";
pub const PREFS: &str = "notify.prefs";
const CURSOR: &str = "notify.cursor";

/// Dues older than this when first seen (an imported store, a PC off for
/// months) are not escalated into histories any more; they are counted in
/// a summary notification.
pub const CATCH_UP: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// Beyond this many notifications due at once (a PC back after a week
/// off), the rest come as one summary.
pub const MAX_INDIVIDUAL: usize = 5;

/// What one round leaves to do.
#[derive(Debug, Default)]
pub struct Round {
    /// Notifications to show now, in order.
    pub notices: Vec<Notice>,
    /// For each notification, the keys to record as delivered once it was
    /// shown (see [`shown`]).
    pub settles: Vec<Vec<String>>,
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

/// A team's business calendar: its own under the time settings, or the
/// firm's when it has none or its own no longer validates.
pub fn team_calendar(
    cfg: &TimeConfig,
    team: Option<guichet_domain::TeamId>,
) -> Result<guichet_calendar::BusinessCalendar, guichet_sla::ConfigError> {
    cfg.calendar_for(team.map(|t| t.to_string()).as_deref())
        .or_else(|_| cfg.calendar_for(None))
}

/// The firm's business calendar under the stored time settings.
pub async fn firm_calendar(
    store: &Store,
) -> Result<guichet_calendar::BusinessCalendar, guichet_sla::ConfigError> {
    time_config(store).await.calendar_for(None)
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

/// How far back SLA clocks are computed: an open ticket created longer ago
/// than this had its targets (days, not months) met or breached long
/// since; walking its business time day by day at every full refresh would
/// cost more than it tells. Its deadline is still watched.
pub const SLA_HORIZON: chrono::TimeDelta = chrono::TimeDelta::days(180);

/// What the scheduler keeps of one open ticket between rounds.
#[derive(Debug, Clone, Default)]
struct Watched {
    dues: Vec<guichet_sla::Due>,
    mine: bool,
    overdue: bool,
}

/// Each watched ticket's SLA clock as of its last computation, shared with
/// the list (its rows' SLA badges) without recomputing anything per row.
pub type SlaBoard = std::sync::Arc<std::sync::RwLock<HashMap<TicketId, guichet_sla::SlaClock>>>;

/// The state a badge shows at `now`: the worse of the two targets, moved on
/// by the time passed since the clock was computed (a running target whose
/// warning or breach moment has come is at risk or breached now).
pub fn badge(clock: &guichet_sla::SlaClock, now: DateTime<Utc>) -> Option<&'static str> {
    use guichet_sla::ClockState::*;
    let state = |t: &guichet_sla::TargetClock| match t.state {
        Breached => 3,
        Running | Warning if t.due_at.is_some_and(|d| d <= now) => 3,
        Warning => 2,
        Running if t.warn_at.is_some_and(|w| w <= now) => 2,
        Paused => 1,
        _ => 0,
    };
    match state(&clock.first_response).max(state(&clock.resolution)) {
        3 => Some("breached"),
        2 => Some("warning"),
        1 => Some("paused"),
        _ => None,
    }
}

/// The scheduler's memory between rounds: each open ticket's due moments.
/// A full read of the open tickets (page by page, so memory stays bounded)
/// happens at start and every [`REFRESH`]; in between, a round recomputes
/// only the tickets whose events arrived since (by the local event
/// sequence), so a change in a store of 100,000 tickets costs one ticket.
#[derive(Debug, Default)]
pub struct Planner {
    /// Shared with the list's SLA badges.
    pub board: SlaBoard,
    watched: HashMap<TicketId, Watched>,
    seq: i64,
    full_at: Option<DateTime<Utc>>,
    /// The time settings the dues were computed with: new settings, new read.
    settings: String,
}

fn watch(
    board: &SlaBoard,
    cfg: &TimeConfig,
    calendars: &mut HashMap<
        Option<guichet_domain::TeamId>,
        Option<guichet_calendar::BusinessCalendar>,
    >,
    me: UserId,
    now: DateTime<Utc>,
    t: &Ticket,
    events: &[guichet_domain::Event],
) -> Option<Watched> {
    if !t.status.is_open() {
        return None;
    }
    // Each team's calendar once; a team calendar that no longer validates
    // falls back to the firm's.
    let cal = calendars
        .entry(t.team)
        .or_insert_with(|| team_calendar(cfg, t.team).ok())
        .clone()?;
    let mut dues = guichet_sla::deadline_dues(t, cfg, &cal);
    let clock = (now - t.created_at <= SLA_HORIZON)
        .then(|| guichet_sla::sla_clock(events, cfg, &cal, now))
        .flatten();
    if let Ok(mut b) = board.write() {
        match &clock {
            Some(c) => b.insert(t.id, c.clone()),
            None => b.remove(&t.id),
        };
    }
    if let Some(c) = &clock {
        dues.extend(guichet_sla::sla_dues(t.id, c));
    }
    let today = cal.local_date(now);
    Some(Watched {
        dues,
        mine: t.assignee == Some(me),
        overdue: t.due.is_some_and(|d| cal.effective_deadline(d) < today),
    })
}

impl Planner {
    /// A planner that publishes its SLA clocks on `board`.
    pub fn new(board: SlaBoard) -> Planner {
        Planner {
            board,
            ..Planner::default()
        }
    }

    async fn refresh(
        &mut self,
        store: &Store,
        cfg: &TimeConfig,
        me: UserId,
        now: DateTime<Utc>,
    ) -> guichet_store::Result<()> {
        let mut calendars = HashMap::new();
        let settings = serde_json::to_string(cfg).unwrap_or_default();
        let full = settings != self.settings
            || self
                .full_at
                .is_none_or(|at| now - at >= REFRESH || now < at);
        if full {
            // The sequence first: what arrives during the read is read again.
            let seq = store.last_seq().await?;
            let mut watched = HashMap::new();
            let mut after = 0;
            loop {
                let page = store.open_tickets_page(after, 200).await?;
                let Some(last) = page.last().map(|(n, _, _)| *n) else {
                    break;
                };
                after = last;
                for (_, t, events) in &page {
                    if let Some(w) = watch(&self.board, cfg, &mut calendars, me, now, t, events) {
                        watched.insert(t.id, w);
                    }
                }
                // Let the app's own commands in between pages.
                tokio::task::yield_now().await;
            }
            if let Ok(mut b) = self.board.write() {
                b.retain(|id, _| watched.contains_key(id));
            }
            self.watched = watched;
            self.seq = seq;
            self.full_at = Some(now);
            self.settings = settings;
            return Ok(());
        }
        let mut changed = std::collections::BTreeSet::new();
        loop {
            let events = store.events_since(self.seq, 5_000).await?;
            let Some(last) = events.last().map(|(seq, _)| *seq) else {
                break;
            };
            changed.extend(events.iter().map(|(_, e)| e.ticket));
            self.seq = last;
        }
        for id in changed {
            let history = store.history(&id.to_string()).await?;
            match Ticket::replay(&history)
                .and_then(|t| watch(&self.board, cfg, &mut calendars, me, now, &t, &history))
            {
                Some(w) => {
                    self.watched.insert(id, w);
                }
                None => {
                    self.watched.remove(&id);
                    if let Ok(mut b) = self.board.write() {
                        b.remove(&id);
                    }
                }
            }
        }
        Ok(())
    }
}

/// One round at `now` for the local user `me`, from a planner that
/// carries what earlier rounds computed (a fresh `Planner` reads all).
pub async fn round(
    store: &Store,
    planner: &mut Planner,
    me: UserId,
    now: DateTime<Utc>,
) -> guichet_store::Result<Round> {
    let cfg = time_config(store).await;
    let prefs = prefs(store).await;
    let local_now = now.with_timezone(&Local).time();
    // In a shared firm every PC sees the same breach; one writes it.
    let shared = store.is_shared().await?;
    // A lead disabled since is nobody's to escalate to.
    let active: HashSet<UserId> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| u.id)
        .collect();
    let leads: HashMap<_, _> = store
        .teams()
        .await?
        .into_iter()
        .map(|t| (t.id, t.lead.filter(|l| active.contains(l))))
        .collect();
    planner.refresh(store, &cfg, me, now).await?;
    let mut delivered = store.delivered().await?;
    let mut counts = TrayCounts::default();
    for w in planner.watched.values().filter(|w| w.mine) {
        counts.open += 1;
        counts.overdue += u32::from(w.overdue);
    }
    // Everything due fires here; the cap on individual notifications is
    // applied below to *my* notifications only.
    let planned = plan(
        planner
            .watched
            .values()
            .flat_map(|w| w.dues.iter().cloned()),
        &delivered,
        now,
        usize::MAX,
    );
    let mut out = Round {
        next_wake: planned.next_wake,
        counts,
        ..Round::default()
    };
    // Keys settled in this round whatever happens to a notification.
    let mut record = Vec::new();
    // My notifications, each with the keys it settles once shown.
    let mut mine: Vec<(Notice, String)> = Vec::new();
    let mut stale = Vec::new();
    let held = |kind: &NoticeKind| prefs.enabled(kind.key()) && !prefs.allows(kind, local_now, now);
    let mut tickets: HashMap<TicketId, Option<(Ticket, Vec<guichet_domain::Event>)>> =
        HashMap::new();

    for due in planned.fire.iter().chain(planned.summarised.iter()) {
        // Long past (a store imported with old deadlines, a PC off for
        // months): no escalation into the history, one line in the summary.
        if now - due.at > CATCH_UP {
            stale.push(due.key.clone());
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(v) = tickets.entry(due.ticket) {
            let history = store.history(&due.ticket.to_string()).await?;
            v.insert(Ticket::replay(&history).map(|t| (t, history)));
        }
        let Some(Some((ticket, history))) = tickets.get(&due.ticket) else {
            record.push(due.key.clone());
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
        let esc_key = format!("escalated:{}", due.key);
        if let Some(r) = reason(&due.kind) {
            let escalated_before = history
                .iter()
                .any(|e| matches!(&e.kind, EventKind::Escalated { reason, .. } if *reason == r));
            let breach = !matches!(
                r,
                EscalationReason::FirstResponseWarning | EscalationReason::ResolutionWarning
            );
            // A breach escalates once: a raised priority re-targets the
            // clock and would otherwise breach (and raise) again.
            if breach && escalated_before && !delivered.contains(&esc_key) {
                record.push(esc_key);
                record.push(due.key.clone());
                continue;
            }
            if !delivered.contains(&esc_key) && !escalation_writer(shared, me, ticket, lead) {
                // Another PC writes it (it reaches this one by sync).
                record.push(esc_key.clone());
            } else if !delivered.contains(&esc_key) {
                let edits = actions
                    .iter()
                    .filter_map(|a| match a {
                        Action::RaisePriority { to, .. } if !escalated_before => {
                            Some(guichet_domain::Edit::Priority(*to))
                        }
                        Action::Reassign { to } => Some(guichet_domain::Edit::Assignee(Some(*to))),
                        _ => None,
                    })
                    .collect();
                // One escalation refused (a lead disabled since, say) must
                // not stop the others: logged by code and id, settled.
                match store
                    .escalate(me, &ticket.id.to_string(), r, notified.clone(), edits)
                    .await
                {
                    Ok(_) => out.escalations += 1,
                    Err(e) => {
                        tracing::warn!(ticket = %ticket.id, code = e.code(), "escalation refused")
                    }
                }
                // Settled at once: a later failure in this round must not
                // write the escalation again.
                store
                    .record_delivered(std::slice::from_ref(&esc_key), now)
                    .await?;
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
        if !prefs.enabled(kind.key()) {
            record.push(due.key.clone());
            continue;
        }
        mine.push((
            Notice {
                key: due.key.clone(),
                kind,
                reference: Some(ticket.reference.to_string()),
                title: ticket.title.clone(),
            },
            due.key.clone(),
        ));
    }

    // What others did since the last round.
    for n in activity(store, me, &prefs, &delivered, now, local_now).await? {
        let key = n.key.clone();
        mine.push((n, key));
    }
    // The oldest few one by one, the rest (and the long-past) in a summary.
    let surplus = if mine.len() > MAX_INDIVIDUAL {
        mine.split_off(MAX_INDIVIDUAL)
    } else {
        Vec::new()
    };
    for (n, key) in mine {
        out.notices.push(n);
        out.settles.push(vec![key]);
    }
    let quiet = prefs.is_paused(now) || prefs.is_quiet(local_now);
    let count = surplus.len() + if quiet { 0 } else { stale.len() };
    if count > 0 && prefs.enabled(KindKey::Summary) && !quiet {
        out.notices.push(Notice {
            key: format!("summary:{}", now.timestamp_millis()),
            kind: NoticeKind::Summary { count },
            reference: None,
            title: String::new(),
        });
        out.settles
            .push(surplus.into_iter().map(|(_, k)| k).chain(stale).collect());
    } else if !quiet {
        record.extend(surplus.into_iter().map(|(_, k)| k));
        record.extend(stale);
    }
    if quiet {
        out.held_until = prefs.next_allowed(now.with_timezone(&Local).naive_local(), now);
    }
    store.record_delivered(&record, now).await?;
    Ok(out)
}

/// Who writes an escalation into the ticket's history. On a PC of its own:
/// this PC. In a shared firm, where every PC sees the same breach, one PC
/// does: the team lead's (who may raise and reassign), else the
/// assignee's; a ticket with neither gets no written escalation (its badge
/// still shows the breach everywhere). Notifications stay per PC.
pub fn escalation_writer(shared: bool, me: UserId, ticket: &Ticket, lead: Option<UserId>) -> bool {
    !shared || lead.or(ticket.assignee) == Some(me)
}

/// Records what a shown notification settles: the caller calls it once the
/// notification server took the notification, so a notification that
/// could not be shown (no server yet at login) is tried again.
pub async fn shown(
    store: &Store,
    keys: &[String],
    now: DateTime<Utc>,
) -> guichet_store::Result<()> {
    store.record_delivered(keys, now).await
}

/// Shows nothing and settles everything a round returned (tests, and a
/// desktop session without notifications).
#[cfg(test)]
pub async fn settle(store: &Store, round: &Round, now: DateTime<Utc>) {
    let keys: Vec<String> = round.settles.iter().flatten().cloned().collect();
    store.record_delivered(&keys, now).await.unwrap();
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
            EventKind::Commented { body, .. } if mentions(&body.to_lowercase(), &mention) => {
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

/// The due dates whose effective deadline falls from today to the end of
/// this week's last working day, for the Due this week view: from the
/// overdue cut-off (a weekend deadline that rolled to today counts) to the
/// week's last working day on or before Sunday.
pub fn this_week(
    cal: Option<&guichet_calendar::BusinessCalendar>,
    today: chrono::NaiveDate,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    use chrono::Datelike;
    let sunday = today + chrono::Duration::days(6 - today.weekday().num_days_from_monday() as i64);
    let Some(cal) = cal.filter(|c| c.rollover) else {
        return (today, sunday);
    };
    let mut last = sunday;
    while last > today && !cal.calendar.is_working_day(last) {
        last -= chrono::Duration::days(1);
    }
    (overdue_cutoff(Some(cal), today), last)
}

/// `@login` in a text, not as the start of a longer login (`@ann` is not
/// in `@anne`).
pub fn mentions(text: &str, mention: &str) -> bool {
    text.match_indices(mention).any(|(i, m)| {
        text[i + m.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'))
    })
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
