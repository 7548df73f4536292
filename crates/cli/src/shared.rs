//! Shared mode on the command line: `guichet admin …`, `connect`, `sync`,
//! `sign-out`, `password`, and any other command with `--database-url`
//! (synced before, pushed after).

use crate::args::*;
use crate::exit;
use crate::output::Out;
use guichet_domain::DomainError;
use guichet_store::Store;
use guichet_sync::admin::{self, NewUser};
use guichet_sync::keychain;
use guichet_sync::{engine::redact_url, sync_once, Error, Server};
use std::io::BufRead;
use std::path::PathBuf;

pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Invalid(_) | Error::Refused(_) => exit::INVALID,
        Error::Forbidden(_) | Error::Login => exit::FORBIDDEN,
        Error::Offline(_) => exit::OFFLINE,
        Error::Store(s) => crate::run::exit_code(s),
        Error::Db(_) | Error::Keychain(_) => exit::FAILURE,
    }
}

pub fn print_error(e: &Error, json: bool) {
    if let Error::Store(s) = e {
        return crate::output::error(s, json);
    }
    if json {
        eprintln!(
            "{}",
            serde_json::json!({ "error": { "code": e.code(), "message": e.to_string() } })
        );
    } else {
        eprintln!("error: {e}");
    }
}

/// Whether this command line is for the shared mode.
pub fn wants(cli: &Cli) -> bool {
    cli.database_url.is_some()
        || matches!(
            cli.command,
            Command::Admin(_)
                | Command::Connect { .. }
                | Command::Sync { .. }
                | Command::SignOut
                | Command::Password { .. }
        )
}

fn need_url(cli: &Cli) -> Result<String, Error> {
    cli.database_url.clone().ok_or_else(|| {
        DomainError::invalid(
            "database_url",
            "is missing",
            "--database-url postgres://LOGIN@HOST:PORT/DATABASE (or GUICHET_DATABASE_URL)",
        )
        .into()
    })
}

fn read_line(field: &'static str) -> Result<String, Error> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::Keychain(format!("standard input: {e}")))?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        return Err(DomainError::invalid(field, "is empty", "one line on standard input").into());
    }
    Ok(p)
}

/// The data directory of --data-dir (or the default one) and the server
/// its replica syncs with.
async fn connected_server(cli: &Cli, accepted: &str) -> Result<(PathBuf, String), Error> {
    let dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(guichet_store::default_data_dir);
    let store = Store::open(&dir).await?;
    let url = store.sync_state("sync.server").await?;
    store.close().await;
    let url = url.ok_or_else(|| {
        Error::from(DomainError::invalid(
            "data directory",
            "is not connected to a server",
            accepted,
        ))
    })?;
    Ok((dir, url))
}

/// The password for a URL: in the URL, PGPASSWORD, or the keychain.
async fn password_for(url: &str) -> Result<Option<String>, Error> {
    if url_has_password(url) {
        return Ok(None);
    }
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Ok(Some(p));
    }
    keychain::os::get(keychain::account_for_url(url)?).await
}

fn url_has_password(url: &str) -> bool {
    redact_url(url) != url
}

/// The data directory of a replica used by `--database-url` without
/// `--data-dir`: one per login and server, in the user's cache directory.
fn replica_dir(cli: &Cli, url: &str) -> Result<PathBuf, Error> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    let o = guichet_sync::server_options(url, None)?;
    let name = format!(
        "{}@{}_{}_{}",
        o.get_username(),
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or("postgres")
    )
    .replace(['/', '\\', ':'], "_");
    let base = directories::ProjectDirs::from("", "", "guichet")
        .map(|p| p.cache_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir);
    Ok(base.join("replicas").join(name))
}

pub async fn run(cli: Cli) -> Result<(), Error> {
    let out = Out { json: cli.json };
    match cli.command {
        Command::Admin(ref cmd) => admin_cmd(&cli, cmd, out).await,
        Command::Connect {
            password_stdin,
            remember,
        } => {
            let url = need_url(&cli)?;
            let password = if password_stdin {
                Some(read_line("password")?)
            } else {
                password_for(&url).await?
            };
            let server = Server::connect(&url, password.as_deref()).await?;
            let dir = replica_dir(&cli, &url)?;
            let (store, report) = guichet_sync::connect_replica(&dir, &server, &url).await?;
            if remember {
                if let Some(p) = &password {
                    keychain::os::set(keychain::account_for_url(&url)?, p.clone()).await?;
                }
            }
            let tickets = store.ticket_ids().await?.len();
            out.done(&serde_json::json!({"data_dir": dir, "replica": store.replica().await?.to_string(), "tickets": tickets, "sync": report}), || {
                format!("{} is now a replica of {} ({tickets} tickets).", dir.display(), redact_url(&url))
            });
            store.close().await;
            server.close().await;
            Ok(())
        }
        Command::Sync { watch } => {
            let (store, server, _) = open_shared(&cli).await?;
            loop {
                let report = sync_once(&store, &server).await?;
                let pending = store.outbox_len().await?;
                out.done(&serde_json::json!({"sync": report, "pending": pending}), || {
                    format!(
                        "Pushed {}, pulled {}, refused {}, removed {} no longer visible; {pending} waiting.",
                        report.pushed, report.pulled, report.refused, report.forgotten
                    )
                });
                if !watch {
                    break;
                }
                let mut l = sqlx::postgres::PgListener::connect_with(server.pool()).await?;
                l.listen("guichet").await?;
                let _ = tokio::time::timeout(std::time::Duration::from_secs(30), l.recv()).await;
            }
            store.close().await;
            server.close().await;
            Ok(())
        }
        Command::SignOut => {
            let (_, url) = connected_server(&cli, "a replica made by `guichet connect`").await?;
            keychain::os::delete(keychain::account_for_url(&url)?).await?;
            out.done(&serde_json::json!({"signed_out": true}), || {
                "Signed out: the password is no longer kept.".into()
            });
            Ok(())
        }
        Command::Password { password_stdin } => {
            let (store, server, url) = open_shared(&cli).await?;
            let new = if password_stdin {
                read_line("password")?
            } else {
                return Err(DomainError::invalid(
                    "password",
                    "is missing",
                    "--password-stdin and the new password on standard input",
                )
                .into());
            };
            admin::change_own_password(server.pool(), &new).await?;
            let account = keychain::account_for_url(&url)?;
            if keychain::os::get(account.clone())
                .await
                .ok()
                .flatten()
                .is_some()
            {
                keychain::os::set(account, new.clone()).await?;
            }
            out.done(&serde_json::json!({"password_changed": true}), || {
                "Password changed.".into()
            });
            store.close().await;
            server.close().await;
            Ok(())
        }
        Command::Init { .. } | Command::Calendar(_) => Err(DomainError::invalid(
            "database_url",
            "is not used by this command",
            "`guichet connect` to make a replica; init and calendar are local",
        )
        .into()),
        _ => {
            // Any other command, as the user of --database-url.
            let (store, server, _) = open_shared(&cli).await?;
            sync_once(&store, &server).await?;
            let dir = store.dir().to_path_buf();
            let refused_before = store.refused().await?.len();
            let result = crate::run::command(&store, &dir, cli.command, out).await;
            let pushed = sync_once(&store, &server).await;
            let refused = store.refused().await?;
            store.close().await;
            server.close().await;
            result?;
            pushed?;
            if refused.len() > refused_before {
                let reasons: Vec<String> = refused[refused_before..]
                    .iter()
                    .map(|(_, r)| r.clone())
                    .collect();
                return Err(Error::Forbidden(format!(
                    "the server refused the change: {}",
                    reasons.join("; ")
                )));
            }
            Ok(())
        }
    }
}

/// The replica and a server connection for the user of --database-url, or
/// of the data directory's server (password from PGPASSWORD or the keychain).
async fn open_shared(cli: &Cli) -> Result<(Store, Server, String), Error> {
    let (url, dir) = match &cli.database_url {
        Some(u) => (u.clone(), replica_dir(cli, u)?),
        None => {
            let (dir, url) = connected_server(
                cli,
                "a replica made by `guichet connect`, or --database-url",
            )
            .await?;
            (url, dir)
        }
    };
    let password = password_for(&url).await?;
    let server = Server::connect(&url, password.as_deref()).await?;
    let store = match Store::open(&dir).await {
        Ok(s) if s.is_shared().await? => s,
        _ => guichet_sync::connect_replica(&dir, &server, &url).await?.0,
    };
    Ok((store, server, url))
}

async fn admin_cmd(cli: &Cli, cmd: &AdminCmd, out: Out) -> Result<(), Error> {
    let url = need_url(cli)?;
    let password = if url_has_password(&url) {
        None
    } else {
        std::env::var("PGPASSWORD").ok()
    };
    let pool = admin::connect(&url, password.as_deref()).await?;
    let result = async {
        match cmd {
            AdminCmd::Init {
                admin: login,
                name,
                password_stdin,
            } => {
                let pw = if *password_stdin {
                    Some(read_line("password")?)
                } else {
                    None
                };
                let r = admin::init(
                    &pool,
                    &NewUser {
                        login: login.clone(),
                        name: name.clone(),
                        email: None,
                        role: "admin".into(),
                        password: pw,
                        existing_role: false,
                    },
                )
                .await?;
                out.done(&r, || {
                    format!(
                        "Shared database ready (migrations applied: {:?}; administrator {}).",
                        r.applied,
                        if r.admin_created {
                            "created"
                        } else {
                            "already there"
                        }
                    )
                });
            }
            AdminCmd::User(AdminUserCmd::Add {
                login,
                name,
                email,
                role,
                password_stdin,
                existing_role,
            }) => {
                let pw = if *password_stdin {
                    Some(read_line("password")?)
                } else {
                    None
                };
                let u = admin::add_user(
                    &pool,
                    &NewUser {
                        login: login.clone(),
                        name: name.clone(),
                        email: email.clone(),
                        role: role.clone(),
                        password: pw,
                        existing_role: *existing_role,
                    },
                )
                .await?;
                out.done(
                    &serde_json::json!({"id": u.id, "login": u.login, "role": role}),
                    || format!("User {} added ({role}).", u.login),
                );
            }
            AdminCmd::User(AdminUserCmd::Disable { login }) => {
                admin::disable_user(&pool, login).await?;
                out.done(&serde_json::json!({"disabled": login}), || {
                    format!("User {login} disabled.")
                });
            }
            AdminCmd::User(AdminUserCmd::ResetPassword { login }) => {
                let pw = read_line("password")?;
                admin::reset_password(&pool, login, &pw).await?;
                out.done(&serde_json::json!({"password_reset": login}), || {
                    format!("Password of {login} set.")
                });
            }
            AdminCmd::User(AdminUserCmd::Role { login, role }) => {
                admin::set_role(&pool, login, role).await?;
                out.done(&serde_json::json!({"login": login, "role": role}), || {
                    format!("{login} is now {role}.")
                });
            }
            AdminCmd::Team(AdminTeamCmd::Add { name }) => {
                let t = admin::add_team(&pool, name).await?;
                out.done(&serde_json::json!({"id": t.id, "name": t.name}), || {
                    format!("Team {} added.", t.name)
                });
            }
            AdminCmd::Team(AdminTeamCmd::Member {
                team,
                login,
                remove,
            }) => {
                admin::set_member(&pool, team, login, !remove).await?;
                out.done(
                    &serde_json::json!({"team": team, "login": login, "member": !remove}),
                    || {
                        format!(
                            "{login} {} {team}.",
                            if *remove { "left" } else { "joined" }
                        )
                    },
                );
            }
            AdminCmd::Team(AdminTeamCmd::Lead { team, login }) => {
                let l = (login != "none").then_some(login.as_str());
                admin::set_lead(&pool, team, l).await?;
                out.done(&serde_json::json!({"team": team, "lead": l}), || {
                    format!("Lead of {team}: {login}.")
                });
            }
            AdminCmd::Confidential { category, team } => {
                let t = (team != "none").then_some(team.as_str());
                admin::set_confidential(&pool, category, t).await?;
                out.done(
                    &serde_json::json!({"category": category, "team": t}),
                    || match t {
                        Some(t) => format!("Category {category} is confidential to {t}."),
                        None => format!("Category {category} is no longer confidential."),
                    },
                );
            }
            AdminCmd::Import => {
                let dir = cli
                    .data_dir
                    .clone()
                    .unwrap_or_else(guichet_store::default_data_dir);
                let store = Store::open(&dir).await?;
                let r = admin::import_local(&pool, &store).await;
                store.close().await;
                let r = r?;
                out.done(&r, || {
                    format!(
                        "Imported {} events ({} already there), {} users, {} teams, {} attachment files{}.",
                        r.events,
                        r.already_present,
                        r.users,
                        r.teams,
                        r.files,
                        if r.files_failed > 0 {
                            format!(" ({} not uploaded: run the import again)", r.files_failed)
                        } else {
                            String::new()
                        }
                    )
                });
            }
        }
        Ok(())
    }
    .await;
    pool.close().await;
    result
}
