//! Shared-mode figures against a real PostgreSQL (DATABASE_URL, a superuser
//! URL; loopback):
//! (a) first sync of a new PC onto a firm of N tickets with 10 events each
//!     (default 100,000 tickets, 1,000,000 events), as a lead who sees all;
//! (b) propagation between two online PCs (engines running, LISTEN/NOTIFY):
//!     a comment written on one until it is in the other's replica, 40 times;
//! (c) C clients (default 100) syncing at once, each pushing 10 new events
//!     and pulling everyone's: the server's throughput and the clients' p95.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p guichet-sync --bench sync
//! GUICHET_BENCH_TICKETS=10000 GUICHET_BENCH_CLIENTS=20 ... (smaller runs)
//! GUICHET_BENCH_SKIP_FIRST=1 ...   (only (b) and (c), on the seeded server)
//! ```
//!
//! The firm is written server-side in bulk (as an import would be), in a
//! database of its own that is dropped at the end. Without `--bench` (under
//! `cargo test --all-targets`) it returns at once.

use guichet_domain::{NewTicket, Visibility};
use guichet_sync::admin::{self, NewUser};
use guichet_sync::{sync_once, Server, Syncer};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PW: &str = "correct-horse-battery";

fn env_usize(k: &str, d: usize) -> usize {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

fn p95(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (
        v[v.len() / 2],
        v[((v.len() as f64) * 0.95).ceil() as usize - 1],
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL: a PostgreSQL superuser URL");
    let tickets = env_usize("GUICHET_BENCH_TICKETS", 100_000);
    let clients = env_usize("GUICHET_BENCH_CLIENTS", 100);
    let base = PgConnectOptions::from_str(&url).unwrap();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let db = format!("gbench_{}", &id[..10]);
    let pfx = format!("b{}", &id[..6]);
    let mut c = base.connect().await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}"))
        .execute(&mut c)
        .await
        .unwrap();
    let sup = sqlx::PgPool::connect_with(base.clone().database(&db))
        .await
        .unwrap();
    let login = |s: &str| format!("{pfx}_{s}");
    let nu = |s: &str, role: &str| NewUser {
        login: login(s),
        name: format!("{s} Bench"),
        email: None,
        role: role.into(),
        password: Some(PW.into()),
        existing_role: false,
    };
    admin::init(&sup, &nu("admin", "admin")).await.unwrap();
    let mut roles = vec![login("admin")];
    for (s, r) in [("lea", "lead"), ("ann", "staff"), ("bob", "staff")] {
        admin::add_user(&sup, &nu(s, r)).await.unwrap();
        roles.push(login(s));
    }
    // The seeded firm's tickets belong to "Firm"; ann and bob work in
    // "Tax", so (b) measures propagation, not a first sync of the firm.
    admin::add_team(&sup, "Firm").await.unwrap();
    admin::add_team(&sup, "Tax").await.unwrap();
    for s in ["ann", "bob"] {
        admin::set_member(&sup, "Tax", &login(s), true)
            .await
            .unwrap();
    }
    let opts = |s: &str| base.clone().database(&db).username(&login(s)).password(PW);
    let tmp = tempfile::tempdir().unwrap();

    // (a) The firm, written in bulk as the owner (the write trigger is for
    // clients; the projection rows are written alongside).
    let t0 = Instant::now();
    let team: String = sqlx::query_scalar("SELECT id::text FROM guichet.teams WHERE name = 'Firm'")
        .fetch_one(&sup)
        .await
        .unwrap();
    let ann: String = sqlx::query_scalar("SELECT id::text FROM guichet.users WHERE login = $1")
        .bind(login("ann"))
        .fetch_one(&sup)
        .await
        .unwrap();
    let mut tx = sup.begin().await.unwrap();
    sqlx::query("ALTER TABLE guichet.events DISABLE TRIGGER events_write")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO guichet.tickets(id, reference, category, team, assignee, requester_kind, requester_id, status, priority, created_by, clocks)
         SELECT md5('t' || n)::uuid, 'BNCH-' || n, 'it', $1::uuid, NULL, NULL, NULL, 'new', 'normal', $2::uuid,
                jsonb_build_object('category', h, 'team', h, 'assignee', h, 'requester', h, 'status', h, 'priority', h)
         FROM generate_series(1, $3) n, LATERAL (SELECT lpad(to_hex(1700000000000 + n * 20), 12, '0') || '-00000000-00000001' AS h) x",
    )
    .bind(&team).bind(&ann).bind(tickets as i64).execute(&mut *tx).await.unwrap();
    sqlx::query(
        "INSERT INTO guichet.events(id, ticket_id, actor, hlc, at, kind, payload)
         SELECT md5('e' || n || '-' || k)::uuid, md5('t' || n)::uuid, $2::uuid,
                lpad(to_hex(1700000000000 + n * 20 + k), 12, '0') || '-00000000-00000001',
                to_timestamp((1700000000000 + n * 20 + k) / 1000.0),
                CASE WHEN k = 0 THEN 'created' ELSE 'commented' END,
                CASE WHEN k = 0 THEN jsonb_build_object('type', 'created', 'reference', 'BNCH-' || n,
                        'title', 'Ticket ' || n || ' déclaration', 'description', 'Texte du ticket ' || n,
                        'category', 'it', 'priority', 'normal', 'status', 'new', 'assignee', NULL,
                        'team', $1::text, 'requester', NULL, 'matter', NULL, 'due', NULL, 'tags', '[]'::jsonb)
                     ELSE jsonb_build_object('type', 'commented', 'visibility', 'reply', 'body', 'Réponse ' || k || ' au ticket ' || n) END
         FROM generate_series(1, $3) n, generate_series(0, 9) k",
    )
    .bind(&team).bind(&ann).bind(tickets as i64).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("ALTER TABLE guichet.events ENABLE TRIGGER events_write")
        .execute(&sup)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&sup).await.unwrap();
    println!(
        "seed: {tickets} tickets, {} events in {:.1?}",
        tickets * 10,
        t0.elapsed()
    );

    if std::env::var("GUICHET_BENCH_SKIP_FIRST").is_err() {
        let lea = Server::connect_with(opts("lea")).await.unwrap();
        let t0 = Instant::now();
        let (store, report) = guichet_sync::connect_replica(&tmp.path().join("lea"), &lea, "bench")
            .await
            .unwrap();
        let first = t0.elapsed();
        let (n, e) = store.counts().await.unwrap();
        println!(
            "(a) first sync of a new PC: {n} tickets, {e} events ({} pulled) in {first:.1?}",
            report.pulled
        );
        store.close().await;
        lea.close().await;
    }

    // (b) Propagation between two online PCs.
    let a_srv = Server::connect_with(opts("ann")).await.unwrap();
    let b_srv = Server::connect_with(opts("bob")).await.unwrap();
    let (a, _) = guichet_sync::connect_replica(&tmp.path().join("ann"), &a_srv, "bench")
        .await
        .unwrap();
    let (b, _) = guichet_sync::connect_replica(&tmp.path().join("bob"), &b_srv, "bench")
        .await
        .unwrap();
    let me = a.local_user().await.unwrap();
    let team_id = a.team("Tax").await.unwrap().id;
    let t = a
        .create_ticket(
            me,
            NewTicket {
                title: "Propagation".into(),
                category: "it".into(),
                team: Some(team_id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let a_sync = Syncer::start(a.clone(), a_srv.clone(), Arc::new(|_| {}));
    let b_sync = Syncer::start(b.clone(), b_srv.clone(), Arc::new(|_| {}));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut lat = Vec::new();
    for i in 0..40 {
        let before = b
            .comments(&t.id.to_string())
            .await
            .map(|c| c.len())
            .unwrap_or(0);
        let start = Instant::now();
        a.comment(
            me,
            &t.id.to_string(),
            Visibility::Reply,
            &format!("ping {i}"),
        )
        .await
        .unwrap();
        a_sync.wake();
        loop {
            if b.comments(&t.id.to_string())
                .await
                .map(|c| c.len())
                .unwrap_or(0)
                > before
            {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no propagation within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        lat.push(start.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (med, p) = p95(lat);
    println!("(b) propagation between two online PCs: median {med:.2?}, p95 {p:.2?} (40 comments)");
    a_sync.stop();
    b_sync.stop();

    // (c) Many clients at once: each a replica of its own (staff in Tax).
    let mut reps = Vec::new();
    for i in 0..clients {
        let s = format!("c{i}");
        admin::add_user(&sup, &nu(&s, "staff")).await.unwrap();
        roles.push(login(&s));
        admin::set_member(&sup, "Tax", &login(&s), true)
            .await
            .unwrap();
    }
    // Small replicas: a team of its own with one ticket, so the figure is
    // the concurrent push and pull, not (a) again.
    admin::add_team(&sup, "Crowd").await.unwrap();
    for i in 0..clients {
        admin::set_member(&sup, "Tax", &login(&format!("c{i}")), false)
            .await
            .unwrap();
        admin::set_member(&sup, "Crowd", &login(&format!("c{i}")), true)
            .await
            .unwrap();
    }
    for i in 0..clients {
        let s = format!("c{i}");
        let srv = Server::connect_with(opts(&s)).await.unwrap();
        let (st, _) = guichet_sync::connect_replica(&tmp.path().join(&s), &srv, "bench")
            .await
            .unwrap();
        let me = st.local_user().await.unwrap();
        let crowd = st.team("Crowd").await.unwrap().id;
        let t = st
            .create_ticket(
                me,
                NewTicket {
                    title: format!("Client {i}"),
                    category: "it".into(),
                    team: Some(crowd),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for k in 0..9 {
            st.comment(
                me,
                &t.id.to_string(),
                Visibility::Reply,
                &format!("note {k}"),
            )
            .await
            .unwrap();
        }
        reps.push((st, srv));
    }
    let start = Instant::now();
    let handles: Vec<_> = reps
        .iter()
        .map(|(st, srv)| {
            let (st, srv) = (st.clone(), srv.clone());
            tokio::spawn(async move {
                let t = Instant::now();
                sync_once(&st, &srv).await.unwrap();
                t.elapsed()
            })
        })
        .collect();
    let mut lat = Vec::new();
    for h in handles {
        lat.push(h.await.unwrap());
    }
    let wall = start.elapsed();
    let pushed = clients * 10;
    let (med, p) = p95(lat);
    println!(
        "(c) {clients} clients syncing at once: {pushed} events pushed in {wall:.1?} ({:.0} events/s at the server), client round median {med:.2?}, p95 {p:.2?}",
        pushed as f64 / wall.as_secs_f64()
    );
    for (st, srv) in reps {
        st.close().await;
        srv.close().await;
    }
    a_srv.close().await;
    b_srv.close().await;
    sup.close().await;
    sqlx::query(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .execute(&mut c)
        .await
        .unwrap();
    for r in roles.iter().cloned().chain(
        ["owner", "users", "admins", "provisioner"]
            .iter()
            .map(|g| format!("{db}_{g}")),
    ) {
        let _ = sqlx::query(&format!("DROP ROLE IF EXISTS \"{r}\""))
            .execute(&mut c)
            .await;
    }
    let _ = c.close().await;
}
