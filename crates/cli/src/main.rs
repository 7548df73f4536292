//! `guichet`: the command line of Guichet, for administrators and scripts.
//!
//! Every read command takes `--json`. Exit codes are stable (see [`exit`]).

mod args;
mod output;
mod run;
mod shared;

use clap::Parser;
use std::process::ExitCode;

/// Exit codes, documented in `guichet --help` and the README.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// An unexpected failure: the database or the file system refused.
    pub const FAILURE: u8 = 1;
    /// The command line itself is wrong (an unknown option, a missing argument).
    pub const USAGE: u8 = 2;
    /// The input was refused: an invalid field, an unknown name, a forbidden
    /// transition, an attachment too large. Nothing was written.
    pub const INVALID: u8 = 3;
    /// The ticket (or other record) named does not exist.
    pub const NOT_FOUND: u8 = 4;
    /// The data directory is not initialised, or its database is damaged.
    pub const DATA: u8 = 5;
    /// An import file was rejected; every bad line is listed. Nothing was written.
    pub const IMPORT_REJECTED: u8 = 6;
    /// The shared database refused: no permission, wrong login or password.
    pub const FORBIDDEN: u8 = 7;
    /// The shared database could not be reached.
    pub const OFFLINE: u8 = 8;
}

fn main() -> ExitCode {
    // `guichet ticket list | head`: when the reader goes, end quietly as
    // Unix tools do (SIGPIPE), instead of panicking on the next print.
    // Everything a command writes is committed before it prints.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let json = cli.json;
    if shared::wants(&cli) {
        return match runtime.block_on(shared::run(cli)) {
            Ok(()) => ExitCode::from(exit::OK),
            Err(e) => {
                shared::print_error(&e, json);
                ExitCode::from(shared::exit_code(&e))
            }
        };
    }
    match runtime.block_on(run::run(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            output::error(&e, json);
            ExitCode::from(run::exit_code(&e))
        }
    }
}
