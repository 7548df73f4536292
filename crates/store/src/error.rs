use guichet_domain::DomainError;
use std::path::PathBuf;

/// One rejected line of an import file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// Everything the store can refuse or fail at. Messages name the field or
/// the file and say what is accepted or what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("{field}: '{value}' is unknown; accepted: {accepted}")]
    Unknown {
        field: &'static str,
        value: String,
        accepted: String,
    },
    #[error("{what} '{key}' not found")]
    NotFound { what: &'static str, key: String },
    #[error("{field}: {problem}")]
    Conflict {
        field: &'static str,
        problem: String,
    },
    #[error("attachment: {0}")]
    Attachment(String),
    #[error("no Guichet data in {}: run `guichet init` first (or pass --data-dir)", .0.display())]
    NotInitialized(PathBuf),
    #[error("the database file {} is damaged or not a Guichet database ({detail}); nothing was written. Restore it from a backup, or move it away and run `guichet init`", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("import rejected, nothing was written: {} line(s) in error:\n{}", .0.len(), lines(.0))]
    Import(Vec<LineError>),
    #[error("file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Db(sqlx::Error),
}

fn lines(errors: &[LineError]) -> String {
    errors
        .iter()
        .map(|e| format!("  line {}: {}", e.line, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// A stable code for scripts and for the desktop UI's translations.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(_) => "invalid",
            Error::Unknown { .. } => "unknown",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::Attachment(_) => "attachment",
            Error::NotInitialized(_) => "not_initialized",
            Error::Corrupt { .. } => "corrupt",
            Error::Import(_) => "import_rejected",
            Error::Io { .. } => "io",
            Error::Db(_) => "database",
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// SQLite's own words for a damaged file are turned into [`Error::Corrupt`]
/// at the places that know the path; elsewhere they stay database errors.
pub(crate) fn is_corruption(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), with extended codes.
            let primary = code.parse::<i32>().map(|c| c & 0xff).unwrap_or(0);
            primary == 11
                || primary == 26
                || d.message().contains("malformed")
                || d.message().contains("not a database")
        }
        _ => false,
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Db(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
