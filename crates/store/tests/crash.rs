//! A writer process killed with SIGKILL in the middle of a large import:
//! what was committed before survives, the import leaves no trace, the file
//! passes SQLite's integrity check and the same import then succeeds.

mod common;

use chrono::DateTime;
use common::*;
use guichet_domain::demo::Generator;
use guichet_domain::ReplicaCode;
use guichet_store::{Format, ListQuery, Record, Store, DB_FILE};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const TICKETS: usize = 20_000;
const EVENTS_PER_TICKET: usize = 10;

fn line(out: &mut impl Write, record: Record) {
    serde_json::to_writer(&mut *out, &record).expect("serialises");
    out.write_all(b"\n").expect("write");
}

/// Writes a whole firm's export as `Store::export` would: header, people,
/// then every event. Returns the number of tickets and of events.
fn write_big_export(path: &Path) -> (usize, usize) {
    let start = DateTime::parse_from_rfc3339("2026-01-05T08:00:00Z")
        .unwrap()
        .to_utc();
    let mut gen = Generator::new(2026, ReplicaCode::from_number(777), start);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    line(
        &mut out,
        Record::Header {
            format: "guichet-export".into(),
            version: 1,
        },
    );
    let firm = gen.firm().clone();
    firm.users
        .into_iter()
        .for_each(|u| line(&mut out, Record::User(u)));
    firm.teams
        .into_iter()
        .for_each(|t| line(&mut out, Record::Team(t)));
    firm.contacts
        .into_iter()
        .for_each(|c| line(&mut out, Record::Contact(c)));
    let mut events = 0;
    for _ in 0..TICKETS {
        for e in gen.ticket(EVENTS_PER_TICKET) {
            line(&mut out, Record::Event(e));
            events += 1;
        }
    }
    out.flush().unwrap();
    (TICKETS, events)
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_large_import_leaves_the_store_as_before() {
    let importer = example("importer");
    let fx = fresh().await;
    let dir = fx.dir();

    // A few tickets committed before the import.
    let mut before = Vec::new();
    for i in 0..5 {
        let t = fx
            .store
            .create_ticket(fx.me, new_ticket(&format!("Vorher {i}"), "admin"))
            .await
            .unwrap();
        fx.store
            .comment(
                fx.me,
                &key(&t),
                guichet_domain::Visibility::Internal,
                "bleibt",
            )
            .await
            .unwrap();
        before.push(fx.store.ticket(&key(&t)).await.unwrap());
    }
    let counts_before = fx.store.counts().await.unwrap();
    fx.store.close().await;

    let t0 = Instant::now();
    let file = fx.tmp.path().join("firm.jsonl");
    let (tickets, events) = write_big_export(&file);
    eprintln!(
        "export of {tickets} tickets / {events} events ({} MB) written in {:?}",
        file_len(&file) >> 20,
        t0.elapsed()
    );

    let wal = dir.join(format!("{DB_FILE}-wal"));
    let wal_start = file_len(&wal);
    let t0 = Instant::now();
    let mut child = std::process::Command::new(&importer)
        .arg(&dir)
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("importer starts");
    // Wait until the import's pages reach the WAL (spilled from the page
    // cache mid-transaction, or being committed), so that the kill lands
    // while the file is being written; with a ceiling so that a test that
    // never sees the WAL grow still kills mid-import instead of hanging.
    let deadline = Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the importer ended ({status}) after {:?}, before it could be killed",
                t0.elapsed()
            );
        }
        if file_len(&wal) > wal_start + 2 * 1024 * 1024 || t0.elapsed() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let wal_at_kill = file_len(&wal);
    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    eprintln!(
        "killed after {:?} with a WAL of {} KB ({status})",
        t0.elapsed(),
        wal_at_kill >> 10
    );
    assert!(!status.success());

    let store = Store::open(&dir).await.expect("opens after the crash");
    store.check_integrity().await.expect("integrity check");
    assert_eq!(store.counts().await.unwrap(), counts_before);
    for t in &before {
        assert_eq!(&store.ticket(&key(t)).await.unwrap(), t);
    }
    // Nothing of the import: no ticket of the generated replica, no user of the firm.
    let all = store
        .list(&ListQuery {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), before.len());
    assert!(store.user("amartin").await.is_err());

    // The same file then imports in full.
    let t0 = Instant::now();
    let mut input = std::io::BufReader::new(std::fs::File::open(&file).unwrap());
    let report = store
        .import(&mut input, Format::Jsonl)
        .await
        .expect("import");
    eprintln!("full import in {:?}", t0.elapsed());
    assert_eq!(report.tickets, tickets);
    assert_eq!(report.events, events);
    assert_eq!(report.already_present, 0);
    assert_eq!(
        store.counts().await.unwrap(),
        (
            counts_before.0 + tickets as i64,
            counts_before.1 + events as i64
        )
    );
    store.check_integrity().await.unwrap();
    let sample = store
        .list(&ListQuery {
            limit: 20,
            ..Default::default()
        })
        .await
        .unwrap();
    for t in &sample {
        let history = store.history(&t.reference).await.unwrap();
        assert_eq!(
            Some(store.ticket(&t.reference).await.unwrap()),
            guichet_domain::Ticket::replay(&history)
        );
    }
    for t in &before {
        assert_eq!(&store.ticket(&key(t)).await.unwrap(), t);
    }
}
