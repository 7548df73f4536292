//! Damaged files are reported as such, with the file's path, and a missing
//! data directory as not initialised.

mod common;

use common::*;
use guichet_store::{db_path, Error, ListQuery, Store, DB_FILE};
use std::path::Path;

/// A store with enough data for its tables to span many pages, then closed
/// so that everything is checkpointed into the main file.
async fn closed_store_with_data() -> Fixture {
    let fx = fresh().await;
    for i in 0..150 {
        let t = fx
            .store
            .create_ticket(
                fx.me,
                guichet_domain::NewTicket {
                    title: format!("Fristenkontrolle Berufungsbegründung {i}"),
                    description: "Der Schriftsatz muss vor Fristablauf beim Landgericht eingehen. "
                        .repeat(20),
                    category: "admin/court-deadline".into(),
                    tags: vec![format!("t{i}")],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        fx.store
            .comment(
                fx.me,
                &key(&t),
                guichet_domain::Visibility::Reply,
                &"Bitte die Frist im Fristenkalender prüfen. ".repeat(10),
            )
            .await
            .unwrap();
    }
    fx.store.close().await;
    // `close` folded the WAL into the database file (see close.rs); what is
    // left of the WAL holds nothing the file lacks. Damage is done to the
    // database file alone.
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(fx.dir().join(format!("{DB_FILE}{ext}")));
    }
    fx
}

#[track_caller]
fn assert_corrupt(e: &Error, path: &Path) {
    assert_eq!(e.code(), "corrupt", "{e}");
    assert!(
        matches!(e, Error::Corrupt { path: p, .. } if p == path),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("nothing was written"), "{msg}");
}

/// Opens the store and does what a user would do first; the first failure
/// must be [`Error::Corrupt`].
async fn open_and_read(dir: &Path) -> guichet_store::Result<()> {
    let s = Store::open(dir).await?;
    s.counts().await?;
    s.list(&ListQuery::default()).await?;
    s.search("frist", 10).await?;
    s.check_integrity().await?;
    Ok(())
}

#[tokio::test]
async fn garbage_instead_of_a_database() {
    let fx = closed_store_with_data().await;
    let path = db_path(&fx.dir());
    std::fs::write(&path, "this is not sqlite".repeat(1000)).unwrap();
    let e = Store::open(&fx.dir()).await.err().expect("refused");
    assert_corrupt(&e, &path);
    // `init` on such a file does not overwrite it either.
    let e = Store::init(&fx.dir(), "admin", "Admin")
        .await
        .err()
        .expect("refused");
    assert_corrupt(&e, &path);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        "this is not sqlite".repeat(1000).as_bytes()
    );
}

#[tokio::test]
async fn a_database_truncated_to_half() {
    let fx = closed_store_with_data().await;
    let path = db_path(&fx.dir());
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len > 200_000, "{len} bytes");
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let e = open_and_read(&fx.dir())
        .await
        .expect_err("a truncated file is refused");
    assert_corrupt(&e, &path);
}

#[tokio::test]
async fn a_database_with_a_damaged_page() {
    let fx = closed_store_with_data().await;
    let path = db_path(&fx.dir());
    let mut bytes = std::fs::read(&path).unwrap();
    // Overwrite the pages in the middle of the file, keeping its length.
    let page = 4096;
    let mid = bytes.len() / 2 / page * page;
    for b in &mut bytes[mid..mid + 8 * page] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let e = open_and_read(&fx.dir())
        .await
        .expect_err("a damaged file is refused");
    assert_corrupt(&e, &path);
}

#[tokio::test]
async fn an_empty_database_file_is_not_initialised() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(DB_FILE), b"").unwrap();
    let e = Store::open(tmp.path()).await.err().expect("refused");
    assert_eq!(e.code(), "not_initialized", "{e}");
}

#[tokio::test]
async fn a_missing_directory_is_not_initialised() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nowhere");
    let e = Store::open(&missing).await.err().expect("refused");
    assert_eq!(e.code(), "not_initialized");
    assert!(
        matches!(&e, Error::NotInitialized(p) if p == &missing),
        "{e:?}"
    );
    assert!(
        e.to_string().contains(&missing.display().to_string()),
        "{e}"
    );
    assert!(e.to_string().contains("guichet init"), "{e}");
    // Opening does not create anything.
    assert!(!missing.exists());
    // An existing directory without a database is the same.
    let e = Store::open(tmp.path()).await.err().expect("refused");
    assert_eq!(e.code(), "not_initialized");
    assert!(!tmp.path().join(DB_FILE).exists());
}
