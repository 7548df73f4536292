//! Users, teams, contacts and categories.

use crate::error::{Error, Result};
use crate::Store;
use guichet_domain::{Category, Contact, ContactId, Party, Team, TeamId, User, UserId};
use sqlx::{Row, SqliteConnection};

impl Store {
    /// Who a name given for a user field means: empty or `none` nobody,
    /// `me` the local user, anything else a login. An unknown login is
    /// refused naming `field`, with `accepted` (the caller's hint) attached.
    pub async fn resolve_user(
        &self,
        field: &'static str,
        key: &str,
        accepted: &str,
    ) -> Result<Option<UserId>> {
        match key.trim() {
            "" | "none" => Ok(None),
            "me" => Ok(Some(self.local_user().await?)),
            login => self
                .user(login)
                .await
                .map(|u| Some(u.id))
                .map_err(|_| Error::Unknown {
                    field,
                    value: login.to_string(),
                    accepted: accepted.into(),
                }),
        }
    }

    /// Who a requester name means: like [`Store::resolve_user`], then a
    /// contact's name or id when no user has that login.
    pub async fn resolve_requester(&self, key: &str, accepted: &str) -> Result<Option<Party>> {
        match key.trim() {
            "" | "none" => Ok(None),
            "me" => Ok(Some(Party::User(self.local_user().await?))),
            key => {
                if let Ok(u) = self.user(key).await {
                    return Ok(Some(Party::User(u.id)));
                }
                let c = self.contact(key).await.map_err(|_| Error::Unknown {
                    field: "requester",
                    value: key.to_string(),
                    accepted: accepted.into(),
                })?;
                Ok(Some(Party::Contact(c.id)))
            }
        }
    }

    pub async fn add_user(&self, user: &User) -> Result<()> {
        self.guard(async {
            let mut txn = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let tx = &mut *txn;
            let out: Result<()> = async {
                if user_by_login(tx, &user.login).await?.is_some() {
                    return Err(Error::Conflict {
                        field: "login",
                        problem: format!("'{}' is already taken; choose another login", user.login),
                    });
                }
                insert_user(tx, user).await
            }
            .await;
            out?;
            txn.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let mut conn = self.pool.acquire().await?;
        self.guard(all_users(&mut conn)).await
    }

    /// A user by login (or id); the error lists where to look.
    pub async fn user(&self, login: &str) -> Result<User> {
        let mut conn = self.pool.acquire().await?;
        self.guard(async {
            let found = match login.parse::<UserId>() {
                Ok(id) => all_users(&mut conn).await?.into_iter().find(|u| u.id == id),
                Err(_) => user_by_login(&mut conn, login.trim()).await?,
            };
            found.ok_or_else(|| Error::Unknown {
                field: "user",
                value: login.to_string(),
                accepted: "a user's login (see `guichet user list`)".into(),
            })
        })
        .await
    }

    /// Disabled users keep their history but can no longer act or be assigned.
    pub async fn set_user_active(&self, login: &str, active: bool) -> Result<()> {
        let user = self.user(login).await?;
        self.guard(async {
            let mut txn = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let tx = &mut *txn;
            let out: Result<()> = async {
                sqlx::query("UPDATE users SET active = ? WHERE id = ?")
                    .bind(active as i64)
                    .bind(user.id.to_string())
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            }
            .await;
            out?;
            txn.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn rename_user(&self, id: UserId, name: &str) -> Result<User> {
        let name = User::new("x", name, None)?.name;
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let done = sqlx::query("UPDATE users SET name = ? WHERE id = ?")
                .bind(&name)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(Error::NotFound {
                    what: "user",
                    key: id.to_string(),
                });
            }
            tx.commit().await?;
            Ok(())
        })
        .await?;
        self.user(&id.to_string()).await
    }

    pub async fn add_team(&self, team: &Team) -> Result<()> {
        self.guard(async {
            let mut txn = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let tx = &mut *txn;
            let out: Result<()> = async {
                let taken: Option<String> =
                    sqlx::query_scalar("SELECT id FROM teams WHERE name = ?")
                        .bind(&team.name)
                        .fetch_optional(&mut *tx)
                        .await?;
                if taken.is_some() {
                    return Err(Error::Conflict {
                        field: "team name",
                        problem: format!("'{}' already exists", team.name),
                    });
                }
                insert_team(tx, team).await
            }
            .await;
            out?;
            txn.commit().await?;
            Ok(())
        })
        .await
    }

    /// Names (or clears) a team's lead, who must be an active user.
    pub async fn set_team_lead(&self, team: TeamId, lead: Option<UserId>) -> Result<()> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            if let Some(u) = lead {
                let active: Option<bool> =
                    sqlx::query_scalar("SELECT active FROM users WHERE id = ?")
                        .bind(u.to_string())
                        .fetch_optional(&mut *tx)
                        .await?;
                if active != Some(true) {
                    return Err(Error::Invalid(guichet_domain::DomainError::invalid(
                        "lead",
                        "is not an active user",
                        "the login of an active user, or none",
                    )));
                }
            }
            let done = sqlx::query("UPDATE teams SET lead = ? WHERE id = ?")
                .bind(lead.map(|l| l.to_string()))
                .bind(team.to_string())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(Error::NotFound {
                    what: "team",
                    key: team.to_string(),
                });
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn teams(&self) -> Result<Vec<Team>> {
        let mut conn = self.pool.acquire().await?;
        self.guard(all_teams(&mut conn)).await
    }

    pub async fn team(&self, name: &str) -> Result<Team> {
        let teams = self.teams().await?;
        teams
            .into_iter()
            .find(|t| t.name.eq_ignore_ascii_case(name.trim()) || t.id.to_string() == name.trim())
            .ok_or_else(|| Error::Unknown {
                field: "team",
                value: name.to_string(),
                accepted: "a team's name (see `guichet team list`)".into(),
            })
    }

    pub async fn set_membership(&self, team: TeamId, user: UserId, member: bool) -> Result<()> {
        self.guard(async {
            let mut txn = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let tx = &mut *txn;
            let out: Result<()> = async {
                let sql = if member {
                    "INSERT OR IGNORE INTO team_members(team_id, user_id) VALUES (?, ?)"
                } else {
                    "DELETE FROM team_members WHERE team_id = ? AND user_id = ?"
                };
                sqlx::query(sql)
                    .bind(team.to_string())
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            }
            .await;
            out?;
            txn.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn add_contact(&self, contact: &Contact) -> Result<()> {
        self.guard(async {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            insert_contact(&mut tx, contact).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn contacts(&self) -> Result<Vec<Contact>> {
        let mut conn = self.pool.acquire().await?;
        self.guard(all_contacts(&mut conn)).await
    }

    /// A contact by id or exact name (case-insensitive).
    pub async fn contact(&self, key: &str) -> Result<Contact> {
        let key = key.trim();
        self.contacts()
            .await?
            .into_iter()
            .find(|c| c.id.to_string() == key || c.name.to_lowercase() == key.to_lowercase())
            .ok_or_else(|| Error::Unknown {
                field: "contact",
                value: key.to_string(),
                accepted: "a contact's name or id (see `guichet contact list`)".into(),
            })
    }

    pub async fn add_category(&self, c: &Category) -> Result<()> {
        self.guard(async {
            let mut txn = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let tx = &mut *txn;
            let out: Result<()> = async {
                let keys = category_keys(tx).await?;
                if keys.contains(&c.key) {
                    return Err(Error::Conflict {
                        field: "category",
                        problem: format!("'{}' already exists", c.key),
                    });
                }
                if let Some(p) = &c.parent {
                    if !keys.contains(p) {
                        return Err(Error::Unknown {
                            field: "category parent",
                            value: p.clone(),
                            accepted: keys.join(", "),
                        });
                    }
                }
                insert_category(tx, c).await
            }
            .await;
            out?;
            txn.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn categories(&self) -> Result<Vec<Category>> {
        let mut conn = self.pool.acquire().await?;
        self.guard(all_categories(&mut conn)).await
    }
}

pub(crate) async fn insert_user(conn: &mut SqliteConnection, u: &User) -> Result<()> {
    sqlx::query("INSERT INTO users(id, login, name, email, active) VALUES (?, ?, ?, ?, ?)")
        .bind(u.id.to_string())
        .bind(&u.login)
        .bind(&u.name)
        .bind(&u.email)
        .bind(u.active as i64)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn insert_team(conn: &mut SqliteConnection, t: &Team) -> Result<()> {
    sqlx::query("INSERT INTO teams(id, name, lead) VALUES (?, ?, ?)")
        .bind(t.id.to_string())
        .bind(&t.name)
        .bind(t.lead.map(|l| l.to_string()))
        .execute(&mut *conn)
        .await?;
    insert_members(conn, t).await
}

/// Adds the team's members (those already in it stay).
pub(crate) async fn insert_members(conn: &mut SqliteConnection, t: &Team) -> Result<()> {
    for m in &t.members {
        sqlx::query("INSERT OR IGNORE INTO team_members(team_id, user_id) VALUES (?, ?)")
            .bind(t.id.to_string())
            .bind(m.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn insert_contact(conn: &mut SqliteConnection, c: &Contact) -> Result<()> {
    sqlx::query("INSERT INTO contacts(id, name, email, organisation) VALUES (?, ?, ?, ?)")
        .bind(c.id.to_string())
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.organisation)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn insert_category(conn: &mut SqliteConnection, c: &Category) -> Result<()> {
    sqlx::query("INSERT INTO categories(key, parent, name_en, name_fr, name_de, confidential) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&c.key)
        .bind(&c.parent)
        .bind(&c.name_en)
        .bind(&c.name_fr)
        .bind(&c.name_de)
        .bind(c.confidential as i64)
        .execute(conn)
        .await?;
    Ok(())
}

async fn user_by_login(conn: &mut SqliteConnection, login: &str) -> Result<Option<User>> {
    Ok(all_users(conn)
        .await?
        .into_iter()
        .find(|u| u.login == login))
}

pub(crate) async fn all_users(conn: &mut SqliteConnection) -> Result<Vec<User>> {
    let rows = sqlx::query("SELECT id, login, name, email, active FROM users ORDER BY login")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(User {
                id: parse_id(r.get("id"))?,
                login: r.get("login"),
                name: r.get("name"),
                email: r.get("email"),
                active: r.get::<i64, _>("active") != 0,
            })
        })
        .collect()
}

pub(crate) async fn all_teams(conn: &mut SqliteConnection) -> Result<Vec<Team>> {
    let rows = sqlx::query("SELECT id, name, lead FROM teams ORDER BY name")
        .fetch_all(&mut *conn)
        .await?;
    let members = sqlx::query("SELECT team_id, user_id FROM team_members ORDER BY user_id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let id: String = r.get("id");
            Ok(Team {
                id: parse_id(id.clone())?,
                name: r.get("name"),
                lead: r
                    .get::<Option<String>, _>("lead")
                    .map(parse_id)
                    .transpose()?,
                members: members
                    .iter()
                    .filter(|m| m.get::<String, _>("team_id") == id)
                    .map(|m| parse_id(m.get("user_id")))
                    .collect::<Result<_>>()?,
            })
        })
        .collect()
}

pub(crate) async fn all_contacts(conn: &mut SqliteConnection) -> Result<Vec<Contact>> {
    let rows = sqlx::query("SELECT id, name, email, organisation FROM contacts ORDER BY name")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Contact {
                id: parse_id::<ContactId>(r.get("id"))?,
                name: r.get("name"),
                email: r.get("email"),
                organisation: r.get("organisation"),
            })
        })
        .collect()
}

pub(crate) async fn all_categories(conn: &mut SqliteConnection) -> Result<Vec<Category>> {
    let rows = sqlx::query(
        "SELECT key, parent, name_en, name_fr, name_de, confidential FROM categories ORDER BY key",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Category {
            key: r.get("key"),
            parent: r.get("parent"),
            name_en: r.get("name_en"),
            name_fr: r.get("name_fr"),
            name_de: r.get("name_de"),
            confidential: r.get::<i64, _>("confidential") != 0,
        })
        .collect())
}

async fn category_keys(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT key FROM categories ORDER BY key")
            .fetch_all(conn)
            .await?,
    )
}

fn parse_id<T: std::str::FromStr>(s: String) -> Result<T> {
    s.parse()
        .map_err(|_| Error::Db(sqlx::Error::Decode(format!("unreadable id '{s}'").into())))
}
