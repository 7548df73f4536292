//! Carrying out a parsed command against the store.

use crate::args::*;
use crate::exit;
use crate::output::Out;
use guichet_domain::{
    parse_date, Category, Contact, DomainError, Edit, LinkKind, NewTicket, Party, Priority, Status,
    Team, User, UserId, Visibility,
};
use guichet_store::{Error, Format, ListQuery, Sort, Store, View};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Invalid(_)
        | Error::Unknown { .. }
        | Error::Conflict { .. }
        | Error::Attachment(_) => exit::INVALID,
        Error::NotFound { .. } => exit::NOT_FOUND,
        Error::NotInitialized(_) | Error::Corrupt { .. } => exit::DATA,
        Error::Import(_) => exit::IMPORT_REJECTED,
        Error::Io { .. } | Error::Db(_) => exit::FAILURE,
    }
}

fn data_dir(cli: &Cli) -> PathBuf {
    cli.data_dir
        .clone()
        .unwrap_or_else(guichet_store::default_data_dir)
}

pub async fn run(cli: Cli) -> Result<(), Error> {
    let dir = data_dir(&cli);
    let out = Out { json: cli.json };
    if let Command::Calendar(cmd) = &cli.command {
        return calendar(cmd, out);
    }
    if let Command::Init { login, name } = &cli.command {
        // Check the local user first: `Store::init` creates the directory and
        // the database before it looks at the login, so a refused login would
        // otherwise leave a half-made data directory behind.
        User::new(login, name.as_deref().unwrap_or(login), None)?;
        let store = Store::init(&dir, login, name.as_deref().unwrap_or(login)).await?;
        let result = async {
            let me = store.user(&store.local_user().await?.to_string()).await?;
            out.done(&serde_json::json!({ "data_dir": dir, "replica": store.replica().await?.to_string(), "user": me.login }), || {
                format!("Guichet is ready in {} (user {}).", dir.display(), me.login)
            });
            Ok(())
        }
        .await;
        store.close().await;
        return result;
    }
    let store = Store::open(&dir).await?;
    let result = command(&store, &dir, cli.command, out).await;
    // Closing the pool lets SQLite checkpoint the write-ahead log into the
    // database file and remove it; without it the last writes may stay in
    // guichet.sqlite3-wal after the process exits.
    store.close().await;
    result
}

pub(crate) async fn command(
    store: &Store,
    dir: &Path,
    command: Command,
    out: Out,
) -> Result<(), Error> {
    let me = store.local_user().await?;
    match command {
        Command::Init { .. } | Command::Calendar(_) => unreachable!("handled above"),
        Command::Admin(_)
        | Command::Connect { .. }
        | Command::Sync { .. }
        | Command::SignOut
        | Command::Password { .. } => unreachable!("shared mode, handled in shared.rs"),
        Command::Ticket(cmd) => ticket(store, me, cmd, out).await?,
        Command::Deadlines(DeadlinesCmd::Ics {
            assignee,
            team,
            days,
        }) => deadlines_ics(store, assignee, team, days).await?,
        Command::User(cmd) => match cmd {
            UserCmd::Add { login, name, email } => {
                let u = User::new(&login, &name, email.as_deref())?;
                store.add_user(&u).await?;
                out.done(&u, || format!("User {} added.", u.login));
            }
            UserCmd::List => out.users(&store.users().await?),
            UserCmd::Disable { login } => {
                store.set_user_active(&login, false).await?;
                out.done(
                    &serde_json::json!({"login": login, "active": false}),
                    || format!("User {login} disabled."),
                );
            }
            UserCmd::Enable { login } => {
                store.set_user_active(&login, true).await?;
                out.done(&serde_json::json!({"login": login, "active": true}), || {
                    format!("User {login} enabled.")
                });
            }
        },
        Command::Team(cmd) => match cmd {
            TeamCmd::Add { name } => {
                let t = Team::new(&name)?;
                store.add_team(&t).await?;
                out.done(&t, || format!("Team {} added.", t.name));
            }
            TeamCmd::List => out.teams(&store.teams().await?, &store.users().await?),
            TeamCmd::AddMember { team, login } => {
                membership(store, &team, &login, true, out).await?
            }
            TeamCmd::RemoveMember { team, login } => {
                membership(store, &team, &login, false, out).await?
            }
            TeamCmd::Lead { team, login } => {
                let t = store.team(&team).await?;
                let lead = store
                    .resolve_user("lead", &login, "a user's login, me or none")
                    .await?;
                store.set_team_lead(t.id, lead).await?;
                out.done(
                    &serde_json::json!({"team": t.name, "lead": lead.map(|_| login.clone())}),
                    || match lead {
                        Some(_) => format!("{login} leads team {}.", t.name),
                        None => format!("Team {} has no lead.", t.name),
                    },
                );
            }
        },
        Command::Category(cmd) => match cmd {
            CategoryCmd::Add {
                key,
                en,
                fr,
                de,
                confidential,
            } => {
                let mut c = Category::new(&key, &en, &fr, &de)?;
                c.confidential = confidential;
                store.add_category(&c).await?;
                out.done(&c, || format!("Category {} added.", c.key));
            }
            CategoryCmd::List => out.categories(&store.categories().await?),
        },
        Command::Contact(cmd) => match cmd {
            ContactCmd::Add {
                name,
                email,
                organisation,
            } => {
                let c = Contact::new(&name, email.as_deref(), organisation.as_deref())?;
                store.add_contact(&c).await?;
                out.done(&c, || format!("Contact {} added.", c.name));
            }
            ContactCmd::List => out.contacts(&store.contacts().await?),
        },
        Command::Import { file, format } => {
            let f = std::fs::File::open(&file).map_err(|e| Error::Io {
                path: file.clone(),
                source: e,
            })?;
            let format = format
                .map(to_format)
                .unwrap_or_else(|| Format::from_path(&file));
            let report = store
                .import(&mut std::io::BufReader::new(f), format)
                .await?;
            out.done(&report, || {
                format!(
                    "Imported {} tickets, {} events, {} users, {} teams, {} contacts, {} categories ({} events were already present).",
                    report.tickets, report.events, report.users, report.teams, report.contacts, report.categories, report.already_present
                )
            });
        }
        Command::Export { file, format } => {
            let format = format.map(to_format).unwrap_or_else(|| {
                file.as_deref()
                    .map(Format::from_path)
                    .unwrap_or(Format::Jsonl)
            });
            match file.filter(|f| f.as_os_str() != "-") {
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = std::io::BufWriter::new(stdout.lock());
                    store.export(&mut lock, format).await?;
                    lock.flush().map_err(|e| Error::Io {
                        path: "standard output".into(),
                        source: e,
                    })?;
                }
                Some(path) => {
                    // Written beside the target and renamed, so a failed export never leaves half a file.
                    let tmp = path.with_extension("partial");
                    let f = std::fs::File::create(&tmp).map_err(|e| Error::Io {
                        path: tmp.clone(),
                        source: e,
                    })?;
                    let mut w = std::io::BufWriter::new(f);
                    let n = store.export(&mut w, format).await?;
                    w.flush().map_err(|e| Error::Io {
                        path: tmp.clone(),
                        source: e,
                    })?;
                    std::fs::rename(&tmp, &path).map_err(|e| Error::Io {
                        path: path.clone(),
                        source: e,
                    })?;
                    out.done(&serde_json::json!({"file": path, "records": n}), || {
                        format!("Exported {n} records to {}.", path.display())
                    });
                }
            }
        }
        Command::Config(ConfigCmd::Get) => {
            let max = store.attachment_max_bytes().await?;
            out.done(&serde_json::json!({"attachment-max-bytes": max}), || {
                format!("attachment-max-bytes = {max}")
            });
        }
        Command::Config(ConfigCmd::Set { key, value }) => {
            if key != "attachment-max-bytes" {
                return Err(DomainError::invalid(
                    "key",
                    format!("'{key}' is unknown"),
                    "attachment-max-bytes",
                )
                .into());
            }
            let bytes: u64 = value.parse().map_err(|_| {
                DomainError::invalid(
                    "attachment-max-bytes",
                    format!("'{value}' is not a number"),
                    "a size in bytes, such as 26214400",
                )
            })?;
            store.set_attachment_max_bytes(bytes).await?;
            out.done(
                &serde_json::json!({ "attachment-max-bytes": bytes }),
                || format!("attachment-max-bytes = {bytes}"),
            );
        }
        Command::Demo {
            tickets,
            events,
            seed,
        } => {
            let data = guichet_store::demo_jsonl(seed, tickets, events.max(1));
            let report = store.import(&mut &data[..], Format::Jsonl).await?;
            out.done(&report, || {
                format!(
                    "Loaded a demo firm: {} tickets, {} events.",
                    report.tickets, report.events
                )
            });
        }
        Command::Check => {
            store.check_integrity().await?;
            out.done(&serde_json::json!({"ok": true}), || {
                "The database file is sound.".to_string()
            });
        }
        Command::Status => {
            let (tickets, events) = store.counts().await?;
            let replica = store.replica().await?.to_string();
            out.done(&serde_json::json!({"data_dir": dir, "replica": replica, "tickets": tickets, "events": events}), || {
                format!("Data directory: {}\nReplica: {replica}\nTickets: {tickets}\nEvents: {events}", dir.display())
            });
        }
    }
    Ok(())
}

fn to_format(f: FormatArg) -> Format {
    match f {
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
    }
}

async fn membership(
    store: &Store,
    team: &str,
    login: &str,
    add: bool,
    out: Out,
) -> Result<(), Error> {
    let t = store.team(team).await?;
    let u = store.user(login).await?;
    store.set_membership(t.id, u.id, add).await?;
    out.done(
        &serde_json::json!({"team": t.name, "login": u.login, "member": add}),
        || {
            format!(
                "{} {} team {}.",
                u.login,
                if add { "joined" } else { "left" },
                t.name
            )
        },
    );
    Ok(())
}

/// A login, `me`, or `none`.
async fn assignee(store: &Store, s: &str) -> Result<Option<UserId>, Error> {
    store
        .resolve_user(
            "assignee",
            s,
            "a user's login, `me` or `none` (see `guichet user list`)",
        )
        .await
}

/// A user's login or a contact's name or id.
async fn requester(store: &Store, s: &str) -> Result<Option<Party>, Error> {
    store
        .resolve_requester(
            s,
            "a user's login or a contact's name (see `guichet user list`, `guichet contact list`)",
        )
        .await
}

async fn ticket(store: &Store, me: UserId, cmd: TicketCmd, out: Out) -> Result<(), Error> {
    match cmd {
        TicketCmd::New(a) => {
            let input = NewTicket {
                title: a.title,
                description: a.description,
                category: a.category,
                priority: a
                    .priority
                    .as_deref()
                    .map(str::parse::<Priority>)
                    .transpose()?,
                assignee: match &a.assignee {
                    Some(s) => assignee(store, s).await?,
                    None => None,
                },
                team: match &a.team {
                    Some(t) => Some(store.team(t).await?.id),
                    None => None,
                },
                requester: match &a.requester {
                    Some(r) => requester(store, r).await?,
                    None => None,
                },
                matter: a.matter,
                due: a.due.as_deref().map(|d| parse_date("due", d)).transpose()?,
                tags: a.tags,
            };
            let t = store.create_ticket(me, input).await?;
            out.done(&t, || format!("Created {}: {}", t.reference, t.title));
        }
        TicketCmd::List(a) => {
            let today = chrono::Local::now().date_naive();
            let mut q = match &a.view {
                Some(v) => View::parse(v)?.query(me, today),
                None => ListQuery::default(),
            };
            if !a.statuses.is_empty() {
                q.statuses = a
                    .statuses
                    .iter()
                    .map(|s| s.parse::<Status>())
                    .collect::<Result<_, _>>()?;
            }
            if !a.priorities.is_empty() {
                q.priorities = a
                    .priorities
                    .iter()
                    .map(|s| s.parse::<Priority>())
                    .collect::<Result<_, _>>()?;
            }
            if let Some(s) = &a.assignee {
                q.assignee = Some(assignee(store, s).await?);
            }
            if let Some(t) = &a.team {
                q.team = Some(store.team(t).await?.id);
            }
            if let Some(c) = &a.category {
                q.category = Some(guichet_domain::check_category_key(c)?);
            }
            if let Some(r) = &a.requester {
                q.requester = match requester(store, r).await? {
                    Some(Party::User(u)) => Some(u.to_string()),
                    Some(Party::Contact(c)) => Some(c.to_string()),
                    None => None,
                };
            }
            q.tag = a.tag.clone();
            if let Some(d) = &a.due_from {
                q.due_from = Some(parse_date("due-from", d)?);
            }
            if let Some(d) = &a.due_to {
                q.due_to = Some(parse_date("due-to", d)?);
            }
            if a.view.is_none() || !matches!(a.sort, SortArg::Updated) {
                q.sort = match a.sort {
                    SortArg::Updated => Sort::Updated,
                    SortArg::Created => Sort::Created,
                    SortArg::Due => Sort::Due,
                    SortArg::Priority => Sort::Priority,
                };
            }
            q.limit = a.limit;
            q.offset = a.offset;
            out.tickets(&store.list(&q).await?);
        }
        TicketCmd::Show { reference } => {
            let t = store.ticket(&reference).await?;
            let comments = store.comments(&reference).await?;
            out.ticket(store, &t, &comments).await?;
        }
        TicketCmd::Edit(a) => {
            let mut edits = Vec::new();
            if let Some(v) = a.title {
                edits.push(Edit::Title(v));
            }
            if let Some(v) = a.description {
                edits.push(Edit::Description(v));
            }
            if let Some(v) = a.category {
                edits.push(Edit::Category(v));
            }
            if let Some(v) = a.priority {
                edits.push(Edit::Priority(v.parse()?));
            }
            if let Some(v) = a.matter {
                edits.push(Edit::Matter(Some(v)));
            }
            if let Some(v) = a.due {
                edits.push(Edit::Due(if v.trim() == "none" {
                    None
                } else {
                    Some(parse_date("due", &v)?)
                }));
            }
            if let Some(v) = a.requester {
                edits.push(Edit::Requester(requester(store, &v).await?));
            }
            let mut watch = Vec::new();
            for (logins, add) in [(&a.watch, true), (&a.unwatch, false)] {
                for l in logins {
                    watch.push((
                        assignee(store, l).await?.ok_or_else(|| {
                            DomainError::invalid(
                                "watch",
                                "'none' is not a user",
                                "a user's login or `me`",
                            )
                        })?,
                        add,
                    ));
                }
            }
            // Check every tag before writing any, so a bad one leaves the ticket as it was.
            for t in a.add_tags.iter().chain(&a.remove_tags) {
                guichet_domain::EventKind::tag(true, t)?;
            }
            let mut t = store.edit_ticket(me, &a.reference, edits).await?;
            for tag in &a.add_tags {
                t = store.tag(me, &a.reference, true, tag).await?;
            }
            for tag in &a.remove_tags {
                t = store.tag(me, &a.reference, false, tag).await?;
            }
            for (u, add) in watch {
                t = store.watch(me, &a.reference, add, u).await?;
            }
            out.done(&t, || format!("Updated {}.", t.reference));
        }
        TicketCmd::Status { reference, status } => {
            let t = store
                .edit_ticket(me, &reference, vec![Edit::Status(status.parse()?)])
                .await?;
            out.done(&t, || format!("{} is now {}.", t.reference, t.status));
        }
        TicketCmd::Assign {
            reference,
            user,
            team,
        } => {
            if user.is_none() && team.is_none() {
                return Err(DomainError::invalid(
                    "assignee",
                    "nothing to assign",
                    "a user's login, `me` or `none`, and/or --team NAME",
                )
                .into());
            }
            let mut edits = Vec::new();
            if let Some(u) = &user {
                edits.push(Edit::Assignee(assignee(store, u).await?));
            }
            if let Some(tm) = &team {
                edits.push(Edit::Team(if tm == "none" {
                    None
                } else {
                    Some(store.team(tm).await?.id)
                }));
            }
            let t = store.edit_ticket(me, &reference, edits).await?;
            out.done(&t, || format!("{} assigned.", t.reference));
        }
        TicketCmd::Comment { reference, text } => {
            let e = store
                .comment(me, &reference, Visibility::Reply, &text)
                .await?;
            out.done(&e, || format!("Reply added to {reference}."));
        }
        TicketCmd::Note { reference, text } => {
            let e = store
                .comment(me, &reference, Visibility::Internal, &text)
                .await?;
            out.done(&e, || format!("Internal note added to {reference}."));
        }
        TicketCmd::Attach { reference, file } => {
            let a = store.attach(me, &reference, &file).await?;
            out.done(&a, || {
                format!("Attached {} ({} bytes) to {reference}.", a.name, a.size)
            });
        }
        TicketCmd::Link {
            reference,
            kind,
            target,
            remove,
        } => {
            let kind: LinkKind = kind.parse()?;
            let t = store.link(me, &reference, kind, &target, !remove).await?;
            out.done(&t, || {
                format!(
                    "{} {} {kind} {target}.",
                    t.reference,
                    if remove { "no longer" } else { "now" }
                )
            });
        }
        TicketCmd::Search { query, limit } => out.tickets(&store.search(&query, limit).await?),
        TicketCmd::History { reference } => {
            let events = store.history(&reference).await?;
            out.history(store, &events).await?;
        }
    }
    Ok(())
}

/// `guichet calendar …`: computed from the rules alone, no data directory.
fn calendar(cmd: &CalendarCmd, out: Out) -> Result<(), Error> {
    use guichet_calendar::{Calendar, CalendarError, Country};
    let invalid =
        |e: CalendarError| Error::Invalid(DomainError::invalid(e.field, e.problem, e.accepted));
    let open = |country: &str, region: &Option<String>| -> Result<Calendar, Error> {
        let country: Country = country.parse().map_err(invalid)?;
        Calendar::new(country, region.as_deref()).map_err(invalid)
    };
    match cmd {
        CalendarCmd::Holidays {
            country,
            region,
            year,
        } => {
            let cal = open(country, region)?;
            let days = cal.holidays(*year).map_err(invalid)?;
            out.done(&days, || {
                days.iter()
                    .map(|h| format!("{}  {}  {}", h.date, h.date.format("%a"), h.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        CalendarCmd::Deadline {
            country,
            region,
            date,
        } => {
            let cal = open(country, region)?;
            let date = parse_date("date", date)?;
            let deadline = cal.roll_forward(date);
            // What the deadline was moved over: weekend days and holidays.
            let skipped: Vec<serde_json::Value> = date
                .iter_days()
                .take_while(|d| *d < deadline)
                .map(|d| match cal.holiday(d) {
                    Some(h) => serde_json::json!({"date": d, "reason": h.key, "name": h.name}),
                    None => serde_json::json!({"date": d, "reason": "weekend"}),
                })
                .collect();
            let value = serde_json::json!({
                "date": date,
                "deadline": deadline,
                "moved": deadline != date,
                "skipped": skipped,
            });
            out.done(&value, || {
                if deadline == date {
                    format!("{date} is a working day: the deadline stays {date}.")
                } else {
                    format!(
                        "{date} is not a working day: the deadline moves to {deadline} ({}).",
                        deadline.format("%A")
                    )
                }
            });
        }
    }
    Ok(())
}

/// The open tickets' deadlines as an iCalendar feed, on standard output.
async fn deadlines_ics(
    store: &Store,
    assignee: Option<String>,
    team: Option<String>,
    days: u32,
) -> Result<(), Error> {
    if !(1..=3660).contains(&days) {
        return Err(
            DomainError::invalid("days", format!("{days} is out of range"), "1 to 3660").into(),
        );
    }
    let cfg = match store.setting("time.config").await? {
        Some(json) => guichet_sla::TimeConfig::from_json(&json).map_err(|e| {
            DomainError::invalid(
                "time.config",
                e.to_string(),
                "valid time settings (see the desktop's Settings)",
            )
        })?,
        None => guichet_sla::TimeConfig::default(),
    };
    let cal = cfg
        .calendar_for(None)
        .map_err(|e| DomainError::invalid("time.config", e.to_string(), "a valid calendar"))?;
    let today = cal.local_date(chrono::Utc::now());
    let mut q = ListQuery {
        statuses: Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect(),
        due_to: Some(today + chrono::Duration::days(days as i64)),
        sort: Sort::Due,
        limit: 10_000,
        ..ListQuery::default()
    };
    let mut name = "Guichet".to_string();
    if let Some(a) = assignee.as_deref() {
        q.assignee = Some(
            store
                .resolve_user("assignee", a, "a user's login or me")
                .await?,
        );
        name = format!("Guichet: {a}");
    }
    if let Some(t) = team.as_deref() {
        q.team = Some(store.team(t).await?.id);
        name = format!("Guichet: {t}");
    }
    let items: Vec<guichet_sla::IcsDeadline> = store
        .list(&q)
        .await?
        .into_iter()
        .filter_map(|t| {
            let due = t.due?;
            Some(guichet_sla::IcsDeadline {
                ticket_id: t.id,
                reference: t.reference,
                title: t.title,
                due,
                effective: cal.effective_deadline(due),
            })
        })
        .collect();
    let text = guichet_sla::ics(&name, &items, chrono::Utc::now());
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("standard output", e))?;
    Ok(())
}
