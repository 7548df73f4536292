//! Shared helpers for the `guichet` command-line tests: a throw-away data
//! directory per test, running the real binary on a real SQLite file, and
//! reading its JSON output.

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Exit codes, as documented in `guichet --help` (`exit` module of main.rs).
pub const USAGE: i32 = 2;
pub const INVALID: i32 = 3;
pub const NOT_FOUND: i32 = 4;
pub const DATA: i32 = 5;
pub const IMPORT_REJECTED: i32 = 6;

/// The local user every initialised test directory is created with.
pub const LOGIN: &str = "alice";

/// One test's world: a temporary directory holding the data directory
/// (`<tmp>/data`) and, beside it, any files the test writes (attachments,
/// export files), so those never land inside the data directory.
pub struct Guichet {
    tmp: TempDir,
}

impl Guichet {
    /// A data directory that does not exist yet.
    pub fn uninitialised() -> Guichet {
        Guichet {
            tmp: tempfile::Builder::new()
                .prefix("guichet-cli-test")
                .tempdir()
                .expect("a temporary directory"),
        }
    }

    /// An initialised data directory with local user `alice`.
    pub fn new() -> Guichet {
        let g = Guichet::uninitialised();
        g.json(&["init", "--login", LOGIN, "--name", "Alice Martin"]);
        g
    }

    pub fn data_dir(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    pub fn db_file(&self) -> PathBuf {
        self.data_dir().join("guichet.sqlite3")
    }

    /// A path beside (not inside) the data directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn write_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write a test file");
        p
    }

    /// The binary, pointed at this test's data directory, with the
    /// environment that could change its behaviour cleared.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
        c.env_remove("GUICHET_DATA_DIR")
            .env_remove("GUICHET_LOG")
            .env("RUST_BACKTRACE", "0")
            .arg("--data-dir")
            .arg(self.data_dir());
        c
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run guichet");
        assert!(
            out.status.success(),
            "guichet {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs `guichet --json ARGS`, which must succeed, and parses its output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("guichet {all:?} printed no JSON ({e}):\n{out}"))
    }

    /// Runs a command that must fail with `code`; returns standard error.
    /// Standard output must stay empty: a refused command reports nothing
    /// as done.
    pub fn fail(&self, args: &[&str], code: i32) -> String {
        let out = self.cmd().args(args).output().expect("run guichet");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "guichet {args:?}: expected exit code {code}\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            out.stdout.is_empty(),
            "guichet {args:?} failed but printed on standard output: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.trim().is_empty(), "guichet {args:?}: no message");
        stderr
    }

    /// Runs `guichet --json ARGS`, which must fail with `code`; returns the
    /// `error` object printed on standard error.
    pub fn fail_json(&self, args: &[&str], code: i32) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let stderr = self.fail(&all, code);
        error_object(&stderr)
    }

    /// The whole database as `guichet --json export` writes it (JSON lines
    /// on standard output): equal snapshots mean an unchanged database.
    pub fn snapshot(&self) -> String {
        let out = self.ok(&["--json", "export"]);
        assert!(out.starts_with("{\"record\":\"header\""), "{out}");
        out
    }

    /// `(tickets, events)` as `status --json` counts them.
    pub fn counts(&self) -> (i64, i64) {
        let s = self.json(&["status"]);
        (
            s["tickets"].as_i64().expect("tickets count"),
            s["events"].as_i64().expect("events count"),
        )
    }

    /// Creates a ticket; returns its reference.
    pub fn new_ticket(&self, title: &str, extra: &[&str]) -> String {
        let mut args = vec!["ticket", "new", "--title", title];
        args.extend_from_slice(extra);
        let t = self.json(&args);
        assert_eq!(t["title"], title.trim());
        t["reference"].as_str().expect("a reference").to_string()
    }

    /// `ticket show --json`: `{ "ticket": …, "comments": [...] }`.
    pub fn show(&self, reference: &str) -> Value {
        self.json(&["ticket", "show", reference])
    }

    pub fn history(&self, reference: &str) -> Vec<Value> {
        self.json(&["ticket", "history", reference])
            .as_array()
            .expect("history is an array")
            .clone()
    }

    /// A user's id by login.
    pub fn user_id(&self, login: &str) -> String {
        let users = self.json(&["user", "list"]);
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["login"] == login)
            .unwrap_or_else(|| panic!("no user {login} in {users}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Every file under `<data-dir>/attachments`, sub-directories excluded.
    pub fn blobs(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        walk(&self.data_dir().join("attachments"), &mut found);
        found.sort();
        found
    }

    /// Makes sure the database file itself holds everything written so far:
    /// SQLite checkpoints its write-ahead log when the last connection
    /// closes, which a plain read command does on exit. Tests that damage the
    /// file on disk need that, or the damage would hit stale pages only.
    pub fn settle(&self) {
        let wal = self.data_dir().join("guichet.sqlite3-wal");
        for _ in 0..50 {
            if !wal.exists() {
                return;
            }
            self.ok(&["status"]);
        }
        panic!(
            "the write-ahead log {} is never checkpointed",
            wal.display()
        );
    }
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, found);
        } else {
            found.push(p);
        }
    }
}

/// The `{"error": {...}}` object among the lines of standard error.
pub fn error_object(stderr: &str) -> Value {
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

/// The references of a `ticket list --json` or `ticket search --json` result, in order.
pub fn refs(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|t| t["reference"].as_str().unwrap().to_string())
        .collect()
}

/// The same references sorted, for comparing sets.
pub fn ref_set(list: &Value) -> Vec<String> {
    let mut r = refs(list);
    r.sort();
    r
}

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Today and offsets from it, as the command line's saved views see them.
pub fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}
