//! Provisioning of the shared database: schema, group roles, grants and
//! row-level security (`migrations/postgres/`), and the people, teams and
//! confidential categories. `init` runs as the server's superuser; the rest
//! as a Guichet administrator, whose login role gets no CREATEROLE: logins
//! are managed through narrow functions owned by a provisioning role.

use crate::server::{options, parse_id};
use crate::{ident, Error, Result};
use guichet_domain::{DomainError, Event, Team, User};
use guichet_store::{Record, Store};
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgConnection, PgPool, Row};

/// The schema's migrations, in order; `guichet.schema_migrations` records
/// which ran, so `init` can be run again after an upgrade.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        include_str!("../../../migrations/postgres/0001_shared.sql"),
    ),
    (
        2,
        include_str!("../../../migrations/postgres/0002_blobs.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/postgres/0003_fast_pull.sql"),
    ),
];

/// The roles a person can have (see the permission matrix in ARCHITECTURE).
pub const ROLES: &[&str] = &["admin", "lead", "staff", "requester"];

/// The group role names of one database.
#[derive(Debug, Clone)]
pub struct Groups {
    pub owner: String,
    pub users: String,
    pub admins: String,
    /// Owns the login-management functions; NOLOGIN, CREATEROLE.
    pub provisioner: String,
}

pub async fn groups(conn: &mut PgConnection) -> Result<Groups> {
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut *conn)
        .await?;
    Ok(Groups {
        owner: format!("{db}_owner"),
        users: format!("{db}_users"),
        admins: format!("{db}_admins"),
        provisioner: format!("{db}_provisioner"),
    })
}

pub async fn connect(url: &str, password: Option<&str>) -> Result<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options(url, password)?)
        .await?)
}

/// A person to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    /// None: the role authenticates otherwise (LDAP, certificate) or gets a
    /// password later.
    pub password: Option<String>,
    /// Use a login role that already exists on the server (made by the
    /// directory, LDAP): only its membership is granted.
    pub existing_role: bool,
}

/// What `init` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitReport {
    pub applied: Vec<i32>,
    pub admin_created: bool,
}

/// Creates (or upgrades) the schema and group roles, the default
/// categories and the first administrator. Running it again changes
/// nothing that is already there.
pub async fn init(pool: &PgPool, admin: &NewUser) -> Result<InitReport> {
    let mut conn = pool.acquire().await?;
    let g = groups(&mut conn).await?;
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *conn)
            .await?;
    if !superuser {
        return Err(Error::Forbidden(
            "admin init must run as the server's superuser (it creates the group roles and the login-management functions)".into(),
        ));
    }
    let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&mut *conn)
        .await?;
    if version < 150000 {
        return Err(DomainError::invalid(
            "server",
            format!("is PostgreSQL {}", version / 10000),
            "PostgreSQL 15 or later",
        )
        .into());
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    // One init at a time.
    sqlx::query("SELECT pg_advisory_xact_lock(4242)")
        .execute(&mut *tx)
        .await?;
    for (role, extra) in [
        (&g.owner, ""),
        (&g.users, ""),
        (&g.admins, ""),
        (&g.provisioner, " CREATEROLE"),
    ] {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(role)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            sqlx::query(&format!("CREATE ROLE {} NOLOGIN{extra}", ident(role)))
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query(&format!(
        "GRANT {} TO {}",
        ident(&g.users),
        ident(&g.admins)
    ))
    .execute(&mut *tx)
    .await?;
    // PostgreSQL 16 and later: the provisioner needs ADMIN OPTION on the
    // groups it grants.
    for group in [&g.users, &g.admins] {
        sqlx::query(&format!(
            "GRANT {} TO {} WITH ADMIN OPTION",
            ident(group),
            ident(&g.provisioner)
        ))
        .execute(&mut *tx)
        .await?;
    }
    let present: bool =
        sqlx::query_scalar("SELECT to_regclass('guichet.schema_migrations') IS NOT NULL")
            .fetch_one(&mut *tx)
            .await?;
    let done: Vec<i32> = if present {
        sqlx::query_scalar("SELECT version FROM guichet.schema_migrations")
            .fetch_all(&mut *tx)
            .await?
    } else {
        Vec::new()
    };
    let mut applied = Vec::new();
    let lit = |n: &str| format!("'{}'", n.replace('\'', "''"));
    for (version, sql) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        let sql = sql
            .replace("{owner_name}", &lit(&g.owner))
            .replace("{users_name}", &lit(&g.users))
            .replace("{admins_name}", &lit(&g.admins))
            .replace("{provisioner_name}", &lit(&g.provisioner))
            .replace("{owner}", &ident(&g.owner))
            .replace("{users}", &ident(&g.users))
            .replace("{admins}", &ident(&g.admins))
            .replace("{provisioner}", &ident(&g.provisioner));
        sqlx::raw_sql(&sql).execute(&mut *tx).await?;
        if *version == 1 {
            sqlx::raw_sql(&format!(
                "CREATE TABLE guichet.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
                 ALTER TABLE guichet.schema_migrations OWNER TO {};
                 GRANT SELECT ON guichet.schema_migrations TO {};",
                ident(&g.owner),
                ident(&g.users)
            ))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("INSERT INTO guichet.schema_migrations(version) VALUES ($1)")
            .bind(version)
            .execute(&mut *tx)
            .await?;
        applied.push(*version);
    }
    for c in guichet_domain::default_categories() {
        sqlx::query(
            "INSERT INTO guichet.categories(key, parent, name_en, name_fr, name_de, confidential) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&c.key)
        .bind(&c.parent)
        .bind(&c.name_en)
        .bind(&c.name_fr)
        .bind(&c.name_de)
        .bind(c.confidential)
        .execute(&mut *tx)
        .await?;
    }
    let has_admin: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM guichet.users WHERE login = $1)")
            .bind(&admin.login)
            .fetch_one(&mut *tx)
            .await?;
    if !has_admin {
        add_user_in(&mut tx, admin).await?;
    }
    tx.commit().await?;
    tracing::info!(applied = applied.len(), "shared database initialised");
    Ok(InitReport {
        applied,
        admin_created: !has_admin,
    })
}

/// Adds a person: their login role (member of the database's user group,
/// and of its administrators for `admin`) and their directory entry.
pub async fn add_user(pool: &PgPool, u: &NewUser) -> Result<User> {
    let mut conn = pool.acquire().await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let user = add_user_in(&mut tx, u).await?;
    tx.commit().await?;
    Ok(user)
}

async fn add_user_in(conn: &mut PgConnection, u: &NewUser) -> Result<User> {
    let user = User::new(&u.login, &u.name, u.email.as_deref())?;
    check_role(&u.role)?;
    if let Some(p) = &u.password {
        check_password(p)?;
    }
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(&user.login)
            .fetch_one(&mut *conn)
            .await?;
    let known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM guichet.users WHERE login = $1)")
            .bind(&user.login)
            .fetch_one(&mut *conn)
            .await?;
    if known {
        return Err(DomainError::invalid(
            "login",
            format!("'{}' is already a Guichet user", user.login),
            "a login not yet taken",
        )
        .into());
    }
    if exists && !u.existing_role {
        return Err(DomainError::invalid(
            "login",
            format!("a database role '{}' already exists", user.login),
            "a new login, or --existing-role to use the role the directory (LDAP) made",
        )
        .into());
    }
    sqlx::query("SELECT guichet.provision_login($1, $2, true)")
        .bind(&user.login)
        .bind(&u.password)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO guichet.users(id, login, name, email, active, role) VALUES ($1::uuid, $2, $3, $4, true, $5)",
    )
    .bind(user.id.to_string())
    .bind(&user.login)
    .bind(&user.name)
    .bind(&user.email)
    .bind(&u.role)
    .execute(&mut *conn)
    .await?;
    if u.role == "admin" {
        sqlx::query("SELECT guichet.provision_admin($1, true)")
            .bind(&user.login)
            .execute(&mut *conn)
            .await?;
    }
    tracing::info!(role = %u.role, "user added");
    Ok(user)
}

fn check_role(role: &str) -> Result<()> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(
            DomainError::invalid("role", format!("'{role}' is not a role"), ROLES.join(", "))
                .into(),
        )
    }
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < 12 {
        return Err(
            DomainError::invalid("password", "is too short", "at least 12 characters").into(),
        );
    }
    Ok(())
}

async fn require_user(conn: &mut PgConnection, login: &str) -> Result<uuid::Uuid> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id::text FROM guichet.users WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *conn)
            .await?;
    let id = id.ok_or_else(|| {
        Error::from(DomainError::invalid(
            "login",
            format!("'{login}' is not a Guichet user"),
            "the login of a user added with `guichet admin user add`",
        ))
    })?;
    parse_id(&id)
}

/// Sets a new password (an administrator, for anyone of this database).
/// The server hashes it (SCRAM-SHA-256 by default since PostgreSQL 14).
pub async fn reset_password(pool: &PgPool, login: &str, password: &str) -> Result<()> {
    check_password(password)?;
    let mut conn = pool.acquire().await?;
    require_user(&mut conn, login).await?;
    sqlx::query("SELECT guichet.provision_password($1, $2)")
        .bind(login)
        .bind(password)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Changes the connected user's own password (every role may).
pub async fn change_own_password(pool: &PgPool, password: &str) -> Result<()> {
    check_password(password)?;
    let mut conn = pool.acquire().await?;
    let sql: String =
        sqlx::query_scalar("SELECT format('ALTER ROLE %I PASSWORD %L', session_user, $1::text)")
            .bind(password)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query(&sql).execute(&mut *conn).await?;
    Ok(())
}

/// Disables a person: they can no longer log in, and see nothing even
/// through a session still open. Their history stays.
pub async fn disable_user(pool: &PgPool, login: &str) -> Result<()> {
    let mut conn = pool.acquire().await?;
    require_user(&mut conn, login).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    sqlx::query("UPDATE guichet.users SET active = false WHERE login = $1")
        .bind(login)
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT guichet.provision_disable($1)")
        .bind(login)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_role(pool: &PgPool, login: &str, role: &str) -> Result<()> {
    check_role(role)?;
    let mut conn = pool.acquire().await?;
    require_user(&mut conn, login).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    sqlx::query("UPDATE guichet.users SET role = $2 WHERE login = $1")
        .bind(login)
        .bind(role)
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT guichet.provision_admin($1, $2)")
        .bind(login)
        .bind(role == "admin")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_team(pool: &PgPool, name: &str) -> Result<Team> {
    let team = Team::new(name)?;
    let done = sqlx::query(
        "INSERT INTO guichet.teams(id, name) VALUES ($1::uuid, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(team.id.to_string())
    .bind(&team.name)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(DomainError::invalid(
            "team",
            format!("'{name}' already exists"),
            "a new team name",
        )
        .into());
    }
    Ok(team)
}

async fn require_team(conn: &mut PgConnection, name: &str) -> Result<uuid::Uuid> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id::text FROM guichet.teams WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
    let id = id.ok_or_else(|| {
        Error::from(DomainError::invalid(
            "team",
            format!("'{name}' is unknown"),
            "the name of a team made with `guichet admin team add`",
        ))
    })?;
    parse_id(&id)
}

pub async fn set_member(pool: &PgPool, team: &str, login: &str, member: bool) -> Result<()> {
    let mut conn = pool.acquire().await?;
    let t = require_team(&mut conn, team).await?;
    let u = require_user(&mut conn, login).await?;
    let sql = if member {
        "INSERT INTO guichet.team_members(team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM guichet.team_members WHERE team_id = $1 AND user_id = $2"
    };
    sqlx::query(sql).bind(t).bind(u).execute(&mut *conn).await?;
    Ok(())
}

pub async fn set_lead(pool: &PgPool, team: &str, login: Option<&str>) -> Result<()> {
    let mut conn = pool.acquire().await?;
    let t = require_team(&mut conn, team).await?;
    let u = match login {
        Some(l) => Some(require_user(&mut conn, l).await?),
        None => None,
    };
    sqlx::query("UPDATE guichet.teams SET lead = $2 WHERE id = $1")
        .bind(t)
        .bind(u)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes a category confidential to a team (or ordinary again with None).
pub async fn set_confidential(pool: &PgPool, key: &str, team: Option<&str>) -> Result<()> {
    let mut conn = pool.acquire().await?;
    let t = match team {
        Some(n) => Some(require_team(&mut conn, n).await?),
        None => None,
    };
    let done =
        sqlx::query("UPDATE guichet.categories SET confidential = $2, team = $3 WHERE key = $1")
            .bind(key)
            .bind(t.is_some())
            .bind(t)
            .execute(&mut *conn)
            .await?;
    if done.rows_affected() == 0 {
        return Err(DomainError::invalid(
            "category",
            format!("'{key}' is unknown"),
            "a category key of this database",
        )
        .into());
    }
    Ok(())
}

/// What an import of a local store wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub users: usize,
    pub teams: usize,
    pub categories: usize,
    pub contacts: usize,
    pub events: usize,
    pub already_present: usize,
    /// Attachment files uploaded (or already on the server).
    pub files: usize,
    /// Attachment files that could not be uploaded (run the import again).
    pub files_failed: usize,
}

/// Imports a local (SQLite) Guichet into the shared database, history
/// included, in one transaction, then uploads its attachment files (each
/// resumable; running the import again finishes what was cut). Users get a login role without password
/// (an administrator gives them one with `admin user reset-password`).
/// Running it again imports nothing twice.
pub async fn import_local(pool: &PgPool, store: &Store) -> Result<ImportReport> {
    let mut buf = Vec::new();
    store.export(&mut buf, guichet_store::Format::Jsonl).await?;
    let mut report = ImportReport::default();
    let mut conn = pool.acquire().await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let mut events: Vec<Event> = Vec::new();
    for line in buf.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let rec: Record = serde_json::from_slice(line)
            .map_err(|e| Error::Refused(format!("export line unreadable: {e}")))?;
        match rec {
            Record::Header { .. } => {}
            Record::Category(c) => {
                let done = sqlx::query(
                    "INSERT INTO guichet.categories(key, parent, name_en, name_fr, name_de, confidential) \
                     VALUES ($1, $2, $3, $4, $5, false) ON CONFLICT (key) DO NOTHING",
                )
                .bind(&c.key)
                .bind(&c.parent)
                .bind(&c.name_en)
                .bind(&c.name_fr)
                .bind(&c.name_de)
                .execute(&mut *tx)
                .await?;
                report.categories += done.rows_affected() as usize;
            }
            Record::User(u) => {
                let known: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM guichet.users WHERE id = $1::uuid)",
                )
                .bind(u.id.to_string())
                .fetch_one(&mut *tx)
                .await?;
                if known {
                    continue;
                }
                sqlx::query("SELECT guichet.provision_login($1, NULL, false)")
                    .bind(&u.login)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO guichet.users(id, login, name, email, active, role) VALUES ($1::uuid, $2, $3, $4, $5, 'staff')")
                    .bind(u.id.to_string())
                    .bind(&u.login)
                    .bind(&u.name)
                    .bind(&u.email)
                    .bind(u.active)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match Error::from(e) {
                        Error::Refused(_) => Error::from(DomainError::invalid(
                            "login",
                            format!("'{}' is already used by another user of the server", u.login),
                            "logins not yet taken on the server",
                        )),
                        other => other,
                    })?;
                report.users += 1;
            }
            Record::Team(t) => {
                let done = sqlx::query("INSERT INTO guichet.teams(id, name, lead) VALUES ($1::uuid, $2, $3::uuid) ON CONFLICT DO NOTHING")
                    .bind(t.id.to_string())
                    .bind(&t.name)
                    .bind(t.lead.map(|l| l.to_string()))
                    .execute(&mut *tx)
                    .await?;
                report.teams += done.rows_affected() as usize;
                for m in &t.members {
                    sqlx::query("INSERT INTO guichet.team_members(team_id, user_id) VALUES ($1::uuid, $2::uuid) ON CONFLICT DO NOTHING")
                        .bind(t.id.to_string())
                        .bind(m.to_string())
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Record::Contact(c) => {
                let done = sqlx::query("INSERT INTO guichet.contacts(id, name, email, organisation) VALUES ($1::uuid, $2, $3, $4) ON CONFLICT DO NOTHING")
                    .bind(c.id.to_string())
                    .bind(&c.name)
                    .bind(&c.email)
                    .bind(&c.organisation)
                    .execute(&mut *tx)
                    .await?;
                report.contacts += done.rows_affected() as usize;
            }
            Record::Event(e) => events.push(e),
        }
    }
    // Per ticket, creation first and then clock order, as replicas apply.
    events.sort_by(|a, b| {
        (
            a.ticket,
            !matches!(a.kind, guichet_domain::EventKind::Created(_)),
            a.hlc,
        )
            .cmp(&(
                b.ticket,
                !matches!(b.kind, guichet_domain::EventKind::Created(_)),
                b.hlc,
            ))
    });
    for e in &events {
        let row = sqlx::query(
            "SELECT guichet.import_event($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb)",
        )
        .bind(e.id.to_string())
        .bind(e.ticket.to_string())
        .bind(e.actor.to_string())
        .bind(e.hlc.to_string())
        .bind(e.at)
        .bind(e.kind.name())
        .bind(serde_json::to_string(&e.kind).expect("events serialise"))
        .fetch_one(&mut *tx)
        .await?;
        if row.get::<bool, _>(0) {
            report.events += 1;
        } else {
            report.already_present += 1;
        }
    }
    tx.commit().await?;
    for sha in store.local_blobs().await? {
        match crate::blobs::upload(store, pool, &sha).await {
            Ok(crate::blobs::Up::Done) => report.files += 1,
            Ok(_) => report.files_failed += 1,
            Err(e) if e.is_offline() => return Err(e),
            Err(e) => {
                tracing::warn!(code = e.code(), "an attachment file was not uploaded");
                report.files_failed += 1;
            }
        }
    }
    tracing::info!(
        events = report.events,
        files = report.files,
        "local store imported into the shared database"
    );
    Ok(report)
}
