//! The pull cursor against concurrent writers whose transactions overlap
//! and commit out of order: nothing is skipped, nothing read twice.

mod common;

use common::*;
use guichet_sync::Cursor;
use rand_like::Lcg;
use sqlx::Connection;
use std::collections::HashSet;

mod rand_like {
    /// A small deterministic generator (the seed is printed on failure).
    pub struct Lcg(pub u64);
    impl Lcg {
        pub fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_commits_after_a_later_one_is_still_pulled() {
    let mut db = TestDb::new().await;
    let ann = db.user("ann", "staff").await;
    db.team("Tax", &["ann"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (store, srv) = db.replica("ann", tmp.path().join("ann")).await;
    let t = new_ticket(&store, "Out of order", Some("Tax")).await;
    guichet_sync::sync_once(&store, &srv).await.unwrap();
    let (_, cursor) = pull_all(&srv, Cursor::default()).await;

    // Writer 1 starts first and takes the lower sequence number…
    let mut w1 = db.psql("ann").await;
    let mut w2 = db.psql("ann").await;
    let mut tx1 = w1.begin().await.unwrap();
    let e1 = comment_event(t.id, ann.id, "first begun", 1);
    insert_event(&mut tx1, &e1).await.unwrap();
    // …writer 2 starts later and commits first.
    let e2 = comment_event(t.id, ann.id, "second begun", 2);
    let mut tx2 = w2.begin().await.unwrap();
    insert_event(&mut tx2, &e2).await.unwrap();
    tx2.commit().await.unwrap();
    let seq: Vec<i64> = sqlx::query_scalar(
        "SELECT seq FROM guichet.events WHERE id = ANY($1::text[]::uuid[]) ORDER BY seq",
    )
    .bind(vec![e2.id.to_string()])
    .fetch_all(&mut w2)
    .await
    .unwrap();
    assert_eq!(seq.len(), 1);

    let (got, cursor) = pull_all(&srv, cursor).await;
    assert_eq!(
        got,
        vec![e2.id],
        "the committed event is read, the running one is not"
    );
    tx1.commit().await.unwrap();
    let (got, _) = pull_all(&srv, cursor).await;
    assert_eq!(
        got,
        vec![e1.id],
        "the late commit is read by the next pull although its sequence number is lower"
    );
    srv.close().await;
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_with_overlapping_transactions_and_a_reader_pulling_meanwhile() {
    let mut db = TestDb::new().await;
    let ann = db.user("ann", "staff").await;
    db.team("Tax", &["ann"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (store, srv) = db.replica("ann", tmp.path().join("ann")).await;
    let t = new_ticket(&store, "Busy ticket", Some("Tax")).await;
    guichet_sync::sync_once(&store, &srv).await.unwrap();
    let (_, start) = pull_all(&srv, Cursor::default()).await;

    let seed: u64 = std::env::var("GUICHET_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    eprintln!("seed {seed}");
    let writers = 6;
    let mut handles = Vec::new();
    for w in 0..writers {
        let mut c = db.psql("ann").await;
        let (tid, uid) = (t.id, ann.id);
        handles.push(tokio::spawn(async move {
            let mut rng = Lcg(seed ^ (w as u64 * 7919));
            let mut committed = Vec::new();
            for round in 0..25u32 {
                let mut tx = c.begin().await.unwrap();
                let mut mine = Vec::new();
                for k in 0..=rng.next(3) as u32 {
                    let e = comment_event(tid, uid, &format!("w{w} r{round} k{k}"), round * 10 + k);
                    insert_event(&mut tx, &e).await.unwrap();
                    mine.push(e.id);
                    tokio::time::sleep(std::time::Duration::from_millis(rng.next(15))).await;
                }
                if rng.next(6) == 0 {
                    tx.rollback().await.unwrap();
                } else {
                    tx.commit().await.unwrap();
                    committed.extend(mine);
                }
            }
            committed
        }));
    }
    let reader_srv = srv.clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done2 = done.clone();
    let reader = tokio::spawn(async move {
        let mut cursor = start;
        let mut seen = Vec::new();
        let mut pulls = 0;
        loop {
            let finished = done2.load(std::sync::atomic::Ordering::SeqCst);
            let (ids, c) = pull_all(&reader_srv, cursor).await;
            seen.extend(ids);
            cursor = c;
            pulls += 1;
            if finished {
                return (seen, pulls);
            }
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        }
    });
    let mut committed = HashSet::new();
    for h in handles {
        committed.extend(h.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (seen, pulls) = reader.await.unwrap();
    assert!(
        pulls > 5,
        "the reader pulled while the writers wrote ({pulls} pulls)"
    );
    let unique: HashSet<_> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no event read twice");
    let missing = committed.difference(&unique).count();
    assert_eq!(missing, 0, "no committed event skipped (seed {seed})");
    assert_eq!(unique, committed, "nothing rolled back was read");
    srv.close().await;
    db.drop().await;
}
