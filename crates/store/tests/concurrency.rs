//! Several writers on one SQLite file: two separate processes (the desktop
//! app and the command line, say), and several tasks of one process.

mod common;

use common::*;
use guichet_store::{ListQuery, Store};
use std::collections::HashSet;
use std::process::{Command, Stdio};

const PER_PROCESS: usize = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writer_processes_on_one_file() {
    let writer = example("writer");
    let fx = fresh().await;
    // One ticket before, so the processes start from a non-empty file.
    let first = fx
        .store
        .create_ticket(fx.me, new_ticket("Avant", "it"))
        .await
        .unwrap();
    let dir = fx.dir();
    let spawn = |label: &str| {
        Command::new(&writer)
            .arg(&dir)
            .arg(PER_PROCESS.to_string())
            .arg(label)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("writer starts")
    };
    let a = spawn("alpha");
    let b = spawn("beta");
    // This process writes at the same time.
    for i in 0..20 {
        fx.store
            .create_ticket(fx.me, new_ticket(&format!("parent {i}"), "it"))
            .await
            .unwrap();
    }
    let mut printed = Vec::new();
    for (label, child) in [("alpha", a), ("beta", b)] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer {label} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let refs: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(refs.len(), PER_PROCESS, "{label}");
        printed.extend(refs);
    }

    let s = Store::open(&dir).await.unwrap();
    let total = 1 + 20 + 2 * PER_PROCESS;
    assert_eq!(s.counts().await.unwrap(), (total as i64, total as i64));
    let all = s
        .list(&ListQuery {
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), total);
    let refs: HashSet<&str> = all.iter().map(|t| t.reference.as_str()).collect();
    assert_eq!(refs.len(), total, "references are unique");
    let ids: HashSet<&str> = all.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), total, "ids are unique");
    // Every reference a process was handed is in the store, and the numbers
    // are exactly 1..=total: none lost, none given twice.
    for r in &printed {
        assert!(refs.contains(r.as_str()), "{r} missing");
    }
    let mut numbers: Vec<u64> = all
        .iter()
        .map(|t| {
            t.reference
                .parse::<guichet_domain::TicketRef>()
                .unwrap()
                .number
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=total as u64).collect::<Vec<_>>());
    assert_eq!(first.reference.number, 1);
    // Each process's tickets, by its tag.
    for label in ["alpha", "beta"] {
        let mine = s
            .list(&ListQuery {
                tag: Some(label.into()),
                limit: 10_000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(mine.len(), PER_PROCESS, "{label}");
    }
    // The clock never went backwards across processes: creation events have
    // distinct, increasing clocks in commit order.
    let mut clocks = HashSet::new();
    for t in &all {
        let h = s.history(&t.reference).await.unwrap();
        assert!(clocks.insert(h[0].hlc), "clock {} given twice", h[0].hlc);
    }
    s.check_integrity().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tasks_of_one_process_on_one_ticket() {
    let fx = fresh().await;
    let t = fx
        .store
        .create_ticket(fx.me, new_ticket("Beaucoup de monde", "client"))
        .await
        .unwrap();
    let r = key(&t);
    let mut tasks = Vec::new();
    for w in 0..4 {
        let (s, r, me) = (fx.store.clone(), r.clone(), fx.me);
        tasks.push(tokio::spawn(async move {
            for i in 0..25 {
                s.comment(
                    me,
                    &r,
                    guichet_domain::Visibility::Internal,
                    &format!("tâche {w} note {i}"),
                )
                .await
                .unwrap();
                s.tag(me, &r, true, &format!("w{w}-{i}")).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let stored = fx.store.ticket(&r).await.unwrap();
    assert_eq!(stored.comments, 100);
    assert_eq!(stored.tags.len(), 100);
    assert_eq!(fx.store.comments(&r).await.unwrap().len(), 100);
    let history = fx.store.history(&r).await.unwrap();
    assert_eq!(history.len(), 201);
    assert_eq!(Some(stored), guichet_domain::Ticket::replay(&history));
}
