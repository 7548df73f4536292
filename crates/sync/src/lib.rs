//! Guichet's shared mode.
//!
//! - [`admin`]: creates the PostgreSQL schema, group roles, grants and
//!   row-level-security policies (`migrations/postgres/`), and manages the
//!   login role of each person, teams and confidential categories.
//! - [`Server`]: one user's connection, with their own credentials: the
//!   database decides what they see and may write.
//! - [`engine`]: pushes the local outbox, pulls what the user may see with a
//!   cursor that never skips a late commit, applies each pulled batch with
//!   its cursor in one local transaction, and drops tickets the user lost.
//! - [`keychain`]: the user's password in the operating system's keychain.

pub mod admin;
pub mod blobs;
pub mod engine;
pub mod keychain;
mod server;

pub use engine::{connect_replica, sync_once, Report, Status, SyncState, Syncer};
pub use server::{options as server_options, Cursor, Page, Pull, Pushed, Server, ServerUser};

use guichet_domain::DomainError;

/// What can go wrong in shared mode.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The database refused on permission grounds; the text is the server's.
    #[error("{0}")]
    Forbidden(String),
    /// The database refused the data (unknown category, duplicate…).
    #[error("{0}")]
    Refused(String),
    /// The server cannot be reached (offline, refused, dropped).
    #[error("server unreachable: {0}")]
    Offline(String),
    /// Wrong login or password.
    #[error("login refused by the server: wrong login or password, or the account is disabled")]
    Login,
    #[error(transparent)]
    Store(#[from] guichet_store::Error),
    #[error("database: {0}")]
    Db(sqlx::Error),
    #[error("keychain: {0}")]
    Keychain(String),
}

impl Error {
    /// A stable code for the command line's JSON and exit status.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::Forbidden(_) => "forbidden",
            Error::Refused(_) => "refused",
            Error::Offline(_) => "offline",
            Error::Login => "login",
            Error::Store(e) => e.code(),
            Error::Db(_) => "database",
            Error::Keychain(_) => "keychain",
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Offline(_))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                match code.as_str() {
                    "42501" => Error::Forbidden(db.message().to_string()),
                    "28P01" | "28000" => Error::Login,
                    "57P01" | "57P02" | "57P03" | "08006" | "08003" | "08001" => {
                        Error::Offline(db.message().to_string())
                    }
                    c if c.starts_with("22") || c.starts_with("23") => {
                        Error::Refused(db.message().to_string())
                    }
                    _ => Error::Db(e),
                }
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => Error::Offline(e.to_string()),
            _ => Error::Db(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Quotes an SQL identifier.
pub(crate) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
