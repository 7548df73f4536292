//! The server restarted during a sync: a real restart (`pg_ctl restart`) of
//! a private PostgreSQL this test starts for itself (the shared test server
//! serves other tests at the same time and is not restarted).

mod common;

use common::*;
use guichet_sync::{sync_once, SyncState, Syncer};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-postgres.sh")
}

/// A private server, stopped and removed when dropped.
struct PrivateServer {
    dir: PathBuf,
    url: String,
}

impl PrivateServer {
    fn start() -> PrivateServer {
        // Not under a tempdir: as root, the script runs the server as the
        // postgres user, who must be able to reach the folder.
        let dir = std::env::temp_dir().join(format!("guichet-restart-{}", uuid::Uuid::new_v4()));
        let out = Command::new(script())
            .arg("start")
            .arg(&dir)
            .output()
            .expect("scripts/test-postgres.sh runs");
        assert!(
            out.status.success(),
            "a private PostgreSQL starts (needs the postgresql package's server programs): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_string();
        PrivateServer { dir, url }
    }

    fn restart(&self) {
        let out = Command::new(script())
            .arg("restart")
            .arg(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn until_ok(store: &guichet_store::Store, server: &guichet_sync::Server) -> usize {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut failures = 0;
    loop {
        match sync_once(store, server).await {
            Ok(_) => return failures,
            Err(e) => {
                assert!(
                    e.is_offline() || matches!(e, guichet_sync::Error::Db(_)),
                    "a restart looks like the network: {e}"
                );
                failures += 1;
                assert!(Instant::now() < deadline, "the server came back: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restart_during_a_push_and_under_a_running_engine_loses_and_doubles_nothing() {
    let pg = PrivateServer::start();
    let mut db = TestDb::on(&pg.url).await;
    let tmp = tempfile::tempdir().unwrap();
    let [(ann, ann_srv), (bob, bob_srv)] = db.tax_colleagues(tmp.path()).await;

    // Bob's engine runs throughout, as in the desktop app.
    let rounds = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let r2 = rounds.clone();
    let engine = Syncer::start(
        bob.clone(),
        bob_srv,
        Arc::new(move |_| {
            r2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }),
    );

    // Enough for several push batches.
    let n = 2_000;
    for i in 0..n {
        new_ticket(&ann, &format!("Matter {i}"), Some("Tax")).await;
    }
    let waiting = ann.outbox_len().await.unwrap();
    assert!(waiting >= n as u64);

    // The push starts; once the server acknowledged part of it, the
    // server restarts (every session is cut, the server is down a moment).
    let pushing = {
        let ann = ann.clone();
        let srv = ann_srv.clone();
        tokio::spawn(async move { sync_once(&ann, &srv).await })
    };
    let t0 = Instant::now();
    loop {
        let left = ann.outbox_len().await.unwrap();
        if left < waiting {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "the push started");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    pg.restart();
    let cut = pushing.await.unwrap();
    assert!(
        cut.is_err(),
        "the round in progress was cut by the restart (else the test restarted too late)"
    );
    assert!(
        ann.outbox_len().await.unwrap() > 0,
        "part of the push was left"
    );

    // Ann's next rounds finish it once the server is back.
    until_ok(&ann, &ann_srv).await;
    assert_eq!(ann.outbox_len().await.unwrap(), 0);
    let (total, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT id) FROM guichet.events")
            .fetch_one(&db.admin_pool)
            .await
            .unwrap();
    assert_eq!(total, distinct, "no event twice");
    assert_eq!(
        total as usize,
        ann.all_events().await.unwrap().len(),
        "every event of ann's replica is on the server"
    );

    // Bob's engine reconnects by itself (LISTEN too) and brings everything.
    let t0 = Instant::now();
    loop {
        let have = bob.ticket_ids().await.unwrap().len();
        if have == n && matches!(engine.state(), SyncState::Online { .. }) {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(90),
            "bob's engine caught up after the restart ({have} of {n} tickets, {:?})",
            engine.state()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(bob.all_events().await.unwrap().len(), total as usize);
    assert!(rounds.load(std::sync::atomic::Ordering::SeqCst) > 0);

    // A change after the restart still arrives promptly (LISTEN is back).
    let t = new_ticket(&ann, "After the restart", Some("Tax")).await;
    sync_once(&ann, &ann_srv).await.unwrap();
    let t0 = Instant::now();
    while bob.ticket(&t.id.to_string()).await.is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "bob's engine is woken again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    engine.stop();
    db.drop().await;
}
