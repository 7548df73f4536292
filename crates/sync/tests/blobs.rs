//! Attachment files between PCs, by content hash, through a real
//! PostgreSQL: byte for byte, resumable both ways, and only for those who
//! may see them.

mod common;

use common::*;
use guichet_store::Store;
use guichet_sync::blobs::{self, Up, CHUNK};
use guichet_sync::sync_once;
use sqlx::Connection;
use std::path::{Path, PathBuf};

/// A file of `len` bytes that no other test writes (content from a seed).
fn file(dir: &Path, name: &str, len: usize, seed: u8) -> PathBuf {
    let mut x: u32 = 0x9e37_79b9 ^ seed as u32;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

async fn attach(store: &Store, ticket: &str, path: &Path) -> String {
    let me = store.local_user().await.unwrap();
    store.attach(me, ticket, path).await.unwrap().sha256
}

/// Pushes the outbox without moving any file (what a round cut after its
/// push leaves behind).
async fn push_only(store: &Store, server: &guichet_sync::Server) {
    let batch = store.outbox(500).await.unwrap();
    let done = server.push(&batch).await.unwrap();
    assert!(done.refused.is_empty(), "{:?}", done.refused);
    store.acknowledge(&done.accepted).await.unwrap();
}

async fn chunks_on_server(db: &TestDb, sha: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM guichet.blob_chunks WHERE sha256 = $1")
        .bind(sha)
        .fetch_one(&db.admin_pool)
        .await
        .unwrap()
}

async fn complete_on_server(db: &TestDb, sha: &str) -> Option<bool> {
    sqlx::query_scalar("SELECT complete FROM guichet.blobs WHERE sha256 = $1")
        .bind(sha)
        .fetch_optional(&db.admin_pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attached_file_reaches_a_colleague_byte_for_byte_and_a_repeat_moves_nothing() {
    let mut db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let [(ann, ann_srv), (bob, bob_srv)] = db.tax_colleagues(tmp.path()).await;

    let t = new_ticket(&ann, "Payroll 2026", Some("Tax")).await;
    let src = file(tmp.path(), "payslips.pdf", 2 * CHUNK + 12_345, 1);
    let empty = file(tmp.path(), "empty.txt", 0, 2);
    let sha = attach(&ann, &t.id.to_string(), &src).await;
    let sha_empty = attach(&ann, &t.id.to_string(), &empty).await;

    let r = sync_once(&ann, &ann_srv).await.unwrap();
    assert!(r.pushed >= 3);
    assert_eq!((r.uploaded, r.files_waiting), (2, 0));
    assert_eq!(complete_on_server(&db, &sha).await, Some(true));
    assert_eq!(chunks_on_server(&db, &sha).await, 3);
    assert_eq!(complete_on_server(&db, &sha_empty).await, Some(true));

    let r = sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!((r.downloaded, r.files_waiting), (2, 0));
    assert_eq!(
        std::fs::read(bob.blob_path(&sha)).unwrap(),
        std::fs::read(&src).unwrap(),
        "the colleague has the same bytes"
    );
    assert_eq!(std::fs::read(bob.blob_path(&sha_empty)).unwrap().len(), 0);
    assert!(
        !bob.blob_partial_path(&sha).exists(),
        "no partial file left"
    );

    let again = sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!((again.downloaded, again.uploaded), (0, 0));
    let again = sync_once(&ann, &ann_srv).await.unwrap();
    assert_eq!((again.downloaded, again.uploaded), (0, 0));
    assert!(ann.blob_uploads().await.unwrap().is_empty());
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_upload_resumes_from_the_chunks_the_server_has_and_colleagues_wait_for_it() {
    let mut db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let [(ann, ann_srv), (bob, bob_srv)] = db.tax_colleagues(tmp.path()).await;
    let t = new_ticket(&ann, "Annual accounts", Some("Tax")).await;
    let src = file(tmp.path(), "ledger.xlsx", 4 * CHUNK + 7, 3);
    let sha = attach(&ann, &t.id.to_string(), &src).await;

    // The events go up; the upload is cut after two of five chunks.
    push_only(&ann, &ann_srv).await;
    assert_eq!(ann.blob_uploads().await.unwrap(), vec![sha.clone()]);
    let (up, sent) = blobs::upload_at_most(&ann, ann_srv.pool(), &sha, 2)
        .await
        .unwrap();
    assert_eq!((up, sent), (Up::Again, 2));
    assert_eq!(chunks_on_server(&db, &sha).await, 2);
    assert_eq!(complete_on_server(&db, &sha).await, Some(false));

    // A colleague sees the attachment but not the file yet: it waits.
    let r = sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!((r.downloaded, r.files_waiting), (0, 1));
    assert!(!bob.blob_path(&sha).exists());
    assert_eq!(bob.missing_blobs().await.unwrap().len(), 1);

    // Resumed: only the three missing chunks are sent.
    let (up, sent) = blobs::upload_at_most(&ann, ann_srv.pool(), &sha, usize::MAX)
        .await
        .unwrap();
    assert_eq!((up, sent), (Up::Done, 3));
    assert_eq!(chunks_on_server(&db, &sha).await, 5);
    // The queue still names it (the round was cut): the next round finds
    // it complete, sends nothing and clears it.
    let r = sync_once(&ann, &ann_srv).await.unwrap();
    assert_eq!(r.uploaded, 1);
    assert!(ann.blob_uploads().await.unwrap().is_empty());

    let r = sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!((r.downloaded, r.files_waiting), (1, 0));
    assert_eq!(
        std::fs::read(bob.blob_path(&sha)).unwrap(),
        std::fs::read(&src).unwrap()
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_download_resumes_from_the_partial_file_even_mid_chunk() {
    let mut db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let [(ann, ann_srv), (bob, bob_srv)] = db.tax_colleagues(tmp.path()).await;
    let t = new_ticket(&ann, "Deed of sale", Some("Tax")).await;
    let src = file(tmp.path(), "deed.pdf", 5 * CHUNK + 999, 4);
    let sha = attach(&ann, &t.id.to_string(), &src).await;
    sync_once(&ann, &ann_srv).await.unwrap();

    // Bob's round brings the events and the file; the file is removed
    // again, and the download below is cut after two chunks.
    let r = sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!(r.downloaded, 1);
    std::fs::remove_file(bob.blob_path(&sha)).unwrap();
    let bytes = std::fs::read(&src).unwrap();
    let done = blobs::download_at_most(&bob, bob_srv.pool(), &sha, 2)
        .await
        .unwrap();
    assert!(!done);
    let part = bob.blob_partial_path(&sha);
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 2 * CHUNK as u64);

    // One more chunk: it continues where the partial file ends.
    assert!(!blobs::download_at_most(&bob, bob_srv.pool(), &sha, 1)
        .await
        .unwrap());
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 3 * CHUNK as u64);
    assert_eq!(std::fs::read(&part).unwrap(), bytes[..3 * CHUNK]);

    // A cut in the middle of writing a chunk (a partial file that ends
    // mid-chunk) resumes too.
    let f = std::fs::OpenOptions::new().write(true).open(&part).unwrap();
    f.set_len(CHUNK as u64 + 100).unwrap();
    drop(f);
    assert!(blobs::download(&bob, bob_srv.pool(), &sha).await.unwrap());
    assert_eq!(std::fs::read(bob.blob_path(&sha)).unwrap(), bytes);
    assert!(!part.exists());

    // A partial file with other bytes is caught by the hash and fetched again.
    std::fs::remove_file(bob.blob_path(&sha)).unwrap();
    std::fs::write(&part, vec![0u8; 2 * CHUNK]).unwrap();
    let err = blobs::download(&bob, bob_srv.pool(), &sha)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("other content"), "{err}");
    assert!(!part.exists(), "the wrong bytes are thrown away");
    let r = sync_once(&bob, &bob_srv).await.unwrap();
    assert_eq!(r.downloaded, 1);
    assert_eq!(std::fs::read(bob.blob_path(&sha)).unwrap(), bytes);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_are_read_and_written_only_by_those_who_see_the_ticket_and_forged_bytes_never_complete(
) {
    let mut db = TestDb::new().await;
    db.user("ann", "staff").await;
    db.user("carl", "staff").await;
    db.team("Tax", &["ann"]).await;
    db.team("HR", &["carl"]).await;
    let tmp = tempfile::tempdir().unwrap();
    let (ann, ann_srv) = db.replica("ann", tmp.path().join("ann")).await;
    let (carl, carl_srv) = db.replica("carl", tmp.path().join("carl")).await;
    let t = new_ticket(&ann, "Salary review", Some("Tax")).await;
    let src = file(tmp.path(), "salaries.xlsx", CHUNK + 10, 5);
    let sha = attach(&ann, &t.id.to_string(), &src).await;
    sync_once(&ann, &ann_srv).await.unwrap();
    assert_eq!(complete_on_server(&db, &sha).await, Some(true));

    // carl, with a plain client: reads nothing, writes nothing.
    let mut c = db.psql("carl").await;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM guichet.blob_chunks WHERE sha256 = $1")
        .bind(&sha)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 0, "carl reads no chunk of a ticket he cannot see");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM guichet.blobs WHERE sha256 = $1")
        .bind(&sha)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 0, "nor the blob");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM guichet.blob_offsets($1)")
        .bind(&sha)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 0);
    for (what, sql) in [
        (
            "update a blob",
            "UPDATE guichet.blobs SET complete = false WHERE sha256 = $1",
        ),
        (
            "delete a blob",
            "DELETE FROM guichet.blobs WHERE sha256 = $1",
        ),
        (
            "delete chunks",
            "DELETE FROM guichet.blob_chunks WHERE sha256 = $1",
        ),
        (
            "update chunks",
            "UPDATE guichet.blob_chunks SET bytes = '\\x00' WHERE sha256 = $1",
        ),
        (
            "add a chunk",
            "INSERT INTO guichet.blob_chunks(sha256, offs, bytes) VALUES ($1, 999999, '\\x00')",
        ),
    ] {
        let r = sqlx::query(sql).bind(&sha).execute(&mut c).await;
        assert!(r.is_err(), "carl may not {what}");
    }
    // A blob nobody attached cannot be started, nor marked complete.
    let fake = "ab".repeat(32);
    for sql in [
        "INSERT INTO guichet.blobs(sha256, size) VALUES ($1, 1)",
        "INSERT INTO guichet.blobs(sha256, size, complete) VALUES ($1, 1, true)",
    ] {
        assert!(
            sqlx::query(sql).bind(&fake).execute(&mut c).await.is_err(),
            "{sql}"
        );
    }
    // carl's own replica has nothing to download.
    let r = sync_once(&carl, &carl_srv).await.unwrap();
    assert_eq!((r.downloaded, r.files_waiting), (0, 0));
    assert!(!carl.blob_path(&sha).exists());
    c.close().await.ok();

    // ann attaches a second file; before her upload, forged bytes are put
    // under its hash (by ann herself, with a plain client): completion
    // refuses them and clears the chunks, and her real upload then completes.
    let src2 = file(tmp.path(), "salaries-v2.xlsx", 1000, 6);
    let sha2 = attach(&ann, &t.id.to_string(), &src2).await;
    push_only(&ann, &ann_srv).await;
    let mut a = db.psql("ann").await;
    sqlx::query("INSERT INTO guichet.blobs(sha256, size) VALUES ($1, 1000)")
        .bind(&sha2)
        .execute(&mut a)
        .await
        .unwrap();
    sqlx::query("INSERT INTO guichet.blob_chunks(sha256, offs, bytes) VALUES ($1, 0, $2)")
        .bind(&sha2)
        .bind(vec![7u8; 1000])
        .execute(&mut a)
        .await
        .unwrap();
    let done: bool = sqlx::query_scalar("SELECT guichet.complete_blob($1, 1000)")
        .bind(&sha2)
        .fetch_one(&mut a)
        .await
        .unwrap();
    assert!(!done, "bytes that do not hash to the name never complete");
    assert_eq!(chunks_on_server(&db, &sha2).await, 0, "and are removed");
    assert!(
        sqlx::query("UPDATE guichet.blobs SET complete = true WHERE sha256 = $1")
            .bind(&sha2)
            .execute(&mut a)
            .await
            .is_err(),
        "nobody marks a blob complete by hand"
    );
    a.close().await.ok();
    let r = sync_once(&ann, &ann_srv).await.unwrap();
    assert_eq!(r.uploaded, 1);
    assert_eq!(complete_on_server(&db, &sha2).await, Some(true));
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_local_guichet_brings_its_files_to_the_server() {
    let mut db = TestDb::new().await;
    db.user("lea", "lead").await;
    let tmp = tempfile::tempdir().unwrap();
    let solo = db.login("solo");
    db.own_role(&solo);
    let local = Store::init(&tmp.path().join("local"), &solo, "Solo Practitioner")
        .await
        .unwrap();
    let t = new_ticket(&local, "Old matter", None).await;
    let src = file(tmp.path(), "contract.pdf", CHUNK * 2 + 1, 7);
    let sha = attach(&local, &t.id.to_string(), &src).await;
    let r = guichet_sync::admin::import_local(&db.admin_pool, &local)
        .await
        .unwrap();
    assert_eq!((r.files, r.files_failed), (1, 0));
    assert_eq!(complete_on_server(&db, &sha).await, Some(true));
    // Again: nothing sent twice, nothing failed.
    let r = guichet_sync::admin::import_local(&db.admin_pool, &local)
        .await
        .unwrap();
    assert_eq!((r.events, r.files, r.files_failed), (0, 1, 0));

    let (lea, _) = db.replica("lea", tmp.path().join("lea")).await;
    assert_eq!(
        std::fs::read(lea.blob_path(&sha)).unwrap(),
        std::fs::read(&src).unwrap(),
        "a lead's new PC has the imported file"
    );
    db.drop().await;
}
