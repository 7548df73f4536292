//! The cost of one scheduler round (see the desktop's `schedule.rs`) on a
//! real SQLite store of demo data: (a) `Store::open_tickets_with_events`,
//! (b) `ticket_dues` for every open ticket with the firm's default calendar,
//! (c) `plan` of all those dues, at 1,000, 10,000 and 100,000 tickets.
//!
//! ```sh
//! cargo bench -p guichet-sla --bench round                  # 1000, 10000, 100000
//! cargo bench -p guichet-sla --bench round -- 1000 10000    # chosen sizes
//! GUICHET_BENCH_TICKETS=1000,10000 cargo bench -p guichet-sla --bench round
//! GUICHET_BENCH_REPS=20 ...                                 # repetitions (default 10)
//! ```
//!
//! Each size's store is kept under `/var/tmp/guichet-bench-sla-<N>` (or
//! `$GUICHET_BENCH_DIR/guichet-bench-sla-<N>`) and reused by later runs, since
//! the import is most of the run's time; delete the directory to rebuild it.
//!
//! Without `--bench` (that is, under `cargo test --all-targets`, which builds
//! and runs bench targets with no arguments) it returns at once.

use chrono::{DateTime, Utc};
use guichet_sla::{plan, ticket_dues, Due, TimeConfig};
use guichet_store::{demo_jsonl, Format, Store};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SEED: u64 = 2026;
const EVENTS_PER_TICKET: usize = 8;
const MAX_INDIVIDUAL: usize = 5;
const MARKER: &str = "bench-import-complete";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median and p95 (nearest rank) in milliseconds.
fn stats(samples: &[Duration]) -> (f64, f64) {
    let mut s = samples.to_vec();
    s.sort();
    let at = |p: f64| ms(s[((s.len() as f64 - 1.0) * p).round() as usize]);
    (at(0.5), at(0.95))
}

/// A line of /proc/self/status in MiB (VmHWM: peak resident set size).
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets VmHWM to the current RSS (Linux >= 4.0), so each size's peak is
/// its own; false when the kernel refuses.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn sizes() -> Vec<usize> {
    let from_args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    if !from_args.is_empty() {
        return from_args;
    }
    if let Ok(v) = std::env::var("GUICHET_BENCH_TICKETS") {
        let from_env: Vec<usize> = v
            .split(',')
            .filter_map(|s| s.trim().replace('_', "").parse().ok())
            .collect();
        if !from_env.is_empty() {
            return from_env;
        }
    }
    vec![1_000, 10_000, 100_000]
}

/// The store of `n` demo tickets: reused when a previous run completed its
/// import, otherwise made afresh.
async fn store_of(n: usize) -> Store {
    let base = std::env::var_os("GUICHET_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp"));
    let dir = base.join(format!("guichet-bench-sla-{n}"));
    if dir.join(MARKER).exists() {
        println!("  reusing the store in {}", dir.display());
        return Store::open(&dir).await.expect("open the kept store");
    }
    make_store(&dir, n).await
}

async fn make_store(dir: &Path, n: usize) -> Store {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("remove an incomplete store");
    }
    std::fs::create_dir_all(dir).expect("create the store directory");
    let store = Store::init(dir, "bench", "Bench")
        .await
        .expect("init the store");
    let t = Instant::now();
    let data = demo_jsonl(SEED, n, EVENTS_PER_TICKET);
    let generated = t.elapsed();
    let t = Instant::now();
    let report = store
        .import(&mut &data[..], Format::Jsonl)
        .await
        .expect("import the demo data");
    println!(
        "  made {}: generated in {:.1} s, imported {} tickets / {} events in {:.1} s",
        dir.display(),
        generated.as_secs_f64(),
        report.tickets,
        report.events,
        t.elapsed().as_secs_f64()
    );
    std::fs::write(dir.join(MARKER), format!("{n} tickets, seed {SEED}\n")).expect("marker");
    store
}

fn all_dues(
    open: &[(guichet_domain::Ticket, Vec<guichet_domain::Event>)],
    cfg: &TimeConfig,
    cal: &guichet_calendar::BusinessCalendar,
    now: DateTime<Utc>,
) -> Vec<Due> {
    // As the desktop's scheduler does (src-tauri/schedule.rs, SLA_HORIZON):
    // no SLA clock for tickets created more than 180 days before `now`, only
    // their deadline. GUICHET_BENCH_HORIZON_DAYS=0 measures every clock.
    let horizon: i64 = std::env::var("GUICHET_BENCH_HORIZON_DAYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(180);
    let mut dues = Vec::new();
    for (t, events) in open {
        if horizon > 0 && now - t.created_at > chrono::Duration::days(horizon) {
            dues.extend(guichet_sla::deadline_dues(t, cfg, cal));
        } else {
            dues.extend(ticket_dues(events, cfg, cal, now));
        }
    }
    dues
}

async fn bench(n: usize, reps: usize) {
    println!("{n} tickets x {EVENTS_PER_TICKET} events (seed {SEED})");
    let store = store_of(n).await;
    let cfg = TimeConfig::default();
    let cal = cfg.calendar_for(None).expect("the default calendar");

    // A warm-up read, which also fixes `now`: just after the newest event of
    // an open ticket, as if the round ran right after the last change (the
    // demo generator's clock runs on for years at 100,000 tickets, so the
    // wall clock would put most of the data in the future).
    let open = store.open_tickets_with_events().await.expect("read");
    let now = open
        .iter()
        .flat_map(|(_, es)| es.iter().map(|e| e.at))
        .max()
        .unwrap_or_else(Utc::now)
        + chrono::Duration::minutes(1);
    let tickets = open.len();
    let events: usize = open.iter().map(|(_, es)| es.len()).sum();
    drop(open);

    let rss_reset = reset_peak_rss();
    let rss_before = status_mib("VmRSS:").unwrap_or(f64::NAN);

    let (mut read, mut compute, mut planning, mut steady, mut delivered_q, mut round) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut dues_count = 0;
    let mut fired = 0;
    let mut summarised = 0;
    for _ in 0..reps {
        let t0 = Instant::now();
        let open = store.open_tickets_with_events().await.expect("read");
        let t1 = Instant::now();
        let dues = all_dues(&open, &cfg, &cal, now);
        let t2 = Instant::now();
        dues_count = dues.len();
        // A first round: nothing delivered yet (the most work for `plan`).
        let kept = dues.clone();
        let t3 = Instant::now();
        let p = plan(dues, &HashSet::new(), now, MAX_INDIVIDUAL);
        let t4 = Instant::now();
        fired = p.fire.len();
        summarised = p.summarised.len();
        // A steady round: everything already due has been delivered.
        let delivered: HashSet<String> = p.keys().map(str::to_owned).collect();
        let t5 = Instant::now();
        let p2 = plan(kept, &delivered, now, MAX_INDIVIDUAL);
        let t6 = Instant::now();
        assert!(p2.fire.is_empty() && p2.summarised.is_empty());
        // What the desktop reads besides: the delivered keys (empty here).
        let t7 = Instant::now();
        let _ = store.delivered().await.expect("delivered");
        let t8 = Instant::now();
        read.push(t1 - t0);
        compute.push(t2 - t1);
        planning.push(t4 - t3);
        steady.push(t6 - t5);
        delivered_q.push(t8 - t7);
        round.push((t1 - t0) + (t2 - t1) + (t4 - t3));
        if reps > 1 && ms(t4 - t0) > 10_000.0 {
            // Slow sizes: show progress.
            println!(
                "  repetition {}: a {:.0} ms, b {:.0} ms, c {:.0} ms",
                read.len(),
                ms(t1 - t0),
                ms(t2 - t1),
                ms(t4 - t3)
            );
        }
        drop((open, p, p2, delivered));
    }
    let peak = status_mib("VmHWM:").unwrap_or(f64::NAN);

    // Where (b) goes: one more pass timing each ticket alone, by the age of
    // the ticket at `now` (the SLA clock walks business days from creation).
    let open = store.open_tickets_with_events().await.expect("read");
    let buckets: [(&str, i64); 5] = [
        ("< 30 days", 30),
        ("30 days - 1 year", 365),
        ("1 - 5 years", 5 * 365),
        ("5 - 20 years", 20 * 365),
        (">= 20 years", i64::MAX),
    ];
    let mut by_age = [(0usize, Duration::ZERO); 5];
    for (_, events) in &open {
        let age = (now - events[0].at).num_days();
        let i = buckets.iter().position(|(_, max)| age < *max).unwrap_or(4);
        let t = Instant::now();
        let d = ticket_dues(events, &cfg, &cal, now);
        by_age[i].1 += t.elapsed();
        by_age[i].0 += 1;
        drop(d);
    }
    drop(open);

    println!("  open tickets {tickets}, their events {events}, dues {dues_count} (fire {fired}, summarised {summarised}), now {now}");
    for (name, s) in [
        ("(a) open_tickets_with_events", &read),
        ("(b) ticket_dues, all tickets", &compute),
        ("(c) plan, nothing delivered", &planning),
        ("(c') plan, steady state", &steady),
        ("    delivered() (empty table)", &delivered_q),
        ("    round = a + b + c", &round),
    ] {
        let (med, p95) = stats(s);
        println!("  {name:<30} median {med:>9.2} ms   p95 {p95:>9.2} ms");
    }
    println!(
        "  peak RSS (VmHWM) {peak:.0} MiB during the repetitions{} (RSS before them {rss_before:.0} MiB)",
        if rss_reset { "" } else { " (could not reset: process-wide peak)" }
    );
    for ((name, _), (count, total)) in buckets.iter().zip(by_age) {
        if count > 0 {
            println!(
                "  ticket_dues, tickets aged {name:<17} {count:>6} tickets, {:>9.1} us each, {:>9.1} ms in all",
                total.as_secs_f64() * 1e6 / count as f64,
                ms(total)
            );
        }
    }
    let (a, _) = stats(&read);
    let (b, _) = stats(&compute);
    let (c, _) = stats(&planning);
    let (r, r95) = stats(&round);
    println!(
        "  | {n} | {tickets} | {events} | {dues_count} | {a:.1} ms | {b:.1} ms | {c:.1} ms | {r:.1} ms | {r95:.1} ms | {peak:.0} MiB |"
    );
    store.close().await;
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs bench
    // targets too, without it: then there is nothing to do.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let reps: usize = std::env::var("GUICHET_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .max(1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for n in sizes() {
        rt.block_on(bench(n, reps));
    }
}
