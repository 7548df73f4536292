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
        let base = PgConnectOptions::from_str(&server_url()).expect("DATABASE_URL parses");
        let id = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("gt_{}", &id[..12]);
        let prefix = format!("t{}", &id[..8]);
        let mut c = base.connect().await.expect("connect to DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
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
            .connect_with(base.clone().database(&name).username(&admin).password(PASSWORD))
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
        self.options_as(short).connect().await.expect("user connects")
    }

    pub async fn server(&self, short: &str) -> Server {
        Server::connect_with(self.options_as(short)).await.expect("server connects")
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
        sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            .execute(&mut c)
            .await
            .unwrap();
        let mut roles = self.roles.clone();
        roles.extend(["owner", "admins", "users"].iter().map(|g| format!("{}_{g}", self.name)));
        for r in roles {
            let _ = sqlx::query(&format!("DROP ROLE IF EXISTS \"{r}\"")).execute(&mut c).await;
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
    store.create_ticket(me, input).await.expect("ticket created")
}
