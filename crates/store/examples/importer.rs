//! Imports an export file into an existing data directory.
//!
//! `cargo run -p guichet-store --example importer -- DIR FILE`
//!
//! `.csv` files are read as CSV, everything else as JSON lines. Used by the
//! store's tests to kill an import half-way; prints the report as JSON.

use guichet_store::{Format, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(file)) = (args.first(), args.get(1)) else {
        eprintln!("usage: importer DIR FILE");
        return ExitCode::from(2);
    };
    match run(PathBuf::from(dir), PathBuf::from(file)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("importer: {e} ({})", e.code());
            ExitCode::FAILURE
        }
    }
}

async fn run(dir: PathBuf, file: PathBuf) -> guichet_store::Result<()> {
    let store = Store::open(&dir).await?;
    let f = std::fs::File::open(&file).map_err(|e| guichet_store::Error::Io {
        path: file.clone(),
        source: e,
    })?;
    let mut input = std::io::BufReader::with_capacity(1 << 20, f);
    // Tell the caller the file is open and the import is starting.
    eprintln!("importing {}", file.display());
    let report = store.import(&mut input, Format::from_path(&file)).await?;
    println!(
        "{}",
        serde_json::to_string(&report).expect("a report serialises")
    );
    store.close().await;
    Ok(())
}
