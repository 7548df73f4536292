//! Who hears of what, in which order, without duplicates.

mod common;

use common::{at, day, Story};
use guichet_domain::{Priority, Status, UserId};
use guichet_sla::{escalation, Action, Due, DueKind, Role, Target, TimeConfig};

fn due(s: &Story, kind: DueKind) -> Due {
    Due {
        key: "k".into(),
        ticket: s.id,
        at: at("2027-06-07 18:00"),
        kind,
    }
}

const BREACH: DueKind = DueKind::SlaBreach {
    target: Target::Resolution,
};
const WARNING: DueKind = DueKind::SlaWarning {
    target: Target::FirstResponse,
};

fn reminder() -> DueKind {
    DueKind::Reminder {
        deadline: day("2027-06-10"),
        days_before: 2,
    }
}

fn missed() -> DueKind {
    DueKind::DeadlineMissed {
        deadline: day("2027-06-10"),
    }
}

fn notify(user: UserId, role: Role) -> Action {
    Action::Notify { user, role }
}

fn assigned(to: UserId) -> Story {
    let mut s = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    s.assign("2027-06-07 09:05", Some(to));
    s
}

#[test]
fn breach_notifies_assignee_then_lead() {
    let (a, lead) = (UserId::new(), UserId::new());
    let s = assigned(a);
    let cfg = TimeConfig::default();
    assert_eq!(
        escalation(&due(&s, BREACH), &s.ticket(), Some(lead), &cfg),
        vec![notify(a, Role::Assignee), notify(lead, Role::Lead)]
    );
    // The lead being the assignee is notified once.
    let s = assigned(lead);
    assert_eq!(
        escalation(&due(&s, BREACH), &s.ticket(), Some(lead), &cfg),
        vec![notify(lead, Role::Assignee)]
    );
    // No lead configured for the team: the assignee only.
    let s = assigned(a);
    assert_eq!(
        escalation(&due(&s, BREACH), &s.ticket(), None, &cfg),
        vec![notify(a, Role::Assignee)]
    );
}

#[test]
fn warnings_and_reminders_reach_the_lead_only_when_asked_or_unassigned() {
    let (a, lead) = (UserId::new(), UserId::new());
    let s = assigned(a);
    let mut cfg = TimeConfig::default();
    for kind in [WARNING, reminder()] {
        assert_eq!(
            escalation(&due(&s, kind), &s.ticket(), Some(lead), &cfg),
            vec![notify(a, Role::Assignee)]
        );
    }
    cfg.escalation.notify_lead_on_warning = true;
    assert_eq!(
        escalation(&due(&s, WARNING), &s.ticket(), Some(lead), &cfg),
        vec![notify(a, Role::Assignee), notify(lead, Role::Lead)]
    );
    assert_eq!(
        escalation(&due(&s, reminder()), &s.ticket(), Some(lead), &cfg),
        vec![notify(a, Role::Assignee)],
        "reminders never go beyond the assignee"
    );
    let unassigned = Story::new("2027-06-07 09:00", "general", Priority::Normal);
    assert_eq!(
        escalation(
            &due(&unassigned, reminder()),
            &unassigned.ticket(),
            Some(lead),
            &cfg
        ),
        vec![notify(lead, Role::Lead)]
    );
    assert!(escalation(
        &due(&unassigned, reminder()),
        &unassigned.ticket(),
        None,
        &cfg
    )
    .is_empty());
}

#[test]
fn breach_can_raise_the_priority_and_a_missed_deadline_reassign() {
    let (a, lead) = (UserId::new(), UserId::new());
    let s = assigned(a);
    let mut cfg = TimeConfig::default();
    cfg.escalation.raise_priority_on_breach = true;
    cfg.escalation.reassign_to_lead_on_missed_deadline = true;
    assert_eq!(
        escalation(&due(&s, BREACH), &s.ticket(), Some(lead), &cfg),
        vec![
            notify(a, Role::Assignee),
            notify(lead, Role::Lead),
            Action::RaisePriority {
                from: Priority::Normal,
                to: Priority::High
            }
        ]
    );
    assert_eq!(
        escalation(&due(&s, missed()), &s.ticket(), Some(lead), &cfg),
        vec![
            notify(a, Role::Assignee),
            notify(lead, Role::Lead),
            Action::Reassign { to: lead }
        ]
    );
    // Already with the lead: no reassignment, one notification.
    let s = assigned(lead);
    assert_eq!(
        escalation(&due(&s, missed()), &s.ticket(), Some(lead), &cfg),
        vec![notify(lead, Role::Assignee)]
    );
    // Urgent cannot go higher.
    let mut urgent = assigned(a);
    urgent.priority("2027-06-07 09:10", Priority::Urgent);
    let actions = escalation(&due(&urgent, BREACH), &urgent.ticket(), Some(lead), &cfg);
    assert!(!actions
        .iter()
        .any(|a| matches!(a, Action::RaisePriority { .. })));
}

#[test]
fn nothing_for_resolved_tickets_or_another_ticket() {
    let (a, lead) = (UserId::new(), UserId::new());
    let mut s = assigned(a);
    let other = assigned(a);
    let cfg = TimeConfig::default();
    assert!(escalation(&due(&other, BREACH), &s.ticket(), Some(lead), &cfg).is_empty());
    s.status("2027-06-07 10:00", Status::Resolved);
    assert!(escalation(&due(&s, BREACH), &s.ticket(), Some(lead), &cfg).is_empty());
}

#[test]
fn actions_serialize_plainly() {
    let user = UserId::new();
    let json = serde_json::to_value(vec![
        Action::Notify {
            user,
            role: Role::Lead,
        },
        Action::RaisePriority {
            from: Priority::Low,
            to: Priority::Normal,
        },
    ])
    .unwrap();
    assert_eq!(json[0]["type"], "notify");
    assert_eq!(json[0]["role"], "lead");
    assert_eq!(json[0]["user"], user.to_string());
    assert_eq!(json[1]["type"], "raise_priority");
    assert_eq!(json[1]["to"], "normal");
}
