//! Printing results: plain text for people, JSON for scripts.

use guichet_domain::{Category, Contact, Event, EventKind, Team, Ticket, User};
use guichet_store::{Comment, Error, Store, TicketSummary};
use serde::Serialize;

#[derive(Clone, Copy)]
pub struct Out {
    pub json: bool,
}

fn print_json<T: Serialize + ?Sized>(v: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("output serialises")
    );
}

impl Out {
    /// The result of a command: JSON of `value`, or the sentence `text` gives.
    pub fn done<T: Serialize + ?Sized>(&self, value: &T, text: impl FnOnce() -> String) {
        if self.json {
            print_json(value)
        } else {
            println!("{}", text())
        }
    }

    pub fn tickets(&self, rows: &[TicketSummary]) {
        if self.json {
            return print_json(rows);
        }
        if rows.is_empty() {
            println!("No tickets.");
            return;
        }
        for r in rows {
            println!(
                "{:<12} {:<11} {:<7} {:<12} {:<10} {}",
                r.reference,
                r.status.as_str(),
                r.priority.as_str(),
                r.assignee.as_deref().unwrap_or("-"),
                r.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                r.title
            );
        }
    }

    pub async fn ticket(
        &self,
        store: &Store,
        t: &Ticket,
        comments: &[Comment],
    ) -> Result<(), Error> {
        if self.json {
            print_json(&serde_json::json!({ "ticket": t, "comments": comments }));
            return Ok(());
        }
        let users = store.users().await?;
        let login = |id: Option<guichet_domain::UserId>| {
            id.and_then(|id| users.iter().find(|u| u.id == id))
                .map(|u| u.login.clone())
                .unwrap_or_else(|| "-".into())
        };
        let team = match t.team {
            Some(id) => store
                .teams()
                .await?
                .into_iter()
                .find(|x| x.id == id)
                .map(|x| x.name)
                .unwrap_or_default(),
            None => "-".into(),
        };
        println!("{}  {}", t.reference, t.title);
        println!(
            "status: {}   priority: {}   category: {}",
            t.status, t.priority, t.category
        );
        println!("assignee: {}   team: {}", login(t.assignee), team);
        if let Some(m) = &t.matter {
            println!("matter: {m}");
        }
        if let Some(d) = t.due {
            println!("due: {d}");
        }
        if !t.tags.is_empty() {
            println!(
                "tags: {}",
                t.tags.iter().cloned().collect::<Vec<_>>().join(", ")
            );
        }
        for a in &t.attachments {
            println!("attachment: {} ({} bytes, {})", a.name, a.size, a.mime);
        }
        if !t.description.is_empty() {
            println!("\n{}", t.description);
        }
        for c in comments {
            let kind = match c.visibility {
                guichet_domain::Visibility::Reply => "reply",
                guichet_domain::Visibility::Internal => "internal note",
            };
            println!(
                "\n--- {kind} by {} at {}\n{}",
                c.author,
                c.at.format("%Y-%m-%d %H:%M"),
                c.body
            );
        }
        Ok(())
    }

    pub async fn history(&self, store: &Store, events: &[Event]) -> Result<(), Error> {
        if self.json {
            print_json(events);
            return Ok(());
        }
        let users = store.users().await?;
        for e in events {
            let who = users
                .iter()
                .find(|u| u.id == e.actor)
                .map(|u| u.login.as_str())
                .unwrap_or("?");
            let what = match &e.kind {
                EventKind::Created(d) => format!("created \"{}\"", d.title),
                EventKind::Changed(c) => {
                    format!("changed {}", serde_json::to_string(c).unwrap_or_default())
                }
                EventKind::Commented { visibility, .. } => {
                    (if *visibility == guichet_domain::Visibility::Reply {
                        "added a reply"
                    } else {
                        "added an internal note"
                    })
                    .to_string()
                }
                other => format!(
                    "{} {}",
                    other.name(),
                    serde_json::to_string(other).unwrap_or_default()
                ),
            };
            println!("{}  {:<10} {what}", e.at.format("%Y-%m-%d %H:%M:%S"), who);
        }
        Ok(())
    }

    pub fn users(&self, users: &[User]) {
        if self.json {
            return print_json(users);
        }
        for u in users {
            println!(
                "{:<16} {:<30} {}{}",
                u.login,
                u.name,
                u.email.as_deref().unwrap_or(""),
                if u.active { "" } else { " (disabled)" }
            );
        }
    }

    pub fn teams(&self, teams: &[Team], users: &[User]) {
        if self.json {
            return print_json(teams);
        }
        for t in teams {
            let members: Vec<_> = t
                .members
                .iter()
                .filter_map(|m| users.iter().find(|u| u.id == *m))
                .map(|u| u.login.as_str())
                .collect();
            println!("{:<30} {}", t.name, members.join(", "));
        }
    }

    pub fn categories(&self, cats: &[Category]) {
        if self.json {
            return print_json(cats);
        }
        for c in cats {
            let depth = c.key.matches('/').count();
            println!(
                "{:<24} {}{}{}",
                c.key,
                "  ".repeat(depth),
                c.name_en,
                if c.confidential {
                    " (confidential)"
                } else {
                    ""
                }
            );
        }
    }

    pub fn contacts(&self, contacts: &[Contact]) {
        if self.json {
            return print_json(contacts);
        }
        for c in contacts {
            println!(
                "{:<36} {:<30} {}",
                c.id,
                c.name,
                c.email.as_deref().unwrap_or("")
            );
        }
    }
}

/// Errors go to standard error: a sentence for people, and with `--json` an
/// object with a stable code for scripts.
pub fn error(e: &Error, json: bool) {
    if json {
        let lines = match e {
            Error::Import(lines) => serde_json::to_value(lines).unwrap_or_default(),
            _ => serde_json::Value::Null,
        };
        eprintln!(
            "{}",
            serde_json::json!({ "error": { "code": e.code(), "message": e.to_string(), "lines": lines } })
        );
    } else {
        eprintln!("error: {e}");
    }
}
