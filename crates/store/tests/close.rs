//! `Store::close` leaves nothing open and nothing behind in the WAL: the
//! database file alone holds every commit, so it can be copied or moved.

mod common;

use common::*;
use guichet_store::{Store, DB_FILE};
use std::path::Path;

/// Files of `dir` that this process still has open (Linux only).
fn open_files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    fds.flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter(|p| p.starts_with(dir))
        .collect()
}

#[tokio::test]
async fn close_leaves_a_self_contained_file() {
    for round in 0..20 {
        let fx = fresh().await;
        let t = fx
            .store
            .create_ticket(fx.me, new_ticket(&format!("Runde {round}"), "it"))
            .await
            .unwrap();
        fx.store
            .comment(fx.me, &key(&t), guichet_domain::Visibility::Reply, "fertig")
            .await
            .unwrap();
        fx.store.close().await;
        let dir = fx.dir().canonicalize().unwrap();
        assert_eq!(
            open_files_under(&dir),
            Vec::<std::path::PathBuf>::new(),
            "round {round}"
        );
        // The database file on its own, without its WAL, has everything.
        let copy = fx.tmp.path().join("copy");
        std::fs::create_dir_all(&copy).unwrap();
        std::fs::copy(fx.dir().join(DB_FILE), copy.join(DB_FILE)).unwrap();
        let again = Store::open(&copy).await.unwrap();
        assert_eq!(again.counts().await.unwrap(), (1, 2), "round {round}");
        assert_eq!(again.ticket(&key(&t)).await.unwrap().comments, 1);
        again.close().await;
    }
}
