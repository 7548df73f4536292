//! Shared mode through the real `guichet` binary against a real PostgreSQL:
//! `admin …` provisioning, any command with `--database-url`, `connect` and
//! `sync`, a client killed with SIGKILL in the middle of its sync, and the
//! password kept in the real Secret Service (`--remember`, `sign-out`).
//!
//! Needs DATABASE_URL (a superuser URL of a PostgreSQL 15+ server whose other
//! roles log in with SCRAM passwords) and, for the keychain, a D-Bus session
//! with an unlocked Secret Service: run through ./test.sh, or
//! `DATABASE_URL=… dbus-run-session -- scripts/with-keyring.sh cargo test -p guichet-cli --test shared`.
//!
//! Every test has a database of its own (`gt_<random>`) and logins with a
//! prefix of its own (roles are server-wide); both are dropped at the end,
//! even when the test fails. Every simulated PC is a temporary directory
//! holding its data directory and its cache directory (XDG_CACHE_HOME, where
//! `--database-url` without `--data-dir` keeps its replica).

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use tempfile::TempDir;

/// Exit codes, as documented in `guichet --help` (`exit` module of main.rs).
const INVALID: i32 = 3;
const NOT_FOUND: i32 = 4;
const FORBIDDEN: i32 = 7;

const ADMIN_PASSWORD: &str = "admin-passphrase-0001";

/// A password of at least 12 characters, different for each person.
fn password(short: &str) -> String {
    format!("{short}-passphrase-2026")
}

// ---------------------------------------------------------------------
// Randomness without a crate: the standard library's random hasher keys.

fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::SeqCst));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.write_u32(std::process::id());
    h.finish()
}

fn random_hex(len: usize) -> String {
    let mut s = String::new();
    while s.len() < len {
        s.push_str(&format!("{:016x}", random_u64()));
    }
    s.truncate(len);
    s
}

// ---------------------------------------------------------------------
// The server and one database per test.

/// DATABASE_URL taken apart: `scheme://userinfo@host:port/db?query`.
struct ServerUrl {
    scheme: String,
    userinfo: String,
    authority: String,
    query: String,
}

fn server_url() -> ServerUrl {
    let url = std::env::var("DATABASE_URL").expect(
        "DATABASE_URL must name a PostgreSQL 15+ server where this login may create databases and roles; ./test.sh starts one",
    );
    let (scheme, rest) = url
        .split_once("://")
        .unwrap_or_else(|| panic!("DATABASE_URL is not a URL: {url}"));
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let server = rest.split('/').next().unwrap();
    let (userinfo, authority) = match server.rsplit_once('@') {
        Some((u, a)) => (format!("{u}@"), a.to_string()),
        None => (String::new(), server.to_string()),
    };
    ServerUrl {
        scheme: scheme.to_string(),
        userinfo,
        authority,
        query,
    }
}

impl ServerUrl {
    /// The superuser's URL of a database.
    fn superuser(&self, db: &str) -> String {
        format!(
            "{}://{}{}/{db}{}",
            self.scheme, self.userinfo, self.authority, self.query
        )
    }

    /// A login's URL of a database, the password apart (PGPASSWORD or the keychain).
    fn as_login(&self, login: &str, db: &str) -> String {
        format!("postgres://{login}@{}/{db}{}", self.authority, self.query)
    }
}

/// Runs SQL through `psql` as the superuser; returns the unaligned output.
fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .env_remove("PGPASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("run psql (the PostgreSQL client must be installed)");
    assert!(
        out.status.success(),
        "psql {sql:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A database of this test's own, and the prefix of its logins.
struct TestDb {
    server: ServerUrl,
    name: String,
    prefix: String,
}

impl TestDb {
    /// An empty database (no schema yet: `guichet admin init` makes it).
    fn new() -> TestDb {
        let server = server_url();
        let id = random_hex(12);
        let name = format!("gt_{id}");
        let prefix = format!("c{}", &id[..8]);
        psql(
            &server.superuser("postgres"),
            &format!("CREATE DATABASE {name}"),
        );
        TestDb {
            server,
            name,
            prefix,
        }
    }

    /// A login unique to this test.
    fn login(&self, short: &str) -> String {
        format!("{}_{short}", self.prefix)
    }

    fn superuser_url(&self) -> String {
        self.server.superuser(&self.name)
    }

    fn url(&self, short: &str) -> String {
        self.server.as_login(&self.login(short), &self.name)
    }

    /// SQL as the superuser in this database: what is really on the server.
    fn sql(&self, q: &str) -> String {
        psql(&self.superuser_url(), q)
    }

    fn role_exists(&self, short: &str) -> bool {
        self.sql(&format!(
            "SELECT count(*) FROM pg_roles WHERE rolname = '{}'",
            self.login(short)
        )) == "1"
    }

    /// Users, teams and their members, categories and migrations, as text:
    /// equal snapshots mean nothing was written.
    fn directory_snapshot(&self) -> String {
        self.sql(
            "SELECT concat_ws(' | ', \
               (SELECT string_agg(login || ':' || role || ':' || active, ',' ORDER BY login) FROM guichet.users), \
               (SELECT string_agg(name, ',' ORDER BY name) FROM guichet.teams), \
               (SELECT string_agg(t.name || '/' || u.login, ',' ORDER BY t.name, u.login) \
                  FROM guichet.team_members m JOIN guichet.teams t ON t.id = m.team_id \
                  JOIN guichet.users u ON u.id = m.user_id), \
               (SELECT count(*) FROM guichet.categories), \
               (SELECT string_agg(version::text, ',' ORDER BY version) FROM guichet.schema_migrations), \
               (SELECT count(*) FROM pg_roles WHERE rolname LIKE current_database() || '\\_%'))",
        )
    }

    /// Logins of a team, from the server.
    fn members(&self, team: &str) -> Vec<String> {
        let s = self.sql(&format!(
            "SELECT string_agg(u.login, ',' ORDER BY u.login) FROM guichet.team_members m \
             JOIN guichet.teams t ON t.id = m.team_id JOIN guichet.users u ON u.id = m.user_id \
             WHERE t.name = '{team}'"
        ));
        s.split(',')
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Never panics: the test's own failure is the one to report.
        let url = self.server.superuser("postgres");
        let run = |sql: &str| {
            let _ = Command::new("psql")
                .args(["-X", "-q", "-A", "-t", "-d", &url, "-c", sql])
                .env_remove("PGPASSWORD")
                .stdin(Stdio::null())
                .output();
        };
        run(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
        let mut roles: Vec<String> = ["owner", "users", "admins", "provisioner"]
            .iter()
            .map(|g| format!("{}_{g}", self.name))
            .collect();
        if let Ok(out) = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-d",
                &url,
                "-c",
                &format!(
                    "SELECT rolname FROM pg_roles WHERE rolname LIKE '{}\\_%'",
                    self.prefix
                ),
            ])
            .env_remove("PGPASSWORD")
            .stdin(Stdio::null())
            .output()
        {
            roles.extend(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from),
            );
        }
        // Logins first, then the groups they belonged to.
        roles.reverse();
        for r in roles {
            run(&format!("DROP ROLE IF EXISTS \"{r}\""));
        }
    }
}

// ---------------------------------------------------------------------
// Simulated PCs and the binary.

/// One person's computer: a data directory and a cache directory.
struct Pc {
    tmp: TempDir,
}

impl Pc {
    fn new() -> Pc {
        Pc {
            tmp: tempfile::Builder::new()
                .prefix("guichet-shared-test")
                .tempdir()
                .expect("a temporary directory"),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    fn dd(&self) -> String {
        self.data_dir().to_str().unwrap().to_string()
    }

    fn cache_dir(&self) -> PathBuf {
        self.tmp.path().join("cache")
    }

    /// `guichet` on this PC, with the environment that could change its
    /// behaviour cleared; no password unless `password` gives one.
    fn g(&self) -> Guichet {
        Guichet {
            args: Vec::new(),
            password: None,
            stdin: None,
            json: false,
            cache: self.cache_dir(),
            pgpass: self.tmp.path().join("no-pgpass"),
        }
    }
}

struct Guichet {
    args: Vec<String>,
    password: Option<String>,
    stdin: Option<String>,
    json: bool,
    cache: PathBuf,
    pgpass: PathBuf,
}

impl Guichet {
    fn args(mut self, a: &[&str]) -> Self {
        self.args.extend(a.iter().map(|s| s.to_string()));
        self
    }

    /// PGPASSWORD for this call.
    fn password(mut self, p: &str) -> Self {
        self.password = Some(p.to_string());
        self
    }

    /// One line on standard input.
    fn stdin(mut self, line: &str) -> Self {
        self.stdin = Some(format!("{line}\n"));
        self
    }

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        for v in [
            "GUICHET_DATA_DIR",
            "GUICHET_DATABASE_URL",
            "GUICHET_LOG",
            "PGPASSWORD",
            "PGUSER",
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGDATABASE",
            "PGSSLMODE",
        ] {
            c.env_remove(v);
        }
        c.env("RUST_BACKTRACE", "0")
            .env("XDG_CACHE_HOME", &self.cache)
            // No ~/.pgpass of whoever runs the tests.
            .env("PGPASSFILE", &self.pgpass);
        if let Some(p) = &self.password {
            c.env("PGPASSWORD", p);
        }
        if self.json {
            c.arg("--json");
        }
        c.args(&self.args);
        c
    }

    fn describe(&self) -> String {
        format!(
            "guichet {}{}",
            if self.json { "--json " } else { "" },
            self.args.join(" ")
        )
    }

    fn output(&self) -> Output {
        let mut c = self.command();
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        c.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = c.spawn().expect("run guichet");
        if let Some(s) = &self.stdin {
            let mut i = child.stdin.take().unwrap();
            i.write_all(s.as_bytes()).unwrap();
        }
        child.wait_with_output().expect("guichet ends")
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(self) -> String {
        let out = self.output();
        assert!(
            out.status.success(),
            "{} failed with {:?}\nstdout: {}\nstderr: {}",
            self.describe(),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// `--json`, must succeed: the parsed output.
    fn json(mut self) -> Value {
        self.json = true;
        let what = self.describe();
        let out = self.ok();
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}):\n{out}"))
    }

    /// Must fail with `code`, print nothing on standard output and a
    /// message on standard error; returns standard error.
    fn fail(self, code: i32) -> String {
        let out = self.output();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}: expected exit code {code}\nstdout: {}\nstderr: {stderr}",
            self.describe(),
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            out.stdout.is_empty(),
            "{} failed but printed on standard output: {}",
            self.describe(),
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.trim().is_empty(), "{}: no message", self.describe());
        stderr
    }

    /// `--json`, must fail with `code`: the `error` object of standard error.
    fn fail_json(mut self, code: i32) -> Value {
        self.json = true;
        let stderr = self.fail(code);
        let line = stderr
            .lines()
            .find(|l| l.trim_start().starts_with("{\"error\""))
            .unwrap_or_else(|| panic!("no JSON error object on standard error:\n{stderr}"));
        let v: Value = serde_json::from_str(line).expect("the error object is JSON");
        let e = v["error"].clone();
        assert!(e["code"].is_string(), "error without a code: {v}");
        assert!(e["message"].is_string(), "error without a message: {v}");
        e
    }
}

fn message(e: &Value) -> String {
    e["message"].as_str().unwrap().to_string()
}

/// The references of a `ticket list --json` result.
fn refs(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|t| t["reference"].as_str().unwrap().to_string())
        .collect()
}

/// Every file under a directory.
fn files_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, found);
        } else {
            found.push(p);
        }
    }
}

// ---------------------------------------------------------------------
// Provisioning through the binary, used by every test.

/// `admin init` as the superuser, administrator `<prefix>_admin`.
fn admin_init(db: &TestDb, pc: &Pc) -> Value {
    pc.g()
        .args(&[
            "admin",
            "init",
            "--database-url",
            &db.superuser_url(),
            "--admin",
            &db.login("admin"),
            "--name",
            "Ada Admin",
            "--password-stdin",
        ])
        .stdin(ADMIN_PASSWORD)
        .json()
}

/// `guichet --database-url <admin> …` as the administrator.
fn as_admin(db: &TestDb, pc: &Pc, args: &[&str]) -> Guichet {
    pc.g()
        .password(ADMIN_PASSWORD)
        .args(&["--database-url", &db.url("admin")])
        .args(args)
}

fn add_user(db: &TestDb, pc: &Pc, short: &str, role: &str) -> Value {
    let login = db.login(short);
    let name = format!("{short} Person");
    as_admin(
        db,
        pc,
        &[
            "admin",
            "user",
            "add",
            &login,
            "--name",
            &name,
            "--role",
            role,
            "--password-stdin",
        ],
    )
    .stdin(&password(short))
    .json()
}

/// A firm: the administrator, then each (person, team) as staff.
fn firm(people: &[(&str, &str)]) -> TestDb {
    let db = TestDb::new();
    let pc = Pc::new();
    admin_init(&db, &pc);
    let mut teams = BTreeSet::new();
    for (short, team) in people {
        add_user(&db, &pc, short, "staff");
        if teams.insert(team.to_string()) {
            as_admin(&db, &pc, &["admin", "team", "add", team]).json();
        }
        as_admin(
            &db,
            &pc,
            &["admin", "team", "member", team, &db.login(short)],
        )
        .json();
    }
    db
}

/// `guichet --database-url <short's URL> …` with their password.
fn as_user(db: &TestDb, pc: &Pc, short: &str, args: &[&str]) -> Guichet {
    pc.g()
        .password(&password(short))
        .args(&["--database-url", &db.url(short)])
        .args(args)
}

// ---------------------------------------------------------------------
// 1. Provisioning.

#[test]
fn provisioning_through_the_binary_and_its_refusals() {
    let db = TestDb::new();
    let pc = Pc::new();

    let first = admin_init(&db, &pc);
    // Every migration of migrations/postgres, in order.
    let mut versions: Vec<u32> = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/postgres"
    ))
    .unwrap()
    .filter_map(|e| e.ok()?.file_name().to_str()?.get(..4)?.parse().ok())
    .collect();
    versions.sort();
    assert!(versions.len() >= 3, "{versions:?}");
    assert_eq!(first["applied"], json!(versions), "{first}");
    assert_eq!(first["admin_created"], true, "{first}");
    let after_init = db.directory_snapshot();
    assert!(
        after_init.starts_with(&format!("{}:admin:true |", db.login("admin"))),
        "{after_init}"
    );
    // Again: nothing is applied, nothing is created, the exit status is 0.
    let again = admin_init(&db, &pc);
    assert_eq!(again["applied"], json!([]), "{again}");
    assert_eq!(again["admin_created"], false, "{again}");
    assert_eq!(db.directory_snapshot(), after_init);
    // The text form says so too.
    let text = pc
        .g()
        .args(&[
            "admin",
            "init",
            "--database-url",
            &db.superuser_url(),
            "--admin",
            &db.login("admin"),
            "--name",
            "Ada Admin",
            "--password-stdin",
        ])
        .stdin(ADMIN_PASSWORD)
        .ok();
    assert!(text.contains("already there"), "{text}");
    assert_eq!(db.directory_snapshot(), after_init);

    // People, a team, its members.
    for short in ["ann", "bob"] {
        let u = add_user(&db, &pc, short, "staff");
        assert_eq!(u["login"], db.login(short), "{u}");
        assert_eq!(u["role"], "staff", "{u}");
        assert!(db.role_exists(short));
    }
    let t = as_admin(&db, &pc, &["admin", "team", "add", "Tax"]).json();
    assert_eq!(t["name"], "Tax", "{t}");
    for short in ["ann", "bob"] {
        let m = as_admin(
            &db,
            &pc,
            &["admin", "team", "member", "Tax", &db.login(short)],
        )
        .json();
        assert_eq!(m["member"], true, "{m}");
    }
    assert_eq!(db.members("Tax"), vec![db.login("ann"), db.login("bob")]);
    // The new users log in with the password they were given.
    let me = as_user(&db, &pc, "ann", &["status"]).json();
    assert_eq!(me["tickets"], 0, "{me}");

    let before = db.directory_snapshot();
    let dave = db.login("dave");

    // An unknown role.
    let e = as_admin(
        &db,
        &pc,
        &[
            "admin",
            "user",
            "add",
            &dave,
            "--name",
            "Dave",
            "--role",
            "boss",
            "--password-stdin",
        ],
    )
    .stdin(&password("dave"))
    .fail_json(INVALID);
    assert_eq!(e["code"], "invalid", "{e}");
    assert!(message(&e).starts_with("role:"), "{e}");
    assert!(message(&e).contains("boss"), "{e}");
    // A password too short.
    let e = as_admin(
        &db,
        &pc,
        &[
            "admin",
            "user",
            "add",
            &dave,
            "--name",
            "Dave",
            "--password-stdin",
        ],
    )
    .stdin("short-pw")
    .fail_json(INVALID);
    assert!(message(&e).starts_with("password:"), "{e}");
    assert!(message(&e).contains("12"), "{e}");
    // The text form names the field too.
    let stderr = as_admin(
        &db,
        &pc,
        &[
            "admin",
            "user",
            "add",
            &dave,
            "--name",
            "Dave",
            "--password-stdin",
        ],
    )
    .stdin("short-pw")
    .fail(INVALID);
    assert!(stderr.starts_with("error: password:"), "{stderr}");
    assert!(!db.role_exists("dave"), "a refused user left a login role");
    // A login already used.
    let e = as_admin(
        &db,
        &pc,
        &[
            "admin",
            "user",
            "add",
            &db.login("ann"),
            "--name",
            "Ann Again",
            "--password-stdin",
        ],
    )
    .stdin(&password("other"))
    .fail_json(INVALID);
    assert!(message(&e).starts_with("login:"), "{e}");
    assert!(message(&e).contains(&db.login("ann")), "{e}");
    // An unknown team, an unknown login.
    let e = as_admin(
        &db,
        &pc,
        &["admin", "team", "member", "Payroll", &db.login("ann")],
    )
    .fail_json(INVALID);
    assert!(message(&e).starts_with("team:"), "{e}");
    assert!(message(&e).contains("Payroll"), "{e}");
    let e = as_admin(
        &db,
        &pc,
        &["admin", "team", "member", "Tax", &db.login("zed")],
    )
    .fail_json(INVALID);
    assert!(message(&e).starts_with("login:"), "{e}");
    assert_eq!(db.directory_snapshot(), before, "a refused command wrote");
    // Ann's own password is still the one she was given.
    as_user(&db, &pc, "ann", &["status"]).json();

    // Not an administrator: refused by the database, exit 7.
    let e = as_user(
        &db,
        &pc,
        "ann",
        &[
            "admin",
            "user",
            "add",
            &db.login("eve"),
            "--name",
            "Eve",
            "--password-stdin",
        ],
    )
    .stdin(&password("eve"))
    .fail_json(FORBIDDEN);
    assert_eq!(e["code"], "forbidden", "{e}");
    let e = as_user(&db, &pc, "ann", &["admin", "team", "add", "Audit"]).fail_json(FORBIDDEN);
    assert_eq!(e["code"], "forbidden", "{e}");
    let e = as_user(
        &db,
        &pc,
        "ann",
        &["admin", "user", "role", &db.login("ann"), "admin"],
    )
    .fail_json(FORBIDDEN);
    assert_eq!(e["code"], "forbidden", "{e}");
    assert!(!db.role_exists("eve"));
    assert_eq!(db.directory_snapshot(), before, "a refused command wrote");
}

// ---------------------------------------------------------------------
// 2. Any command as a user, with --database-url.

#[test]
fn every_command_as_a_user_with_database_url() {
    let db = firm(&[("ann", "Tax"), ("bob", "Tax"), ("carl", "Audit")]);
    let (ann_pc, bob_pc, carl_pc) = (Pc::new(), Pc::new(), Pc::new());

    let t = as_user(
        &db,
        &ann_pc,
        "ann",
        &[
            "ticket",
            "new",
            "--title",
            "VAT return 2025",
            "--team",
            "Tax",
            "--priority",
            "high",
        ],
    )
    .json();
    assert_eq!(t["title"], "VAT return 2025", "{t}");
    let reference = t["reference"].as_str().unwrap().to_string();
    // Pushed after the command: the server has it.
    assert_eq!(
        db.sql(&format!(
            "SELECT count(*) FROM guichet.tickets WHERE reference = '{reference}'"
        )),
        "1"
    );
    // The replica was made in the cache directory, one per login and server.
    let replicas: Vec<_> = std::fs::read_dir(ann_pc.cache_dir().join("guichet/replicas"))
        .expect("a replica in the cache directory")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(replicas.len(), 1, "{replicas:?}");
    assert!(replicas[0].starts_with(&db.login("ann")), "{replicas:?}");

    // Bob, in the team, sees it with his own login.
    let list = as_user(&db, &bob_pc, "bob", &["ticket", "list"]).json();
    assert_eq!(refs(&list), vec![reference.clone()], "{list}");
    assert_eq!(list[0]["priority"], "high", "{list}");
    let c = as_user(
        &db,
        &bob_pc,
        "bob",
        &[
            "ticket",
            "comment",
            &reference,
            "Documents received, thanks.",
        ],
    )
    .json();
    assert!(c["actor"].is_string(), "{c}");

    // Ann sees Bob's reply.
    let shown = as_user(&db, &ann_pc, "ann", &["ticket", "show", &reference]).json();
    let comments = shown["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{shown}");
    assert_eq!(
        comments[0]["body"], "Documents received, thanks.",
        "{shown}"
    );
    assert_eq!(comments[0]["visibility"], "reply", "{shown}");
    let text = as_user(&db, &ann_pc, "ann", &["ticket", "show", &reference]).ok();
    assert!(text.contains("Documents received, thanks."), "{text}");

    // Carl, staff outside the team, sees nothing of it.
    let list = as_user(&db, &carl_pc, "carl", &["ticket", "list"]).json();
    assert_eq!(refs(&list), Vec::<String>::new(), "{list}");
    as_user(&db, &carl_pc, "carl", &["ticket", "show", &reference]).fail_json(NOT_FOUND);
    let s = as_user(&db, &carl_pc, "carl", &["ticket", "search", "VAT"]).json();
    assert_eq!(refs(&s), Vec::<String>::new(), "{s}");

    // A wrong password: refused, exit 7, and nothing written.
    let e = carl_pc
        .g()
        .password("not-the-right-password")
        .args(&[
            "--database-url",
            &db.url("bob"),
            "ticket",
            "comment",
            &reference,
            "Hi",
        ])
        .fail_json(FORBIDDEN);
    assert_eq!(e["code"], "login", "{e}");
    let e = carl_pc
        .g()
        .password("not-the-right-password")
        .args(&["--database-url", &db.url("ann"), "ticket", "list"])
        .fail_json(FORBIDDEN);
    assert_eq!(e["code"], "login", "{e}");
    assert_eq!(
        db.sql("SELECT count(*) FROM guichet.events WHERE kind = 'commented'"),
        "1"
    );
}

// ---------------------------------------------------------------------
// 3. connect, then sync.

#[test]
fn connect_then_sync_with_pgpassword() {
    let db = firm(&[("ann", "Tax"), ("bob", "Tax")]);
    let (ann_pc, bob_pc) = (Pc::new(), Pc::new());

    let c = bob_pc
        .g()
        .args(&[
            "connect",
            "--data-dir",
            &bob_pc.dd(),
            "--database-url",
            &db.url("bob"),
            "--password-stdin",
        ])
        .stdin(&password("bob"))
        .json();
    assert_eq!(c["data_dir"], bob_pc.dd(), "{c}");
    assert_eq!(c["tickets"], 0, "{c}");
    assert_eq!(c["replica"].as_str().map(str::len), Some(4), "{c}");
    // The replica code was handed out by the server, to Bob.
    assert_eq!(
        db.sql(&format!(
            "SELECT count(*) FROM guichet.replicas r JOIN guichet.users u ON u.id = r.user_id \
             WHERE u.login = '{}'",
            db.login("bob")
        )),
        "1"
    );

    let t = as_user(
        &db,
        &ann_pc,
        "ann",
        &["ticket", "new", "--title", "Payroll March", "--team", "Tax"],
    )
    .json();
    let reference = t["reference"].as_str().unwrap().to_string();

    // The data directory knows its server: no --database-url needed.
    let s = bob_pc
        .g()
        .password(&password("bob"))
        .args(&["sync", "--data-dir", &bob_pc.dd()])
        .json();
    assert_eq!(s["sync"]["pulled"], 1, "{s}");
    assert_eq!(s["sync"]["pushed"], 0, "{s}");
    assert_eq!(s["pending"], 0, "{s}");
    let list = bob_pc
        .g()
        .args(&["--data-dir", &bob_pc.dd(), "ticket", "list"])
        .json();
    assert_eq!(refs(&list), vec![reference.clone()], "{list}");

    // A change made offline is pushed by the next sync.
    bob_pc
        .g()
        .args(&[
            "--data-dir",
            &bob_pc.dd(),
            "ticket",
            "note",
            &reference,
            "Checked offline.",
        ])
        .json();
    let s = bob_pc
        .g()
        .password(&password("bob"))
        .args(&["sync", "--data-dir", &bob_pc.dd()])
        .json();
    assert_eq!(s["sync"]["pushed"], 1, "{s}");
    assert_eq!(s["sync"]["pulled"], 0, "{s}");
    assert_eq!(s["sync"]["refused"], 0, "{s}");
    assert_eq!(s["pending"], 0, "{s}");
    let text = bob_pc
        .g()
        .password(&password("bob"))
        .args(&["sync", "--data-dir", &bob_pc.dd()])
        .ok();
    assert!(text.contains("Pushed 0, pulled 0"), "{text}");
    let shown = as_user(&db, &ann_pc, "ann", &["ticket", "show", &reference]).json();
    assert_eq!(shown["comments"][0]["body"], "Checked offline.", "{shown}");

    // A wrong password: exit 7.
    let e = bob_pc
        .g()
        .password("not-the-right-password")
        .args(&["sync", "--data-dir", &bob_pc.dd()])
        .fail_json(FORBIDDEN);
    assert_eq!(e["code"], "login", "{e}");
}

/// `guichet password`: a user changes their own password.
#[test]
fn password_changes_the_users_own_password() {
    let db = firm(&[("ann", "Tax")]);
    let pc = Pc::new();
    pc.g()
        .args(&[
            "connect",
            "--data-dir",
            &pc.dd(),
            "--database-url",
            &db.url("ann"),
            "--password-stdin",
        ])
        .stdin(&password("ann"))
        .json();
    // Too short: refused before anything changes.
    let e = pc
        .g()
        .password(&password("ann"))
        .args(&["password", "--data-dir", &pc.dd(), "--password-stdin"])
        .stdin("short-pw")
        .fail_json(INVALID);
    assert!(message(&e).starts_with("password:"), "{e}");
    pc.g()
        .password(&password("ann"))
        .args(&["sync", "--data-dir", &pc.dd()])
        .json();

    let new = "a-brand-new-passphrase";
    let out = pc
        .g()
        .password(&password("ann"))
        .args(&["password", "--data-dir", &pc.dd(), "--password-stdin"])
        .stdin(new)
        .json();
    assert_eq!(out["password_changed"], true, "{out}");
    let e = pc
        .g()
        .password(&password("ann"))
        .args(&["sync", "--data-dir", &pc.dd()])
        .fail_json(FORBIDDEN);
    assert_eq!(e["code"], "login", "{e}");
    pc.g()
        .password(new)
        .args(&["sync", "--data-dir", &pc.dd()])
        .json();
}

// ---------------------------------------------------------------------
// 4. A client killed in the middle of its sync loses and doubles nothing.

/// Starts `args` as bob, kills it with SIGKILL after `delay`; whether it
/// was still running then.
fn run_and_kill(g: Guichet, delay: Duration) -> bool {
    let mut c = g.command();
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().expect("start guichet");
    std::thread::sleep(delay);
    let running = child.try_wait().unwrap().is_none();
    if running {
        child.kill().expect("SIGKILL");
    }
    let status = child.wait().unwrap();
    if !running {
        assert!(
            status.success(),
            "{} failed on its own: {status}",
            g.describe()
        );
    }
    running
}

/// (reference → (title, comments, status)) of every ticket of a data directory.
fn tickets_of(pc: &Pc) -> BTreeMap<String, (String, i64, String)> {
    let list = pc
        .g()
        .args(&[
            "--data-dir",
            &pc.dd(),
            "ticket",
            "list",
            "--limit",
            "100000",
        ])
        .json();
    let rows = list.as_array().unwrap();
    let mut map = BTreeMap::new();
    for t in rows {
        let r = t["reference"].as_str().unwrap().to_string();
        let old = map.insert(
            r.clone(),
            (
                t["title"].as_str().unwrap().to_string(),
                t["comments"].as_i64().unwrap(),
                t["status"].as_str().unwrap().to_string(),
            ),
        );
        assert!(old.is_none(), "{r} is listed twice");
    }
    assert_eq!(map.len(), rows.len());
    map
}

/// `n` pseudo-random words (about 8 bytes each), the same for the same seed:
/// long descriptions make a pull take long enough for the kills to land
/// in the middle of it.
fn words(seed: u64, n: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = String::with_capacity(n * 8);
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = 3 + (x % 8) as usize;
        for k in 0..len {
            out.push((b'a' + ((x >> (5 * k)) % 26) as u8) as char);
        }
        out.push(' ');
    }
    out
}

/// `n` more tickets of team Tax written in a replica (locally, not pushed).
fn write_tickets(pc: &Pc, made: &mut Vec<String>, n: usize) {
    for _ in 0..n {
        let i = made.len();
        let title = format!("Client file {i:03}");
        let description = format!("Annual accounts of client {i}. {}", words(i as u64, 400));
        let out = pc
            .g()
            .args(&[
                "--data-dir",
                &pc.dd(),
                "ticket",
                "new",
                "--title",
                &title,
                "--description",
                &description,
                "--team",
                "Tax",
            ])
            .json();
        made.push(out["reference"].as_str().unwrap().to_string());
    }
}

fn counts(pc: &Pc) -> (i64, i64) {
    let s = pc.g().args(&["--data-dir", &pc.dd(), "status"]).json();
    (
        s["tickets"].as_i64().unwrap(),
        s["events"].as_i64().unwrap(),
    )
}

#[test]
fn a_client_killed_during_its_sync_loses_and_doubles_nothing() {
    let db = firm(&[("ann", "Tax"), ("bob", "Tax")]);
    let (ann_pc, bob_pc, control_pc) = (Pc::new(), Pc::new(), Pc::new());

    // Ann's replica: 300 tickets written locally, pushed at once.
    ann_pc
        .g()
        .args(&[
            "connect",
            "--data-dir",
            &ann_pc.dd(),
            "--database-url",
            &db.url("ann"),
            "--password-stdin",
        ])
        .stdin(&password("ann"))
        .json();
    let mut made = Vec::new();
    write_tickets(&ann_pc, &mut made, 300);
    let push = |pc: &Pc| {
        let s = pc
            .g()
            .password(&password("ann"))
            .args(&["sync", "--data-dir", &pc.dd()])
            .json();
        assert_eq!(s["pending"], 0, "{s}");
        s
    };
    let s = push(&ann_pc);
    assert_eq!(s["sync"]["pushed"], 300, "{s}");

    // How long a whole first sync of all this takes here and now (load
    // varies): the kills are drawn up to a bit more than that, within
    // 20–400 ms, so that they land all along the run.
    let started = std::time::Instant::now();
    control_pc
        .g()
        .args(&[
            "connect",
            "--data-dir",
            &control_pc.dd(),
            "--database-url",
            &db.url("bob"),
            "--password-stdin",
        ])
        .stdin(&password("bob"))
        .json();
    let full = started.elapsed().as_millis() as u64;
    let upper = (full * 3 / 2).clamp(60, 400);

    // Bob's new replica: connect, or sync with --database-url (which makes
    // the replica when it is not one yet), killed with SIGKILL after
    // 20–`upper` ms, again and again. So that later rounds have work too,
    // Ann writes more (new tickets, replies on old ones) before round 4, and
    // from round 6 on the administrator takes Bob out of team Tax and puts
    // him back, round after round: his replica drops every ticket (a killed
    // round, then one run to its end), then fetches them all again (a killed
    // round).
    let mut killed = 0;
    let mut rounds = 0;
    let mut progress: Vec<String> = Vec::new();
    let admin_pc = Pc::new();
    let bob_login = db.login("bob");
    let mut member = true;
    while rounds < 12 || killed < 5 {
        assert!(
            rounds < 40,
            "in {rounds} rounds only {killed} ended by SIGKILL: {progress:?}"
        );
        if rounds == 4 {
            write_tickets(&ann_pc, &mut made, 20);
            for k in 0..20 {
                let r = &made[(k * 13) % 300];
                ann_pc
                    .g()
                    .args(&[
                        "--data-dir",
                        &ann_pc.dd(),
                        "ticket",
                        "comment",
                        r,
                        "Reminder sent.",
                    ])
                    .json();
            }
            push(&ann_pc);
        }
        if rounds >= 6 {
            member = !member;
            let mut args = vec!["admin", "team", "member", "Tax", bob_login.as_str()];
            if !member {
                args.push("--remove");
            }
            as_admin(&db, &admin_pc, &args).json();
            progress.push(if member { "+Tax".into() } else { "-Tax".into() });
        }
        let delay = Duration::from_millis(20 + random_u64() % (upper - 19));
        let g = if rounds % 2 == 0 {
            bob_pc.g().args(&[
                "connect",
                "--data-dir",
                &bob_pc.dd(),
                "--database-url",
                &db.url("bob"),
            ])
        } else {
            bob_pc.g().args(&[
                "sync",
                "--data-dir",
                &bob_pc.dd(),
                "--database-url",
                &db.url("bob"),
            ])
        }
        .password(&password("bob"));
        let was_killed = run_and_kill(g, delay);
        killed += was_killed as usize;
        rounds += 1;
        // Where the replica stood (for the log): tickets/events, or - when
        // it is no data directory yet.
        let at = bob_pc
            .g()
            .args(&["--data-dir", &bob_pc.dd(), "--json", "status"])
            .output();
        let at = serde_json::from_slice::<Value>(&at.stdout)
            .map(|s| format!("{}/{}", s["tickets"], s["events"]))
            .unwrap_or_else(|_| "-".into());
        progress.push(format!(
            "{}ms{} {at}",
            delay.as_millis(),
            if was_killed { " killed" } else { "" }
        ));
        if !member {
            // Out of the team: a round run to its end drops every ticket,
            // whatever the killed rounds before it left half done.
            let s = bob_pc
                .g()
                .password(&password("bob"))
                .args(&["sync", "--data-dir", &bob_pc.dd()])
                .json();
            assert_eq!(counts(&bob_pc), (0, 0), "{s} after {progress:?}");
            progress.push("0/0".into());
        }
    }
    if !member {
        as_admin(
            &db,
            &admin_pc,
            &["admin", "team", "member", "Tax", &bob_login],
        )
        .json();
    }
    eprintln!(
        "a whole first sync took {full} ms; {rounds} rounds, {killed} ended by SIGKILL: {progress:?}"
    );

    // The last round runs to its end.
    let s = bob_pc
        .g()
        .password(&password("bob"))
        .args(&[
            "connect",
            "--data-dir",
            &bob_pc.dd(),
            "--database-url",
            &db.url("bob"),
        ])
        .json();
    assert_eq!(s["sync"]["pushed"], 0, "{s}");
    let s = bob_pc
        .g()
        .password(&password("bob"))
        .args(&["sync", "--data-dir", &bob_pc.dd()])
        .json();
    assert_eq!(s["sync"]["pulled"], 0, "nothing is left to pull: {s}");
    assert_eq!(s["pending"], 0, "{s}");

    // The replica made without interruption, brought up to date, to compare with.
    control_pc
        .g()
        .password(&password("bob"))
        .args(&["sync", "--data-dir", &control_pc.dd()])
        .json();

    let bob = tickets_of(&bob_pc);
    let expected: BTreeSet<String> = made.iter().cloned().collect();
    assert_eq!(made.len(), 320);
    assert_eq!(expected.len(), made.len(), "references are unique");
    assert_eq!(
        bob.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "bob's replica has every ticket exactly once"
    );
    assert_eq!(bob, tickets_of(&control_pc));
    assert_eq!(bob, tickets_of(&ann_pc));
    let commented: i64 = bob.values().map(|t| t.1).sum();
    assert_eq!(
        commented.to_string(),
        db.sql("SELECT count(*) FROM guichet.events WHERE kind = 'commented'")
    );
    let (tickets, events) = counts(&bob_pc);
    assert_eq!(tickets, 320);
    assert_eq!((tickets, events), counts(&control_pc));
    assert_eq!(
        events.to_string(),
        db.sql("SELECT count(*) FROM guichet.events")
    );
    let check = bob_pc
        .g()
        .args(&["--data-dir", &bob_pc.dd(), "check"])
        .json();
    assert_eq!(check, json!({"ok": true}));
}

// ---------------------------------------------------------------------
// 5. The password in the keychain.

#[test]
fn remember_keeps_the_password_in_the_keychain_only_and_sign_out_forgets_it() {
    assert!(
        std::env::var("DBUS_SESSION_BUS_ADDRESS").is_ok(),
        "needs a D-Bus session with an unlocked Secret Service: run through ./test.sh \
         (or `dbus-run-session -- scripts/with-keyring.sh cargo test …`)"
    );
    let db = TestDb::new();
    let admin_pc = Pc::new();
    admin_init(&db, &admin_pc);
    // A password that can be found byte for byte, unique to this run.
    let secret = format!("Kq7-{}-secret", random_hex(16));
    let login = db.login("ann");
    as_admin(
        &db,
        &admin_pc,
        &[
            "admin",
            "user",
            "add",
            &login,
            "--name",
            "Ann",
            "--password-stdin",
        ],
    )
    .stdin(&secret)
    .json();
    as_admin(&db, &admin_pc, &["admin", "team", "add", "Tax"]).json();
    as_admin(&db, &admin_pc, &["admin", "team", "member", "Tax", &login]).json();

    let pc = Pc::new();
    let c = pc
        .g()
        .args(&[
            "connect",
            "--data-dir",
            &pc.dd(),
            "--database-url",
            &db.url("ann"),
            "--password-stdin",
            "--remember",
        ])
        .stdin(&secret)
        .json();
    assert_eq!(c["tickets"], 0, "{c}");

    // No PGPASSWORD, no --database-url: the keychain has it.
    pc.g()
        .args(&[
            "--data-dir",
            &pc.dd(),
            "ticket",
            "new",
            "--title",
            "Kept",
            "--team",
            "Tax",
        ])
        .json();
    let s = pc.g().args(&["sync", "--data-dir", &pc.dd()]).json();
    assert_eq!(s["sync"]["pushed"], 1, "{s}");
    assert_eq!(s["pending"], 0, "{s}");
    // With --database-url too.
    let list = pc
        .g()
        .args(&[
            "--data-dir",
            &pc.dd(),
            "--database-url",
            &db.url("ann"),
            "ticket",
            "list",
        ])
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");

    // The password is in no file of this PC.
    let mut files = Vec::new();
    files_under(pc.tmp.path(), &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("guichet.sqlite3")),
        "{files:?}"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the password is written in {}",
            f.display()
        );
    }

    let out = pc.g().args(&["sign-out", "--data-dir", &pc.dd()]).json();
    assert_eq!(out["signed_out"], true, "{out}");
    let e = pc
        .g()
        .args(&["sync", "--data-dir", &pc.dd()])
        .fail_json(FORBIDDEN);
    assert_eq!(e["code"], "login", "{e}");
    // Signing out twice is no error; PGPASSWORD still works.
    pc.g().args(&["sign-out", "--data-dir", &pc.dd()]).json();
    pc.g()
        .password(&secret)
        .args(&["sync", "--data-dir", &pc.dd()])
        .json();
}
