//! What the deadline scheduler relies on: four-eyes confirmations and
//! escalations as events in the history, team leads, open tickets with their
//! events, and deliveries recorded once, across reopening the store.

mod common;

use chrono::{NaiveDate, Utc};
use common::*;
use guichet_domain::{Edit, EscalationReason, EventKind, Priority, Status, Team, User};
use guichet_store::Store;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_deadline_is_confirmed_by_a_second_person_only() {
    let fx = fresh().await;
    let s = &fx.store;
    let colleague = User::new("colleague", "A Colleague", None).unwrap();
    s.add_user(&colleague).await.unwrap();
    let t = s
        .create_ticket(fx.me, new_ticket("Appeal", "client/advice"))
        .await
        .unwrap();
    let k = key(&t);
    // No deadline yet: nothing to confirm.
    let e = expect_code(s.confirm_due(colleague.id, &k).await, "invalid");
    assert!(e.to_string().starts_with("due:"), "{e}");

    s.edit_ticket(fx.me, &k, vec![Edit::Due(Some(d("2027-05-15")))])
        .await
        .unwrap();
    let before = s.history(&k).await.unwrap().len();
    let e = expect_code(s.confirm_due(fx.me, &k).await, "invalid");
    assert!(e.to_string().contains("four-eyes"), "{e}");
    assert_eq!(
        s.history(&k).await.unwrap().len(),
        before,
        "a refusal writes nothing"
    );

    let ev = s.confirm_due(colleague.id, &k).await.unwrap();
    assert_eq!(
        ev.kind,
        EventKind::DueConfirmed {
            due: d("2027-05-15")
        }
    );
    assert_eq!(ev.actor, colleague.id);
    expect_code(s.confirm_due(colleague.id, &k).await, "invalid");
    let c = guichet_domain::due_confirmation(&s.history(&k).await.unwrap()).unwrap();
    assert_eq!(c.confirmed_by, Some(colleague.id));
}

#[tokio::test]
async fn an_escalation_and_what_it_changes_are_one_write_in_the_history() {
    let fx = fresh().await;
    let s = &fx.store;
    let lead = User::new("lead", "Team Lead", None).unwrap();
    s.add_user(&lead).await.unwrap();
    let mut team = Team::new("Tax").unwrap();
    s.add_team(&team).await.unwrap();
    s.set_team_lead(team.id, Some(lead.id)).await.unwrap();
    team.lead = Some(lead.id);
    assert_eq!(s.teams().await.unwrap(), vec![team.clone()]);
    // A lead must be an active user.
    let gone = User::new("gone", "Gone", None).unwrap();
    s.add_user(&gone).await.unwrap();
    s.set_user_active("gone", false).await.unwrap();
    let e = expect_code(s.set_team_lead(team.id, Some(gone.id)).await, "invalid");
    assert!(e.to_string().starts_with("lead:"), "{e}");
    assert_eq!(s.teams().await.unwrap()[0].lead, Some(lead.id));

    let t = s
        .create_ticket(fx.me, new_ticket("VAT return", "client/advice"))
        .await
        .unwrap();
    let k = key(&t);
    let (after, events) = s
        .escalate(
            fx.me,
            &k,
            EscalationReason::ResolutionBreached,
            vec![fx.me, lead.id],
            vec![
                Edit::Priority(Priority::High),
                Edit::Assignee(Some(lead.id)),
            ],
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    assert!(matches!(
        &events[0].kind,
        EventKind::Escalated { reason: EscalationReason::ResolutionBreached, notified } if notified == &vec![fx.me, lead.id]
    ));
    assert_eq!(
        (after.priority, after.assignee),
        (Priority::High, Some(lead.id))
    );
    let history = s.history(&k).await.unwrap();
    assert_eq!(history.len(), 4);
    assert_eq!(s.ticket(&k).await.unwrap().priority, Priority::High);
}

#[tokio::test]
async fn open_tickets_come_with_their_events_and_deliveries_are_kept() {
    let fx = fresh().await;
    let s = &fx.store;
    let a = s
        .create_ticket(fx.me, new_ticket("A", "client/advice"))
        .await
        .unwrap();
    let b = s
        .create_ticket(fx.me, new_ticket("B", "client/advice"))
        .await
        .unwrap();
    s.comment(
        fx.me,
        &key(&a),
        guichet_domain::Visibility::Reply,
        "Bonjour",
    )
    .await
    .unwrap();
    s.edit_ticket(fx.me, &key(&b), vec![Edit::Status(Status::Resolved)])
        .await
        .unwrap();
    let open = s.open_tickets_with_events().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].0.id, a.id);
    assert_eq!(open[0].1.len(), 2);
    assert_eq!(open[0].0, s.ticket(&key(&a)).await.unwrap());

    assert!(s.delivered().await.unwrap().is_empty());
    let keys = vec![format!("reminder:{}:2027-05-18:2", a.id), "x".to_string()];
    s.record_delivered(&keys, Utc::now()).await.unwrap();
    s.record_delivered(&keys[..1], Utc::now()).await.unwrap();
    let dir = fx.dir();
    s.close().await;
    let again = Store::open(&dir).await.unwrap();
    let got = again.delivered().await.unwrap();
    assert_eq!(got.len(), 2);
    assert!(got.contains(&keys[0]));
}
