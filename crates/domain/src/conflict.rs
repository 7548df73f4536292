//! Sync conflicts, as the timeline shows them: two people changed the same
//! field without seeing each other's change (on different PCs, offline).
//! Last-writer-wins by clock decides the value; both changes stay in the
//! history, and this finds them so the timeline can mark them.

use crate::event::{Event, EventKind};
use crate::ids::EventId;
use crate::ticket::Field;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which side of a conflict a change is on.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictSide {
    /// Its value is the one kept (the later clock).
    Kept,
    /// Its value was overwritten by a change made without seeing it.
    Overwritten,
}

/// The field changes of a ticket's history that conflict. A change
/// conflicts when the value it replaced (`old`) is not the value the
/// history held just before it in clock order: its author had not seen the
/// change before it, which is then overwritten.
pub fn conflicts(history: &[Event]) -> BTreeMap<EventId, ConflictSide> {
    let mut events: Vec<&Event> = history.iter().collect();
    events.sort_by_key(|e| e.hlc);
    let mut current: BTreeMap<Field, (serde_json::Value, Option<EventId>)> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for e in events {
        match &e.kind {
            EventKind::Created(d) => {
                let v = serde_json::to_value(d.as_ref()).unwrap_or_default();
                for (field, key) in [
                    (Field::Title, "title"),
                    (Field::Description, "description"),
                    (Field::Category, "category"),
                    (Field::Priority, "priority"),
                    (Field::Status, "status"),
                    (Field::Assignee, "assignee"),
                    (Field::Team, "team"),
                    (Field::Requester, "requester"),
                    (Field::Matter, "matter"),
                    (Field::Due, "due"),
                ] {
                    current.insert(field, (v.get(key).cloned().unwrap_or_default(), None));
                }
            }
            EventKind::Changed(change) => {
                let v = serde_json::to_value(change).unwrap_or_default();
                let old = v.get("old").cloned().unwrap_or_default();
                let new = v.get("new").cloned().unwrap_or_default();
                let field = change.field();
                if let Some((value, by)) = current.get(&field) {
                    if *value != old {
                        out.insert(e.id, ConflictSide::Kept);
                        if let Some(prev) = by {
                            out.insert(*prev, ConflictSide::Overwritten);
                        }
                    }
                }
                current.insert(field, (new, Some(e.id)));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Change, NewTicketData};
    use crate::hlc::Hlc;
    use crate::ids::{TicketId, UserId};
    use crate::reference::{ReplicaCode, TicketRef};
    use crate::ticket::{Priority, Status};

    fn ev(t: TicketId, ms: u64, node: u32, kind: EventKind) -> Event {
        Event {
            id: EventId::new(),
            ticket: t,
            actor: UserId::new(),
            hlc: Hlc {
                millis: ms,
                counter: 0,
                node,
            },
            at: chrono::Utc::now(),
            kind,
        }
    }

    fn created(t: TicketId) -> Event {
        ev(
            t,
            1,
            1,
            EventKind::Created(Box::new(NewTicketData {
                reference: TicketRef {
                    replica: ReplicaCode::from_number(1),
                    number: 1,
                },
                title: "A".into(),
                description: String::new(),
                category: "it".into(),
                priority: Priority::Normal,
                status: Status::New,
                assignee: None,
                team: None,
                requester: None,
                matter: None,
                due: None,
                tags: Default::default(),
            })),
        )
    }

    fn title(t: TicketId, ms: u64, node: u32, old: &str, new: &str) -> Event {
        ev(
            t,
            ms,
            node,
            EventKind::Changed(Change::Title {
                old: old.into(),
                new: new.into(),
            }),
        )
    }

    #[test]
    fn changes_made_one_after_the_other_do_not_conflict() {
        let t = TicketId::new();
        let h = vec![
            created(t),
            title(t, 2, 1, "A", "B"),
            title(t, 3, 2, "B", "C"),
        ];
        assert!(conflicts(&h).is_empty());
    }

    #[test]
    fn two_changes_from_the_same_value_conflict_and_the_later_is_kept() {
        let t = TicketId::new();
        let ann = title(t, 2, 1, "A", "ann's");
        let bob = title(t, 3, 2, "A", "bob's");
        let h = vec![created(t), bob.clone(), ann.clone()];
        let c = conflicts(&h);
        assert_eq!(c.get(&bob.id), Some(&ConflictSide::Kept));
        assert_eq!(c.get(&ann.id), Some(&ConflictSide::Overwritten));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn different_fields_changed_at_once_do_not_conflict() {
        let t = TicketId::new();
        let p = ev(
            t,
            3,
            2,
            EventKind::Changed(Change::Priority {
                old: Priority::Normal,
                new: Priority::High,
            }),
        );
        let h = vec![created(t), title(t, 2, 1, "A", "B"), p];
        assert!(conflicts(&h).is_empty());
    }
}
