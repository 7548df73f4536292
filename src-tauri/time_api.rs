//! The commands of deadlines, SLAs and notifications: a ticket's clocks and
//! deadline, the four-eyes confirmation, the agenda of deadlines, and the
//! settings (the firm's time settings, the user's notification preferences).

use crate::api::{ApiError, AppState};
use crate::schedule;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use guichet_domain::{due_confirmation, Event, Ticket, UserId};
use guichet_notify::{KindKey, Prefs, QuietHours};
use guichet_sla::{sla_clock, ClockState, TargetClock, TimeConfig};
use guichet_store::{ListQuery, Sort, Store};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

type ApiResult<T> = Result<T, ApiError>;

fn invalid(field: &str, problem: impl Into<String>, accepted: impl Into<String>) -> ApiError {
    ApiError {
        code: "invalid".into(),
        field: Some(field.into()),
        message: format!("{field}: {}; accepted: {}", problem.into(), accepted.into()),
    }
}

/// One SLA target as the UI shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TargetView {
    /// running, paused, warning, breached, met, met_late
    pub state: String,
    pub target_minutes: i64,
    pub elapsed_minutes: i64,
    /// When it breaches if nothing happens (while running), RFC 3339.
    pub due_at: Option<String>,
}

fn target_view(t: &TargetClock) -> TargetView {
    let state = match t.state {
        ClockState::Running => "running",
        ClockState::Paused => "paused",
        ClockState::Warning => "warning",
        ClockState::Breached => "breached",
        ClockState::Met => "met",
        ClockState::MetLate => "met_late",
    };
    TargetView {
        state: state.into(),
        target_minutes: t.target_minutes,
        elapsed_minutes: t.elapsed_minutes,
        due_at: t.due_at.map(|d| d.to_rfc3339()),
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SlaView {
    pub first_response: TargetView,
    pub resolution: TargetView,
}

/// A ticket's deadline: as entered, as it counts after rollover, and its
/// four-eyes state.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeadlineView {
    pub due: String,
    pub effective: String,
    /// The due date fell on a weekend or holiday and moved.
    pub rolled: bool,
    pub overdue: bool,
    /// The category asks for a second person's confirmation.
    pub four_eyes: bool,
    pub set_by: String,
    pub confirmed_by: Option<String>,
    /// The local user may confirm it now.
    pub can_confirm: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TicketTime {
    pub sla: Option<SlaView>,
    pub deadline: Option<DeadlineView>,
}

/// The clocks and the deadline of one ticket at `now`.
pub async fn ticket_time(
    store: &Store,
    me: UserId,
    ticket: &Ticket,
    history: &[Event],
    now: DateTime<Utc>,
) -> TicketTime {
    let cfg = schedule::time_config(store).await;
    let Ok(cal) = schedule::team_calendar(&cfg, ticket.team) else {
        return TicketTime {
            sla: None,
            deadline: None,
        };
    };
    let sla = if ticket.status.is_open() || history.len() > 1 {
        sla_clock(history, &cfg, &cal, now).map(|c| SlaView {
            first_response: target_view(&c.first_response),
            resolution: target_view(&c.resolution),
        })
    } else {
        None
    };
    let deadline = match (ticket.due, due_confirmation(history)) {
        (Some(due), Some(c)) => {
            let effective = cal.effective_deadline(due);
            let four_eyes = cfg.requires_four_eyes(&ticket.category);
            let login = |id: UserId| async move {
                store
                    .user(&id.to_string())
                    .await
                    .map(|u| u.name)
                    .unwrap_or_default()
            };
            Some(DeadlineView {
                due: due.to_string(),
                effective: effective.to_string(),
                rolled: effective != due,
                overdue: ticket.status.is_open() && effective < cal.local_date(now),
                four_eyes,
                set_by: login(c.set_by).await,
                confirmed_by: match c.confirmed_by {
                    Some(u) => Some(login(u).await),
                    None => None,
                },
                can_confirm: four_eyes && c.confirmed_by.is_none() && c.set_by != me,
            })
        }
        _ => None,
    };
    TicketTime { sla, deadline }
}

#[tauri::command]
pub async fn confirm_due(state: State<'_, AppState>, reference: String) -> ApiResult<()> {
    let store = &state.store;
    let me = store.local_user().await?;
    store.confirm_due(me, &reference).await?;
    state.changed();
    Ok(())
}

/// One line of the agenda of deadlines.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AgendaItem {
    pub reference: String,
    pub title: String,
    pub due: String,
    pub effective: String,
    pub status: guichet_domain::Status,
    pub assignee: Option<String>,
    pub overdue: bool,
}

/// The open tickets with a deadline up to `days` ahead (and the overdue
/// ones), by effective deadline: the agenda view.
#[tauri::command]
pub async fn agenda(state: State<'_, AppState>, days: u32) -> ApiResult<Vec<AgendaItem>> {
    if !(1..=366).contains(&days) {
        return Err(invalid(
            "days",
            format!("{days} is out of range"),
            "1 to 366",
        ));
    }
    let store = &state.store;
    let cal = schedule::firm_calendar(store)
        .await
        .map_err(|e| invalid(&e.field, e.problem, e.accepted))?;
    let now = Utc::now();
    let today = cal.local_date(now);
    let until = today + chrono::Duration::days(days as i64);
    let q = ListQuery {
        statuses: guichet_domain::Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect(),
        due_to: Some(until),
        sort: Sort::Due,
        limit: 500,
        ..ListQuery::default()
    };
    let mut out: Vec<AgendaItem> = store
        .list(&q)
        .await?
        .into_iter()
        .filter_map(|t| {
            let due = t.due?;
            let effective = cal.effective_deadline(due);
            Some(AgendaItem {
                reference: t.reference.to_string(),
                title: t.title,
                due: due.to_string(),
                effective: effective.to_string(),
                status: t.status,
                assignee: t.assignee,
                overdue: effective < today,
            })
        })
        .collect();
    out.sort_by(|a, b| a.effective.cmp(&b.effective));
    Ok(out)
}

/// The firm's time settings as JSON text (calendars, SLA policies, pauses,
/// reminder schedules, four-eyes categories, escalation).
#[tauri::command]
pub async fn time_settings(state: State<'_, AppState>) -> ApiResult<String> {
    let cfg = schedule::time_config(&state.store).await;
    Ok(serde_json::to_string_pretty(&cfg).unwrap_or_default())
}

/// Saves the time settings after checking them all; a refusal names the
/// field and what is accepted, and keeps the settings as they were.
#[tauri::command]
pub async fn save_time_settings(state: State<'_, AppState>, json: String) -> ApiResult<String> {
    let cfg: TimeConfig =
        TimeConfig::from_json(&json).map_err(|e| invalid(&e.field, e.problem, e.accepted))?;
    // Categories named in the settings must exist.
    let categories: Vec<String> = state
        .store
        .categories()
        .await?
        .into_iter()
        .map(|c| c.key)
        .collect();
    let named = cfg
        .four_eyes_categories
        .iter()
        .map(|c| ("four_eyes_categories", c))
        .chain(
            cfg.reminders
                .per_category
                .keys()
                .map(|c| ("reminders.per_category", c)),
        )
        .chain(
            cfg.sla
                .iter()
                .filter_map(|p| p.category.as_ref())
                .map(|c| ("sla.category", c)),
        );
    for (field, c) in named {
        if !categories.contains(c) {
            return Err(invalid(
                field,
                format!("'{c}' is not a category"),
                categories.join(", "),
            ));
        }
    }
    let text = serde_json::to_string_pretty(&cfg).unwrap_or_default();
    state
        .store
        .set_setting(schedule::TIME_CONFIG, &text)
        .await?;
    state.changed();
    Ok(text)
}

/// The local user's notification preferences, as the settings screen edits them.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct NotificationSettings {
    /// The kinds switched on.
    pub kinds: Vec<String>,
    /// All kinds there are.
    pub all_kinds: Vec<String>,
    /// Quiet hours as HH:MM, both or neither.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    /// Paused (do not disturb) until then, RFC 3339.
    pub paused_until: Option<String>,
}

fn settings_of(p: &Prefs) -> NotificationSettings {
    NotificationSettings {
        kinds: p.kinds.iter().map(|k| k.name().to_string()).collect(),
        all_kinds: schedule::kinds().into_iter().map(String::from).collect(),
        quiet_start: p.quiet_hours.map(|q| q.start.format("%H:%M").to_string()),
        quiet_end: p.quiet_hours.map(|q| q.end.format("%H:%M").to_string()),
        paused_until: p.paused_until.map(|t| t.to_rfc3339()),
    }
}

fn hhmm(field: &str, s: &str) -> ApiResult<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| invalid(field, format!("'{s}' is not a time"), "HH:MM, e.g. 19:00"))
}

/// Turns the screen's form into preferences, refusing what is not valid.
pub fn prefs_of(s: &NotificationSettings) -> ApiResult<Prefs> {
    let mut kinds = std::collections::BTreeSet::new();
    for (i, k) in s.kinds.iter().enumerate() {
        kinds.insert(KindKey::from_name(k).ok_or_else(|| {
            invalid(
                &format!("kinds[{i}]"),
                format!("'{k}' is not a kind of notification"),
                schedule::kinds().join(", "),
            )
        })?);
    }
    let quiet = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let quiet_hours = match (quiet(&s.quiet_start), quiet(&s.quiet_end)) {
        (None, None) => None,
        (Some(a), Some(b)) => {
            let (start, end) = (hhmm("quiet_start", &a)?, hhmm("quiet_end", &b)?);
            if start == end {
                return Err(invalid(
                    "quiet_end",
                    "is the same time as the start",
                    "an end different from the start",
                ));
            }
            Some(QuietHours { start, end })
        }
        (None, Some(_)) => {
            return Err(invalid(
                "quiet_start",
                "is missing",
                "both times, or neither",
            ))
        }
        (Some(_), None) => {
            return Err(invalid("quiet_end", "is missing", "both times, or neither"))
        }
    };
    let paused_until = match s.paused_until.as_deref().filter(|v| !v.is_empty()) {
        None => None,
        Some(t) => Some(
            DateTime::parse_from_rfc3339(t)
                .map_err(|_| invalid("paused_until", format!("'{t}' is not a time"), "RFC 3339"))?
                .with_timezone(&Utc),
        ),
    };
    Ok(Prefs {
        kinds,
        quiet_hours,
        paused_until,
    })
}

#[tauri::command]
pub async fn notification_settings(state: State<'_, AppState>) -> ApiResult<NotificationSettings> {
    Ok(settings_of(&schedule::prefs(&state.store).await))
}

#[tauri::command]
pub async fn save_notification_settings(
    state: State<'_, AppState>,
    settings: NotificationSettings,
) -> ApiResult<NotificationSettings> {
    let prefs = prefs_of(&settings)?;
    state
        .store
        .set_setting(schedule::PREFS, &prefs.to_json())
        .await?;
    state.changed();
    Ok(settings_of(&prefs))
}

/// The dates of a deadline as the UI shows them before saving: the date
/// typed and where rollover puts it.
#[tauri::command]
pub async fn effective_deadline(state: State<'_, AppState>, date: String) -> ApiResult<String> {
    let d: NaiveDate = guichet_domain::parse_date("due", &date).map_err(ApiError::from)?;
    let cal = schedule::firm_calendar(&state.store)
        .await
        .map_err(|e| invalid(&e.field, e.problem, e.accepted))?;
    Ok(cal.effective_deadline(d).to_string())
}

/// Whether Guichet starts with the user's session (Linux: an XDG autostart
/// entry; Windows: the Run key; macOS: a launch agent).
#[tauri::command]
pub fn autostart(app: tauri::AppHandle) -> ApiResult<bool> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch()
        .is_enabled()
        .map_err(|e| invalid("autostart", e.to_string(), "a readable autostart entry"))
}

#[tauri::command]
pub fn set_autostart(app: tauri::AppHandle, enabled: bool) -> ApiResult<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let l = app.autolaunch();
    let done = if enabled { l.enable() } else { l.disable() };
    done.map_err(|e| invalid("autostart", e.to_string(), "a writable autostart folder"))?;
    tracing::info!(enabled, "autostart changed");
    l.is_enabled()
        .map_err(|e| invalid("autostart", e.to_string(), "a readable autostart entry"))
}
