use crate::Status;

/// Why a command was refused. Every variant names the field and what is accepted,
/// so the message can be shown to a user as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{field}: {problem}; accepted: {accepted}")]
    Invalid {
        field: &'static str,
        problem: String,
        accepted: String,
    },
    #[error(
        "status: cannot go from {from} to {to}; allowed from {from}: {}",
        list(allowed)
    )]
    Transition {
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
}

fn list(s: &[Status]) -> String {
    if s.is_empty() {
        return "none".into();
    }
    s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

impl DomainError {
    pub fn invalid(
        field: &'static str,
        problem: impl Into<String>,
        accepted: impl Into<String>,
    ) -> Self {
        DomainError::Invalid {
            field,
            problem: problem.into(),
            accepted: accepted.into(),
        }
    }

    /// The field the error is about, for a UI that shows it inline.
    pub fn field(&self) -> &'static str {
        match self {
            DomainError::Invalid { field, .. } => field,
            DomainError::Transition { .. } => "status",
        }
    }
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;
