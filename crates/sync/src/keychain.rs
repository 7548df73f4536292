//! The user's database password, kept in the operating system's keychain
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) and nowhere else: never in a file of the data directory, never
//! in a log. An in-memory keychain serves unit tests.

use crate::{Error, Result};
use std::collections::HashMap;
use std::sync::Mutex;

/// The keychain entry's service name; the account is `login@server`.
pub const SERVICE: &str = "guichet";

pub trait Keychain: Send + Sync {
    fn set(&self, account: &str, secret: &str) -> Result<()>;
    /// `Ok(None)` when nothing is stored for the account.
    fn get(&self, account: &str) -> Result<Option<String>>;
    /// Removes the entry; removing a missing one is not an error.
    fn delete(&self, account: &str) -> Result<()>;
}

/// The account name of a login on a server (`ann@db.firm.local/guichet`).
pub fn account(login: &str, server: &str) -> String {
    format!("{login}@{server}")
}

/// The keychain account of the login of a server URL (the URL without its
/// password names the server).
pub fn account_for_url(url: &str) -> Result<String> {
    let o = crate::server_options(url, None)?;
    Ok(account(o.get_username(), &crate::engine::redact_url(url)))
}

/// The operating system's keychain.
#[cfg(feature = "keychain")]
pub struct OsKeychain;

/// The OS keychain from async code, on a blocking thread: its Secret
/// Service client runs a runtime of its own, which may not start inside a
/// tokio runtime.
#[cfg(feature = "keychain")]
pub mod os {
    use super::{Keychain, OsKeychain};
    use crate::{Error, Result};

    async fn blocking<T: Send + 'static>(
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| Error::Keychain(e.to_string()))?
    }

    pub async fn get(account: String) -> Result<Option<String>> {
        blocking(move || OsKeychain.get(&account)).await
    }

    pub async fn set(account: String, secret: String) -> Result<()> {
        blocking(move || OsKeychain.set(&account, &secret)).await
    }

    pub async fn delete(account: String) -> Result<()> {
        blocking(move || OsKeychain.delete(&account)).await
    }
}

#[cfg(feature = "keychain")]
impl OsKeychain {
    fn entry(account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, account).map_err(|e| Error::Keychain(e.to_string()))
    }
}

#[cfg(feature = "keychain")]
impl Keychain for OsKeychain {
    fn set(&self, account: &str, secret: &str) -> Result<()> {
        OsKeychain::entry(account)?
            .set_password(secret)
            .map_err(|e| Error::Keychain(e.to_string()))
    }

    fn get(&self, account: &str) -> Result<Option<String>> {
        match OsKeychain::entry(account)?.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::Keychain(e.to_string())),
        }
    }

    fn delete(&self, account: &str) -> Result<()> {
        match OsKeychain::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Error::Keychain(e.to_string())),
        }
    }
}

/// A keychain in memory, for unit tests of the logic around it.
#[derive(Default)]
pub struct MemoryKeychain(Mutex<HashMap<String, String>>);

impl Keychain for MemoryKeychain {
    fn set(&self, account: &str, secret: &str) -> Result<()> {
        self.0
            .lock()
            .expect("lock")
            .insert(account.into(), secret.into());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<Option<String>> {
        Ok(self.0.lock().expect("lock").get(account).cloned())
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.0.lock().expect("lock").remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_keychain_sets_gets_and_deletes() {
        let k = MemoryKeychain::default();
        let a = account("ann", "db.firm/guichet");
        assert_eq!(k.get(&a).unwrap(), None);
        k.set(&a, "s3cret-passphrase").unwrap();
        assert_eq!(k.get(&a).unwrap().as_deref(), Some("s3cret-passphrase"));
        k.set(&a, "another-one-here").unwrap();
        assert_eq!(k.get(&a).unwrap().as_deref(), Some("another-one-here"));
        k.delete(&a).unwrap();
        k.delete(&a).unwrap();
        assert_eq!(k.get(&a).unwrap(), None);
    }
}
