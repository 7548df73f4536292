//! The scheduler's plan: what to deliver now, what to fold into a summary,
//! and when to wake up next.

use crate::dues::Due;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Due at or before `now`, not delivered yet, oldest first: one
    /// notification each.
    pub fire: Vec<Due>,
    /// When more than `max_individual` are due at once (catching up after
    /// the computer was off), the newer surplus, oldest first: one summary
    /// notification for all of them.
    pub summarised: Vec<Due>,
    /// The earliest moment of a future due not delivered yet.
    pub next_wake: Option<DateTime<Utc>>,
}

impl Plan {
    /// The keys the caller records as delivered once it has sent the
    /// notifications (fired and summarised alike).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.fire
            .iter()
            .chain(&self.summarised)
            .map(|d| d.key.as_str())
    }
}

/// Plans deliveries at `now`. Dues whose key is in `delivered` are skipped;
/// the same key given twice counts once (its earliest moment). Nothing fires
/// twice as long as the caller records [`Plan::keys`] as delivered.
/// With `max_individual == 0`, everything due goes into the summary.
pub fn plan(
    dues: impl IntoIterator<Item = Due>,
    delivered: &HashSet<String>,
    now: DateTime<Utc>,
    max_individual: usize,
) -> Plan {
    let mut by_key: BTreeMap<String, Due> = BTreeMap::new();
    for d in dues {
        if delivered.contains(&d.key) {
            continue;
        }
        match by_key.get(&d.key) {
            Some(existing) if existing.at <= d.at => {}
            _ => {
                by_key.insert(d.key.clone(), d);
            }
        }
    }
    let (mut now_due, later): (Vec<Due>, Vec<Due>) =
        by_key.into_values().partition(|d| d.at <= now);
    now_due.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
    let summarised = if now_due.len() > max_individual {
        now_due.split_off(max_individual)
    } else {
        Vec::new()
    };
    Plan {
        fire: now_due,
        summarised,
        next_wake: later.iter().map(|d| d.at).min(),
    }
}
