//! Faults in the middle of a sync: an acknowledgement lost after the
//! server committed, every connection cut while a large sync runs.

mod common;

use common::*;
use guichet_domain::Visibility;
use guichet_sync::sync_once;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_dropped_after_the_server_committed_but_before_the_client_heard() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.team("Tax", &["ann", "bob"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, _) = db.replica("ann", tmp.path().join("ann")).await;
    let (bob, bob_srv) = db.replica("bob", tmp.path().join("bob")).await;
    let proxy = Proxy::start().await;
    let ann_srv = db.server_via("ann", &proxy).await;
    let t = new_ticket(&ann, "Dropped ack", Some("Tax")).await;
    let me = ann.local_user().await.unwrap();
    for i in 0..3 {
        ann.comment(
            me,
            &t.id.to_string(),
            Visibility::Reply,
            &format!("note {i}"),
        )
        .await
        .unwrap();
    }
    proxy.cut_after_next_commit();
    let err = sync_once(&ann, &ann_srv)
        .await
        .expect_err("the client never hears the COMMIT's answer");
    assert!(err.is_offline(), "seen as a network failure: {err:?}");
    assert_eq!(ann.outbox_len().await.unwrap(), 4, "nothing acknowledged");
    let mut c = db.psql("ann").await;
    let on_server: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM guichet.events")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(on_server, 4, "but the server committed");

    let r = sync_once(&ann, &ann_srv)
        .await
        .expect("the retry goes through");
    assert_eq!((r.pushed, r.refused), (4, 0));
    assert_eq!(ann.outbox_len().await.unwrap(), 0);
    let on_server: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM guichet.events")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(on_server, 4, "nothing applied twice");
    sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!(bob.comments(&t.id.to_string()).await.unwrap().len(), 3);
    assert_eq!(ann.comments(&t.id.to_string()).await.unwrap().len(), 3);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_cut_again_and_again_during_a_large_sync_then_it_completes() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.team("Tax", &["ann", "bob"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let me = ann.local_user().await.unwrap();
    for i in 0..150 {
        let t = new_ticket(&ann, &format!("Ticket {i}"), Some("Tax")).await;
        ann.comment(me, &t.id.to_string(), Visibility::Reply, "first reply")
            .await
            .unwrap();
    }
    sync_once(&ann, &ann_srv).await.unwrap();

    let proxy = Proxy::start().await;
    let (bob, _) = db.replica("bob", tmp.path().join("bob")).await;
    let bob_srv = db.server_via("bob", &proxy).await;
    // Connections cut every 20 ms, as a server restart cuts them.
    let cutter = {
        let p = std::sync::Arc::new(proxy);
        let p2 = p.clone();
        (
            p,
            tokio::spawn(async move {
                for _ in 0..25 {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    p2.drop_all();
                }
            }),
        )
    };
    let mut failures = 0;
    while !cutter.1.is_finished() {
        if sync_once(&bob, &bob_srv).await.is_err() {
            failures += 1;
        }
    }
    let mut rounds = 0;
    loop {
        rounds += 1;
        match sync_once(&bob, &bob_srv).await {
            Ok(_) => break,
            Err(e) => assert!(e.is_offline() && rounds < 20, "{e:?}"),
        }
    }
    eprintln!("{failures} interrupted rounds");
    let a: Vec<_> = ann
        .all_events()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let b: Vec<_> = bob
        .all_events()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(a.len(), 300);
    assert_eq!(a, b, "bob holds every event once");
    bob.check_integrity().await.unwrap();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_terminated_by_the_server_mid_sync_then_the_sync_completes() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.team("Tax", &["ann", "bob"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let (bob, bob_srv) = db.replica("bob", tmp.path().join("bob")).await;
    for i in 0..200 {
        new_ticket(&ann, &format!("Ticket {i}"), Some("Tax")).await;
    }
    // The server ends every session of the database (what a restart or a
    // failover does) while ann pushes and bob pulls.
    let killer_url = server_url();
    let name = db.name.clone();
    let killer = tokio::spawn(async move {
        use sqlx::ConnectOptions;
        let mut c = std::str::FromStr::from_str(&killer_url)
            .map(|o: sqlx::postgres::PgConnectOptions| o)
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut killed = 0i64;
        for _ in 0..30 {
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND usename NOT LIKE '%admin'",
            )
            .bind(&name)
            .fetch_one(&mut c)
            .await
            .unwrap();
            killed += n;
        }
        killed
    });
    while !killer.is_finished() {
        let _ = sync_once(&ann, &ann_srv).await;
        let _ = sync_once(&bob, &bob_srv).await;
    }
    let killed = killer.await.unwrap();
    for store_srv in [
        (&ann, &ann_srv),
        (&bob, &bob_srv),
        (&ann, &ann_srv),
        (&bob, &bob_srv),
    ] {
        let mut tries = 0;
        while let Err(e) = sync_once(store_srv.0, store_srv.1).await {
            tries += 1;
            assert!(tries < 20, "{e:?}");
        }
    }
    eprintln!("{killed} sessions terminated");
    let a: Vec<_> = ann
        .all_events()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    let b: Vec<_> = bob
        .all_events()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(a.len(), 200);
    assert_eq!(a, b);
    assert_eq!(ann.outbox_len().await.unwrap(), 0);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_cut_again_and_again_resumes_and_ends_with_every_event_once() {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("bob", "staff").await;
    db.team("Tax", &["ann", "bob"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let me = ann.local_user().await.unwrap();
    let mut tickets = Vec::new();
    for i in 0..150 {
        let t = new_ticket(&ann, &format!("Ticket {i}"), Some("Tax")).await;
        ann.comment(me, &t.id.to_string(), Visibility::Reply, "first reply")
            .await
            .unwrap();
        tickets.push(t);
    }
    sync_once(&ann, &ann_srv).await.unwrap();

    // bob's new PC: its first sync is cut every 15 ms, and ann keeps
    // writing between its rounds (on tickets bob may already hold).
    let proxy = std::sync::Arc::new(Proxy::start().await);
    let bob_srv = db.server_via("bob", &proxy).await;
    let dir = tmp.path().join("bob");
    let cutter = {
        let p = proxy.clone();
        tokio::spawn(async move {
            for _ in 0..25 {
                tokio::time::sleep(std::time::Duration::from_millis(15)).await;
                p.drop_all();
            }
        })
    };
    let url = db.url_as("bob");
    let mut bob = None;
    let mut failures = 0;
    let mut i = 0;
    while !cutter.is_finished() {
        let r = match &bob {
            None => guichet_sync::connect_replica(&dir, &bob_srv, &url)
                .await
                .map(|(s, _)| Some(s)),
            Some(s) => sync_once(s, &bob_srv).await.map(|_| None),
        };
        match r {
            Ok(Some(s)) => bob = Some(s),
            Ok(None) => {}
            Err(_) => {
                failures += 1;
                if bob.is_none() && dir.join(guichet_store::DB_FILE).exists() {
                    bob = Some(guichet_store::Store::open(&dir).await.unwrap());
                }
            }
        }
        let t = &tickets[i % tickets.len()];
        ann.comment(
            me,
            &t.id.to_string(),
            Visibility::Reply,
            &format!("later {i}"),
        )
        .await
        .unwrap();
        i += 1;
        let _ = sync_once(&ann, &ann_srv).await;
    }
    sync_once(&ann, &ann_srv).await.unwrap();
    let bob = match bob {
        Some(s) => s,
        None => {
            guichet_sync::connect_replica(&dir, &bob_srv, &url)
                .await
                .unwrap()
                .0
        }
    };
    let mut rounds = 0;
    loop {
        rounds += 1;
        match sync_once(&bob, &bob_srv).await {
            Ok(_) => break,
            Err(e) => assert!(e.is_offline() && rounds < 20, "{e:?}"),
        }
    }
    eprintln!("{failures} interrupted rounds, {i} later comments");
    let ids = |s: &guichet_store::Store| {
        let s = s.clone();
        async move {
            s.all_events()
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };
    let a = ids(&ann).await;
    assert_eq!(a.len(), 300 + i);
    assert_eq!(a, ids(&bob).await, "bob holds every event once");
    assert_eq!(bob.outbox_len().await.unwrap(), 0);
    bob.check_integrity().await.unwrap();
    db.drop().await;
}
