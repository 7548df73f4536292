//! People and the category tree: users (staff), teams, external contacts.

use crate::ids::{ContactId, TeamId, UserId};
use crate::limits::{LOGIN_MAX, NAME_MAX};
use crate::ticket::check_category_key;
use crate::{DomainError, Result};
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub active: bool,
}

impl User {
    pub fn new(login: &str, name: &str, email: Option<&str>) -> Result<User> {
        Ok(User {
            id: UserId::new(),
            login: check_login(login)?,
            name: check_name("name", name)?,
            email: check_email(email)?,
            active: true,
        })
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    #[serde(default)]
    pub members: Vec<UserId>,
    /// The team lead: the second person escalations reach.
    #[serde(default)]
    pub lead: Option<UserId>,
}

impl Team {
    pub fn new(name: &str) -> Result<Team> {
        Ok(Team {
            id: TeamId::new(),
            name: check_name("team name", name)?,
            members: Vec::new(),
            lead: None,
        })
    }
}

/// Someone outside the firm: a client or a third party who asks for things.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
    pub organisation: Option<String>,
}

impl Contact {
    pub fn new(name: &str, email: Option<&str>, organisation: Option<&str>) -> Result<Contact> {
        Ok(Contact {
            id: ContactId::new(),
            name: check_name("name", name)?,
            email: check_email(email)?,
            organisation: organisation
                .map(|o| check_name("organisation", o))
                .transpose()?,
        })
    }
}

/// A node in the category tree; labels in the three UI languages.
/// A confidential category (HR) is visible only to its own team in shared mode.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub key: String,
    pub parent: Option<String>,
    pub name_en: String,
    pub name_fr: String,
    pub name_de: String,
    pub confidential: bool,
}

impl Category {
    /// A category under `key`; its parent is the key without its last segment.
    pub fn new(key: &str, en: &str, fr: &str, de: &str) -> Result<Category> {
        let key = check_category_key(key)?;
        let parent = key.rsplit_once('/').map(|(p, _)| p.to_string());
        Ok(Category {
            key,
            parent,
            name_en: check_name("name", en)?,
            name_fr: check_name("name", fr)?,
            name_de: check_name("name", de)?,
            confidential: false,
        })
    }

    pub fn name(&self, lang: &str) -> &str {
        match lang {
            "fr" => &self.name_fr,
            "de" => &self.name_de,
            _ => &self.name_en,
        }
    }
}

/// The categories a new firm starts with.
pub fn default_categories() -> Vec<Category> {
    let rows = [
        (
            "client",
            "Client requests",
            "Demandes clients",
            "Mandantenanfragen",
        ),
        ("client/advice", "Advice", "Conseil", "Beratung"),
        ("client/documents", "Documents", "Documents", "Unterlagen"),
        ("it", "IT support", "Support informatique", "IT-Support"),
        ("it/hardware", "Hardware", "Matériel", "Hardware"),
        (
            "it/access",
            "Access and accounts",
            "Accès et comptes",
            "Zugänge und Konten",
        ),
        (
            "admin",
            "Administrative tasks and deadlines",
            "Tâches administratives et délais",
            "Verwaltung und Fristen",
        ),
        (
            "admin/court-deadline",
            "Court deadline",
            "Délai de procédure",
            "Gerichtsfrist",
        ),
        (
            "admin/tax-deadline",
            "Tax deadline",
            "Échéance fiscale",
            "Steuerfrist",
        ),
        ("project", "Projects", "Projets", "Projekte"),
        ("hr", "HR requests", "Demandes RH", "Personalanliegen"),
    ];
    rows.iter()
        .map(|(k, en, fr, de)| {
            let mut c = Category::new(k, en, fr, de).expect("seed categories are valid");
            c.confidential = k.starts_with("hr");
            c
        })
        .collect()
}

fn check_login(s: &str) -> Result<String> {
    let t = s.trim();
    let ok = !t.is_empty()
        && t.len() <= LOGIN_MAX
        && t.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && t.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if ok {
        Ok(t.to_string())
    } else {
        Err(DomainError::invalid(
            "login",
            format!("'{s}' is not a login"),
            format!("1 to {LOGIN_MAX} characters a-z 0-9 . _ -, starting with a letter"),
        ))
    }
}

pub(crate) fn check_name(field: &'static str, s: &str) -> Result<String> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > NAME_MAX || t.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            format!("'{s}' is empty, too long or not one line"),
            format!("1 to {NAME_MAX} characters on one line"),
        ));
    }
    Ok(t.to_string())
}

fn check_email(s: Option<&str>) -> Result<Option<String>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(e) => {
            let ok = e.len() <= 254
                && !e.contains(char::is_whitespace)
                && e.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
                });
            if ok {
                Ok(Some(e.to_string()))
            } else {
                Err(DomainError::invalid(
                    "email",
                    format!("'{e}' is not an e-mail address"),
                    "an address such as name@firm.example",
                ))
            }
        }
    }
}
