//! The password in the real Secret Service (gnome-keyring in the test's
//! private D-Bus session, see scripts/with-keyring.sh).

use guichet_sync::keychain::{account, Keychain, OsKeychain};

#[test]
fn a_password_is_kept_read_replaced_and_removed_in_the_secret_service() {
    assert!(
        std::env::var("DBUS_SESSION_BUS_ADDRESS").is_ok(),
        "needs a D-Bus session with a Secret Service: run through ./test.sh"
    );
    let k = OsKeychain;
    let a = account(
        &format!("kc{}", std::process::id()),
        "127.0.0.1:5432/guichet",
    );
    assert_eq!(k.get(&a).unwrap(), None);
    k.set(&a, "first-password-123").unwrap();
    assert_eq!(k.get(&a).unwrap().as_deref(), Some("first-password-123"));
    k.set(&a, "second-password-456").unwrap();
    assert_eq!(k.get(&a).unwrap().as_deref(), Some("second-password-456"));
    k.delete(&a).unwrap();
    assert_eq!(k.get(&a).unwrap(), None);
    k.delete(&a).unwrap();
}
