//! Helpers shared by the store's integration tests: a fresh store in a
//! temporary directory, ticket input, a small seeded random generator and
//! the example programs used as separate writer processes.
#![allow(dead_code)]

use guichet_domain::{NewTicket, Ticket, UserId};
use guichet_store::{Error, Store};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

/// A store initialised in its own temporary directory; the directory goes
/// away with the value.
pub struct Fixture {
    pub tmp: TempDir,
    pub store: Store,
    /// The local user `Store::init` created.
    pub me: UserId,
}

impl Fixture {
    pub fn dir(&self) -> PathBuf {
        self.tmp.path().join("data")
    }
}

pub async fn fresh() -> Fixture {
    fresh_as("admin", "Admin Istrator").await
}

pub async fn fresh_as(login: &str, name: &str) -> Fixture {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let store = Store::init(&tmp.path().join("data"), login, name)
        .await
        .expect("init");
    let me = store.local_user().await.expect("local user");
    Fixture { tmp, store, me }
}

/// The smallest valid ticket input.
pub fn new_ticket(title: &str, category: &str) -> NewTicket {
    NewTicket {
        title: title.into(),
        category: category.into(),
        ..NewTicket::default()
    }
}

/// The reference of a stored ticket, as commands take it.
pub fn key(t: &Ticket) -> String {
    t.reference.to_string()
}

/// Asserts that `r` failed with the given [`Error::code`] and returns the error.
#[track_caller]
pub fn expect_code<T: std::fmt::Debug>(r: guichet_store::Result<T>, code: &str) -> Error {
    match r {
        Ok(v) => panic!("expected a '{code}' error, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.code(), code, "unexpected error: {e}");
            e
        }
    }
}

/// SplitMix64: a tiny seeded generator so that "random" test runs repeat.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Every regular file below `dir`, sorted; for "nothing was written" checks.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Builds the crate's example programs once per test binary (a no-op when
/// `cargo test` already built them) and returns the path of `name`.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<Vec<(String, PathBuf)>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let mut cargo = std::process::Command::new(env!("CARGO"));
        cargo.args([
            "build",
            "-q",
            "-p",
            "guichet-store",
            "--examples",
            "--message-format=json",
        ]);
        if !cfg!(debug_assertions) {
            // The tests were built with `--release`: use the same build.
            cargo.arg("--release");
        }
        let out = cargo
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "cargo build --examples failed");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["reason"] == "compiler-artifact")
            .filter_map(|m| {
                let name = m["target"]["name"].as_str()?.to_string();
                let exe = m["executable"].as_str()?;
                Some((name, PathBuf::from(exe)))
            })
            .collect()
    });
    built
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| p.clone())
        .unwrap_or_else(|| panic!("example '{name}' was not built"))
}
