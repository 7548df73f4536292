//! Creates N tickets in an existing data directory, as the local user.
//!
//! `cargo run -p guichet-store --example writer -- DIR N [LABEL]`
//!
//! Used by the store's tests to have two processes write one SQLite file at
//! the same time. Prints one reference per line; exits non-zero on the first
//! error, with the error on stderr.

use guichet_domain::NewTicket;
use guichet_store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: writer DIR N [LABEL]");
        return ExitCode::from(2);
    };
    let label = args.get(2).cloned().unwrap_or_else(|| "writer".into());
    match run(PathBuf::from(dir), n, &label).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("writer {label}: {e} ({})", e.code());
            ExitCode::FAILURE
        }
    }
}

async fn run(dir: PathBuf, n: usize, label: &str) -> guichet_store::Result<()> {
    let store = Store::open(&dir).await?;
    let me = store.local_user().await?;
    let mut out = std::io::stdout().lock();
    for i in 0..n {
        let t = store
            .create_ticket(
                me,
                NewTicket {
                    title: format!("{label} ticket {i}"),
                    description: format!("Written by process {} ({label}).", std::process::id()),
                    category: "it/hardware".into(),
                    tags: vec![label.to_string()],
                    ..NewTicket::default()
                },
            )
            .await?;
        let _ = writeln!(out, "{}", t.reference);
    }
    store.close().await;
    Ok(())
}
