//! A real PostgreSQL for each test: a database of its own on the server
//! named by DATABASE_URL (./test.sh starts a private one), initialised by
//! `admin::init`, and login roles with unique names (roles are per server).
#![allow(dead_code)]

use guichet_domain::{NewTicket, Ticket, User};
use guichet_store::Store;
use guichet_sync::admin::{self, NewUser};
use guichet_sync::Server;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::path::PathBuf;
use std::str::FromStr;

pub const PASSWORD: &str = "correct-horse-battery";

pub fn server_url() -> String {
    std::env::var("DATABASE_URL").expect(
        "DATABASE_URL must name a PostgreSQL 15+ server where this login may create databases and roles; ./test.sh starts one",
    )
}

pub struct TestDb {
    pub name: String,
    pub prefix: String,
    base: PgConnectOptions,
    pub admin_pool: PgPool,
    pub admin: String,
    roles: Vec<String>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        TestDb::on(&server_url()).await
    }

    /// A test database on the server of this superuser URL.
    pub async fn on(url: &str) -> TestDb {
        let base = PgConnectOptions::from_str(url).expect("the server URL parses");
        let id = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("gt_{}", &id[..12]);
        let prefix = format!("t{}", &id[..8]);
        let mut c = base.connect().await.expect("connect to DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.ok();
        let super_pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(base.clone().database(&name))
            .await
            .unwrap();
        let admin = format!("{prefix}_admin");
        admin::init(
            &super_pool,
            &NewUser {
                login: admin.clone(),
                name: "Ada Admin".into(),
                email: None,
                role: "admin".into(),
                password: Some(PASSWORD.into()),
                existing_role: false,
            },
        )
        .await
        .expect("admin init");
        super_pool.close().await;
        let admin_pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(
                base.clone()
                    .database(&name)
                    .username(&admin)
                    .password(PASSWORD),
            )
            .await
            .expect("the administrator logs in with their password");
        TestDb {
            name,
            prefix,
            base,
            admin_pool,
            roles: vec![admin.clone()],
            admin,
        }
    }

    /// Two staff members, ann and bob, both in the Tax team, each with a
    /// replica of their own under `dir`.
    #[allow(dead_code)]
    pub async fn tax_colleagues(&mut self, dir: &std::path::Path) -> [(Store, Server); 2] {
        self.user("ann", "staff").await;
        self.user("bob", "staff").await;
        self.team("Tax", &["ann", "bob"]).await;
        [
            self.replica("ann", dir.join("ann")).await,
            self.replica("bob", dir.join("bob")).await,
        ]
    }

    /// A role made by the code under test (an import), dropped with the database.
    #[allow(dead_code)]
    pub fn own_role(&mut self, login: &str) {
        self.roles.push(login.to_string());
    }

    /// A login unique to this test.
    pub fn login(&self, short: &str) -> String {
        format!("{}_{short}", self.prefix)
    }

    /// Adds a user (made by the administrator, as in production).
    pub async fn user(&mut self, short: &str, role: &str) -> User {
        let login = self.login(short);
        self.roles.push(login.clone());
        admin::add_user(
            &self.admin_pool,
            &NewUser {
                login,
                name: format!("{short} Person"),
                email: None,
                role: role.into(),
                password: Some(PASSWORD.into()),
                existing_role: false,
            },
        )
        .await
        .expect("add user")
    }

    pub fn options_as(&self, short_or_login: &str) -> PgConnectOptions {
        let login = if short_or_login.starts_with(&self.prefix) {
            short_or_login.to_string()
        } else {
            self.login(short_or_login)
        };
        self.base
            .clone()
            .database(&self.name)
            .username(&login)
            .password(PASSWORD)
    }

    /// The database URL of a user, with the password apart.
    pub fn url_as(&self, short: &str) -> String {
        let o = self.options_as(short);
        format!(
            "postgres://{}@{}:{}/{}",
            o.get_username(),
            o.get_host(),
            o.get_port(),
            self.name
        )
    }

    /// A plain client connection as that user: no Guichet code in between.
    pub async fn psql(&self, short: &str) -> PgConnection {
        self.options_as(short)
            .connect()
            .await
            .expect("user connects")
    }

    pub async fn server(&self, short: &str) -> Server {
        Server::connect_with(self.options_as(short))
            .await
            .expect("server connects")
    }

    /// A fresh replica (its own SQLite file) of a user, synced once.
    pub async fn replica(&self, short: &str, dir: PathBuf) -> (Store, Server) {
        let server = self.server(short).await;
        let (store, _) = guichet_sync::connect_replica(&dir, &server, &self.url_as(short))
            .await
            .expect("replica connects");
        (store, server)
    }

    pub async fn team(&self, name: &str, members: &[&str]) {
        admin::add_team(&self.admin_pool, name).await.unwrap();
        for m in members {
            admin::set_member(&self.admin_pool, name, &self.login(m), true)
                .await
                .unwrap();
        }
    }

    pub async fn drop(self) {
        self.admin_pool.close().await;
        let mut c = self.base.connect().await.unwrap();
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut c)
        .await
        .unwrap();
        let mut roles = self.roles.clone();
        roles.extend(
            ["owner", "admins", "users", "provisioner"]
                .iter()
                .map(|g| format!("{}_{g}", self.name)),
        );
        for r in roles {
            let _ = sqlx::query(&format!("DROP ROLE IF EXISTS \"{r}\""))
                .execute(&mut c)
                .await;
        }
        c.close().await.ok();
    }
}

pub async fn new_ticket(store: &Store, title: &str, team: Option<&str>) -> Ticket {
    let me = store.local_user().await.unwrap();
    let mut input = NewTicket {
        title: title.into(),
        category: "it".into(),
        ..Default::default()
    };
    if let Some(t) = team {
        input.team = Some(store.team(t).await.unwrap().id);
    }
    store
        .create_ticket(me, input)
        .await
        .expect("ticket created")
}

/// A comment event written by hand (tests that drive SQL directly).
pub fn comment_event(
    ticket: guichet_domain::TicketId,
    actor: guichet_domain::UserId,
    body: &str,
    counter: u32,
) -> guichet_domain::Event {
    let at = chrono::Utc::now();
    guichet_domain::Event {
        id: guichet_domain::EventId::new(),
        ticket,
        actor,
        hlc: guichet_domain::Hlc {
            millis: at.timestamp_millis() as u64,
            counter,
            node: 7,
        },
        at,
        kind: guichet_domain::EventKind::Commented {
            visibility: guichet_domain::Visibility::Reply,
            body: body.into(),
        },
    }
}

/// Inserts one event through a plain connection (inside whatever
/// transaction the connection is in).
pub async fn insert_event(
    c: &mut sqlx::PgConnection,
    e: &guichet_domain::Event,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO guichet.events(id, ticket_id, actor, hlc, at, kind, payload) \
         VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7::jsonb)",
    )
    .bind(e.id.to_string())
    .bind(e.ticket.to_string())
    .bind(e.actor.to_string())
    .bind(e.hlc.to_string())
    .bind(e.at)
    .bind(e.kind.name())
    .bind(serde_json::to_string(&e.kind).unwrap())
    .execute(c)
    .await
    .map(drop)
}

/// Reads every event after `cursor` the way the sync engine does; returns
/// the ids and the new cursor.
pub async fn pull_all(
    server: &Server,
    mut cursor: guichet_sync::Cursor,
) -> (Vec<guichet_domain::EventId>, guichet_sync::Cursor) {
    let mut pull = server.begin_pull().await.unwrap();
    let mut ids = Vec::new();
    loop {
        let page = pull.page(cursor, 7).await.unwrap();
        let Some(last) = page.last else { break };
        ids.extend(page.events.iter().map(|e| e.id));
        cursor = last;
    }
    pull.finish().await.unwrap();
    (ids, cursor)
}

/// A TCP proxy in front of the server that can cut connections: after it
/// forwarded a COMMIT (the server commits, the client never hears back),
/// or all at once (what a server restart does to open sessions).
pub struct Proxy {
    pub port: u16,
    cut_after_commit: std::sync::Arc<std::sync::atomic::AtomicBool>,
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Proxy {
    pub async fn start() -> Proxy {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::sync::Arc;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let base = PgConnectOptions::from_str(&server_url()).unwrap();
        let upstream = format!("{}:{}", base.get_host(), base.get_port());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let generation = Arc::new(AtomicU64::new(0));
        let (cut2, gen2) = (cut.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                    continue;
                };
                let (cut, gen) = (cut2.clone(), gen2.clone());
                let born = gen.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let gen_a = gen.clone();
                    let dead = Arc::new(AtomicBool::new(false));
                    let dead_down = dead.clone();
                    let up = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match cr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            let commit = cut.load(Ordering::SeqCst)
                                && buf[..n].windows(6).any(|w| w == b"COMMIT");
                            if commit {
                                // From here on nothing reaches the client.
                                dead.store(true, Ordering::SeqCst);
                            }
                            if sw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                            if gen_a.load(Ordering::SeqCst) != born {
                                return;
                            }
                            if commit {
                                cut.store(false, Ordering::SeqCst);
                                // Let the server commit, then hang up on both.
                                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                                return;
                            }
                        }
                    };
                    let down = async {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match sr.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => n,
                            };
                            if gen.load(Ordering::SeqCst) != born
                                || dead_down.load(Ordering::SeqCst)
                            {
                                return;
                            }
                            if cw.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    };
                    // Whichever side ends, both sockets are dropped.
                    tokio::select! { _ = up => {}, _ = down => {} }
                });
            }
        });
        Proxy {
            port,
            cut_after_commit: cut,
            generation,
        }
    }

    /// The next COMMIT reaches the server, its answer never reaches the client.
    pub fn cut_after_next_commit(&self) {
        self.cut_after_commit
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Drops every open connection (at its next packet).
    pub fn drop_all(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl TestDb {
    /// A user's server connection through the proxy.
    pub async fn server_via(&self, short: &str, proxy: &Proxy) -> Server {
        Server::connect_with(self.options_as(short).host("127.0.0.1").port(proxy.port))
            .await
            .expect("server connects through the proxy")
    }
}
