//! The firm's time settings, as one JSON document, and their checks.

use guichet_calendar::{BusinessCalendar, CalendarConfig, CalendarError};
use guichet_domain::{check_category_key, Priority, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A refused setting: the field (a path such as `sla[2].resolution_minutes`
/// or `reminders.per_category.court[1]`), the problem and what is accepted.
/// Never carries ticket text or people's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}; accepted: {accepted}")]
pub struct ConfigError {
    pub field: String,
    pub problem: String,
    pub accepted: String,
}

impl ConfigError {
    fn new(
        field: impl Into<String>,
        problem: impl Into<String>,
        accepted: impl Into<String>,
    ) -> Self {
        ConfigError {
            field: field.into(),
            problem: problem.into(),
            accepted: accepted.into(),
        }
    }

    fn calendar(prefix: &str, e: CalendarError) -> Self {
        ConfigError::new(format!("{prefix}.{}", e.field), e.problem, e.accepted)
    }
}

/// The largest SLA target, in business minutes (about two working years of
/// 8-hour days).
pub const MAX_TARGET_MINUTES: u32 = 200_000;
/// The largest reminder offset, in working days.
pub const MAX_REMINDER_DAYS: u32 = 60;

/// Response and resolution targets, in business minutes, for the tickets
/// matching a category and/or a priority (`None`: any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    pub first_response_minutes: u32,
    pub resolution_minutes: u32,
}

impl SlaPolicy {
    /// How specific the policy is: category and priority (3) > category (2)
    /// > priority (1) > catch-all (0).
    pub fn specificity(&self) -> u8 {
        match (&self.category, &self.priority) {
            (Some(_), Some(_)) => 3,
            (Some(_), None) => 2,
            (None, Some(_)) => 1,
            (None, None) => 0,
        }
    }

    pub fn matches(&self, category: &str, priority: Priority) -> bool {
        let category_matches = match &self.category {
            Some(c) => c == category,
            None => true,
        };
        let priority_matches = match self.priority {
            Some(p) => p == priority,
            None => true,
        };
        category_matches && priority_matches
    }
}

/// Working days before a deadline's effective date (after rollover); 0 is
/// the morning of that day.
pub type ReminderOffset = u32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderConfig {
    /// For every category without its own list. Default: 7, 2 and 0.
    pub default: Vec<ReminderOffset>,
    /// Per category key, replacing the default list (an empty list: no
    /// reminders for that category).
    pub per_category: BTreeMap<String, Vec<ReminderOffset>>,
}

impl Default for ReminderConfig {
    fn default() -> Self {
        ReminderConfig {
            default: vec![7, 2, 0],
            per_category: BTreeMap::new(),
        }
    }
}

impl ReminderConfig {
    /// The offsets for a category.
    pub fn offsets(&self, category: &str) -> &[ReminderOffset] {
        self.per_category
            .get(category)
            .unwrap_or(&self.default)
            .as_slice()
    }
}

/// Who hears of what beyond the assignee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EscalationConfig {
    pub notify_lead_on_warning: bool,
    pub notify_lead_on_breach: bool,
    pub raise_priority_on_breach: bool,
    pub reassign_to_lead_on_missed_deadline: bool,
}

impl Default for EscalationConfig {
    fn default() -> Self {
        EscalationConfig {
            notify_lead_on_warning: false,
            notify_lead_on_breach: true,
            raise_priority_on_breach: false,
            reassign_to_lead_on_missed_deadline: false,
        }
    }
}

/// The firm's time settings: one JSON document. Every field may be left out
/// and takes its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeConfig {
    /// The firm's calendar.
    pub calendar: CalendarConfig,
    /// Teams with a calendar of their own, by team id (UUID text).
    pub team_calendars: BTreeMap<String, CalendarConfig>,
    /// SLA targets; the most specific matching policy applies.
    pub sla: Vec<SlaPolicy>,
    /// Statuses in which the SLA clocks stand still. Default: waiting.
    pub pause_statuses: Vec<Status>,
    /// The share of a target after which a warning is due, 1 to 99.
    pub warn_percent: u8,
    pub reminders: ReminderConfig,
    /// Categories whose tickets need a second person's check before they are
    /// resolved (enforced by the desktop, not here).
    pub four_eyes_categories: Vec<String>,
    pub escalation: EscalationConfig,
}

fn policy(priority: Priority, first_response_hours: u32, resolution_hours: u32) -> SlaPolicy {
    SlaPolicy {
        category: None,
        priority: Some(priority),
        first_response_minutes: first_response_hours * 60,
        resolution_minutes: resolution_hours * 60,
    }
}

/// The default targets, in business time (a business day being the default
/// 8 working hours): urgent 1 h / 8 h, high 4 h / 2 days, normal 8 h / 5
/// days, low 16 h / 10 days.
pub fn default_policies() -> Vec<SlaPolicy> {
    vec![
        policy(Priority::Urgent, 1, 8),
        policy(Priority::High, 4, 2 * 8),
        policy(Priority::Normal, 8, 5 * 8),
        policy(Priority::Low, 16, 10 * 8),
    ]
}

impl Default for TimeConfig {
    fn default() -> Self {
        TimeConfig {
            calendar: CalendarConfig::default(),
            team_calendars: BTreeMap::new(),
            sla: default_policies(),
            pause_statuses: vec![Status::Waiting],
            warn_percent: 80,
            reminders: ReminderConfig::default(),
            four_eyes_categories: Vec::new(),
            escalation: EscalationConfig::default(),
        }
    }
}

fn check_offsets(field: &str, offsets: &[ReminderOffset]) -> Result<(), ConfigError> {
    for (i, o) in offsets.iter().enumerate() {
        if *o > MAX_REMINDER_DAYS {
            return Err(ConfigError::new(
                format!("{field}[{i}]"),
                format!("{o} days is too far ahead"),
                format!("0 to {MAX_REMINDER_DAYS} working days before the deadline"),
            ));
        }
        if offsets[..i].contains(o) {
            return Err(ConfigError::new(
                format!("{field}[{i}]"),
                format!("{o} is listed twice"),
                "each number of days once",
            ));
        }
    }
    Ok(())
}

fn check_category(field: String, key: &str) -> Result<(), ConfigError> {
    check_category_key(key).map(drop).map_err(|e| match e {
        guichet_domain::DomainError::Invalid {
            problem, accepted, ..
        } => ConfigError::new(field, problem, accepted),
        other => ConfigError::new(field, other.to_string(), "a category key"),
    })
}

impl TimeConfig {
    /// Parses the stored JSON and checks it.
    pub fn from_json(json: &str) -> Result<TimeConfig, ConfigError> {
        let cfg: TimeConfig = serde_json::from_str(json).map_err(|e| {
            ConfigError::new(
                "time settings",
                format!("not readable at line {}, column {}", e.line(), e.column()),
                "a JSON document with the fields of the time settings",
            )
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field; the error names the first field refused.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.calendar
            .build()
            .map_err(|e| ConfigError::calendar("calendar", e))?;
        for (key, cal) in &self.team_calendars {
            if key.parse::<guichet_domain::TeamId>().is_err() {
                return Err(ConfigError::new(
                    "team_calendars",
                    "a key is not a team id",
                    "team ids (UUIDs) as keys",
                ));
            }
            cal.build()
                .map_err(|e| ConfigError::calendar(&format!("team_calendars.{key}"), e))?;
        }
        for (i, p) in self.sla.iter().enumerate() {
            let field = |f: &str| format!("sla[{i}].{f}");
            if let Some(c) = &p.category {
                check_category(field("category"), c)?;
            }
            for (name, v) in [
                ("first_response_minutes", p.first_response_minutes),
                ("resolution_minutes", p.resolution_minutes),
            ] {
                if v == 0 || v > MAX_TARGET_MINUTES {
                    return Err(ConfigError::new(
                        field(name),
                        format!("{v} minutes is out of range"),
                        format!("1 to {MAX_TARGET_MINUTES} business minutes"),
                    ));
                }
            }
            if p.first_response_minutes > p.resolution_minutes {
                return Err(ConfigError::new(
                    field("first_response_minutes"),
                    format!(
                        "{} minutes is more than the resolution target of {}",
                        p.first_response_minutes, p.resolution_minutes
                    ),
                    "at most the resolution target",
                ));
            }
            if let Some(j) = self.sla[..i]
                .iter()
                .position(|q| q.category == p.category && q.priority == p.priority)
            {
                return Err(ConfigError::new(
                    format!("sla[{i}]"),
                    format!("has the same category and priority as sla[{j}]"),
                    "one policy per category and priority",
                ));
            }
        }
        for (i, s) in self.pause_statuses.iter().enumerate() {
            if !s.is_open() {
                return Err(ConfigError::new(
                    format!("pause_statuses[{i}]"),
                    format!("{s} already stops the clocks"),
                    "new, open, in_progress, waiting",
                ));
            }
        }
        if !(1..=99).contains(&self.warn_percent) {
            return Err(ConfigError::new(
                "warn_percent",
                format!("{} is out of range", self.warn_percent),
                "1 to 99 (percent of the target)",
            ));
        }
        check_offsets("reminders.default", &self.reminders.default)?;
        for (cat, offsets) in &self.reminders.per_category {
            check_category("reminders.per_category".into(), cat)?;
            check_offsets(&format!("reminders.per_category.{cat}"), offsets)?;
        }
        for (i, c) in self.four_eyes_categories.iter().enumerate() {
            check_category(format!("four_eyes_categories[{i}]"), c)?;
        }
        Ok(())
    }

    /// The calendar of a team (by team id text) when it has its own,
    /// otherwise the firm's.
    pub fn calendar_for(&self, team: Option<&str>) -> Result<BusinessCalendar, ConfigError> {
        match team.and_then(|t| self.team_calendars.get(t).map(|c| (t, c))) {
            Some((t, c)) => c
                .build()
                .map_err(|e| ConfigError::calendar(&format!("team_calendars.{t}"), e)),
            None => self
                .calendar
                .build()
                .map_err(|e| ConfigError::calendar("calendar", e)),
        }
    }

    /// The policy for a category and priority: the most specific match
    /// (category and priority > category > priority > catch-all); `None`
    /// when nothing matches (no SLA for such tickets).
    pub fn policy_for(&self, category: &str, priority: Priority) -> Option<&SlaPolicy> {
        self.sla
            .iter()
            .filter(|p| p.matches(category, priority))
            .max_by_key(|p| p.specificity())
    }

    /// Whether a category's tickets need a second person's check.
    pub fn requires_four_eyes(&self, category: &str) -> bool {
        self.four_eyes_categories.iter().any(|c| c == category)
    }
}
