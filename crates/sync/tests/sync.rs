//! Two or more replicas (real SQLite files) meeting on a real PostgreSQL.

mod common;

use common::*;
use guichet_domain::{Edit, EventKind, Priority, Visibility};
use guichet_sync::sync_once;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_and_its_comment_reach_a_colleague_and_offline_edits_meet_with_the_conflict_kept()
{
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.team("Tax", &["ann", "bob"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let (bob, bob_srv) = db.replica("bob", tmp.path().join("bob")).await;
    assert_ne!(
        ann.replica().await.unwrap(),
        bob.replica().await.unwrap(),
        "replica codes are handed out unique"
    );

    let t = new_ticket(&ann, "VAT return Q3", Some("Tax")).await;
    let ann_id = ann.local_user().await.unwrap();
    ann.comment(
        ann_id,
        &t.id.to_string(),
        Visibility::Internal,
        "Client sent the invoices",
    )
    .await
    .unwrap();
    assert_eq!(ann.outbox_len().await.unwrap(), 2);
    let r = sync_once(&ann, &ann_srv).await.unwrap();
    assert_eq!(r.pushed, 2);
    assert_eq!(ann.outbox_len().await.unwrap(), 0);

    sync_once(&bob, &bob_srv).await.unwrap();
    let seen = bob
        .ticket(&t.id.to_string())
        .await
        .expect("bob has the ticket");
    assert_eq!(seen.title, "VAT return Q3");
    assert_eq!(seen.reference, t.reference);
    assert_eq!(bob.comments(&t.id.to_string()).await.unwrap().len(), 1);

    // Both edit the title while apart; bob's edit is the later one.
    let bob_id = bob.local_user().await.unwrap();
    ann.edit_ticket(
        ann_id,
        &t.id.to_string(),
        vec![Edit::Title("VAT return Q3 (ann)".into())],
    )
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    bob.edit_ticket(
        bob_id,
        &t.id.to_string(),
        vec![
            Edit::Title("VAT return Q3 (bob)".into()),
            Edit::Priority(Priority::High),
        ],
    )
    .await
    .unwrap();
    bob.comment(bob_id, &t.id.to_string(), Visibility::Reply, "Filed today")
        .await
        .unwrap();
    sync_once(&bob, &bob_srv).await.unwrap();
    sync_once(&ann, &ann_srv).await.unwrap();
    sync_once(&bob, &bob_srv).await.unwrap();

    let a = ann.ticket(&t.id.to_string()).await.unwrap();
    let b = bob.ticket(&t.id.to_string()).await.unwrap();
    assert_eq!(
        a.title, "VAT return Q3 (bob)",
        "the later writer wins on both PCs"
    );
    assert_eq!(a, b);
    assert_eq!(a.priority, Priority::High);
    // The losing value stays in both histories.
    for store in [&ann, &bob] {
        let titles: Vec<String> = store
            .history(&t.id.to_string())
            .await
            .unwrap()
            .into_iter()
            .filter_map(|e| match e.kind {
                EventKind::Changed(guichet_domain::Change::Title { new, .. }) => Some(new),
                _ => None,
            })
            .collect();
        assert_eq!(titles.len(), 2, "both title changes are in the history");
        assert!(titles.contains(&"VAT return Q3 (ann)".to_string()));
        assert_eq!(
            store.comments(&t.id.to_string()).await.unwrap().len(),
            2,
            "no comment lost"
        );
    }
    let ids_a: Vec<_> = ann
        .all_events()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let ids_b: Vec<_> = bob
        .all_events()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids_a, ids_b);
    ann_srv.close().await;
    bob_srv.close().await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_retried_after_a_lost_acknowledgement_applies_nothing_twice() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.team("Tax", &["ann"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, srv) = db.replica("ann", tmp.path().join("ann")).await;
    let t = new_ticket(&ann, "Payroll question", Some("Tax")).await;
    let me = ann.local_user().await.unwrap();
    ann.comment(me, &t.id.to_string(), Visibility::Reply, "We will check")
        .await
        .unwrap();
    let batch = ann.outbox(100).await.unwrap();
    // The server commits, the acknowledgement is lost: the outbox still holds both.
    let first = srv.push(&batch).await.unwrap();
    assert_eq!(first.accepted.len(), 2);
    assert_eq!(ann.outbox_len().await.unwrap(), 2);
    let again = sync_once(&ann, &srv).await.unwrap();
    assert_eq!(again.pushed, 2, "the retry is acknowledged");
    assert_eq!(again.refused, 0);
    let mut c = db.psql("ann").await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM guichet.events")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 2, "each event once on the server");
    assert_eq!(ann.comments(&t.id.to_string()).await.unwrap().len(), 1);
    srv.close().await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_leaves_the_team_loses_its_tickets_and_one_who_joins_gets_them_whole() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.team("Tax", &["ann"]).await;
    db.team("Audit", &["bob"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let (bob, bob_srv) = db.replica("bob", tmp.path().join("bob")).await;
    let t = new_ticket(&ann, "Year-end closing", Some("Tax")).await;
    let me = ann.local_user().await.unwrap();
    ann.comment(me, &t.id.to_string(), Visibility::Internal, "Draft ready")
        .await
        .unwrap();
    sync_once(&ann, &ann_srv).await.unwrap();
    sync_once(&bob, &bob_srv).await.unwrap();
    assert!(
        bob.ticket(&t.id.to_string()).await.is_err(),
        "bob is not in Tax"
    );

    // Bob joins Tax: the ticket arrives with its whole history, although
    // its events are older than bob's cursor.
    guichet_sync::admin::set_member(&db.admin_pool, "Tax", &db.login("bob"), true)
        .await
        .unwrap();
    let r = sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!(r.pulled, 2);
    assert_eq!(bob.comments(&t.id.to_string()).await.unwrap().len(), 1);

    // Ann leaves Tax: the ticket, its history and its comment leave her PC.
    guichet_sync::admin::set_member(&db.admin_pool, "Tax", &db.login("ann"), false)
        .await
        .unwrap();
    let r = sync_once(&ann, &ann_srv).await.unwrap();
    assert_eq!(r.forgotten, 1);
    assert!(ann.ticket(&t.id.to_string()).await.is_err());
    assert!(ann
        .history(&t.id.to_string())
        .await
        .map(|h| h.is_empty())
        .unwrap_or(true));
    assert!(
        ann.search("Draft", 10).await.unwrap().is_empty()
            && ann.search("closing", 10).await.unwrap().is_empty(),
        "nothing left in the search index"
    );
    ann_srv.close().await;
    bob_srv.close().await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_moved_into_a_confidential_category_leaves_the_replicas_of_those_outside_it() {
    let mut db = TestDb::new().await;
    db.user("hr", "staff").await;
    db.user("lea", "lead").await;
    db.team("HR", &["hr"]).await;
    guichet_sync::admin::set_confidential(&db.admin_pool, "hr", Some("HR"))
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (hr, hr_srv) = db.replica("hr", tmp.path().join("hr")).await;
    let (lea, lea_srv) = db.replica("lea", tmp.path().join("lea")).await;
    let t = new_ticket(&hr, "Parental leave", Some("HR")).await;
    sync_once(&hr, &hr_srv).await.unwrap();
    sync_once(&lea, &lea_srv).await.unwrap();
    assert!(
        lea.ticket(&t.id.to_string()).await.is_ok(),
        "a lead sees ordinary tickets"
    );
    let me = hr.local_user().await.unwrap();
    hr.edit_ticket(me, &t.id.to_string(), vec![Edit::Category("hr".into())])
        .await
        .unwrap();
    sync_once(&hr, &hr_srv).await.unwrap();
    let r = sync_once(&lea, &lea_srv).await.unwrap();
    assert_eq!(r.forgotten, 1);
    assert!(lea.ticket(&t.id.to_string()).await.is_err());
    hr_srv.close().await;
    lea_srv.close().await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_created_offline_on_two_pcs_keep_distinct_references() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.team("Tax", &["ann"]).await;
    let tmp = tempfile::tempdir().unwrap();
    // The same person on a desktop and a laptop.
    let (desk, desk_srv) = db.replica("ann", tmp.path().join("desk")).await;
    let (lap, lap_srv) = db.replica("ann", tmp.path().join("lap")).await;
    let mut refs = std::collections::HashSet::new();
    for i in 0..3 {
        refs.insert(
            new_ticket(&desk, &format!("desk {i}"), Some("Tax"))
                .await
                .reference
                .to_string(),
        );
        refs.insert(
            new_ticket(&lap, &format!("laptop {i}"), Some("Tax"))
                .await
                .reference
                .to_string(),
        );
    }
    assert_eq!(refs.len(), 6);
    let r1 = sync_once(&desk, &desk_srv).await.unwrap();
    let r2 = sync_once(&lap, &lap_srv).await.unwrap();
    sync_once(&desk, &desk_srv).await.unwrap();
    assert_eq!((r1.refused, r2.refused), (0, 0));
    assert_eq!(
        desk.ticket_ids().await.unwrap(),
        lap.ticket_ids().await.unwrap()
    );
    assert_eq!(desk.ticket_ids().await.unwrap().len(), 6);
    desk_srv.close().await;
    lap_srv.close().await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_written_for_another_team_leaves_its_authors_replica_once_pushed() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("hr", "staff").await;
    db.team("Tax", &["ann"]).await;
    db.team("HR", &["hr"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let (hr, hr_srv) = db.replica("hr", tmp.path().join("hr")).await;
    let t = new_ticket(&ann, "Request for a payslip copy", Some("HR")).await;
    let own = new_ticket(&ann, "Tax matter", Some("Tax")).await;
    assert!(
        ann.ticket(&t.id.to_string()).await.is_ok(),
        "offline, it stays"
    );
    let r = sync_once(&ann, &ann_srv).await.unwrap();
    assert_eq!(r.forgotten, 1);
    assert!(
        ann.ticket(&t.id.to_string()).await.is_err(),
        "once the server has it, it is HR's only"
    );
    assert!(ann.ticket(&own.id.to_string()).await.is_ok());
    assert!(
        ann.refused().await.unwrap().is_empty(),
        "nothing was refused"
    );
    sync_once(&hr, &hr_srv).await.unwrap();
    assert!(hr.ticket(&t.id.to_string()).await.is_ok());
    ann_srv.close().await;
    hr_srv.close().await;
    db.drop().await;
}
