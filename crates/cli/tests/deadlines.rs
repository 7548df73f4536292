//! `guichet deadlines ics`: the open tickets' deadlines as an iCalendar feed.

use assert_cmd::Command;

fn guichet(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("guichet").unwrap();
    c.arg("--data-dir").arg(dir);
    c
}

#[test]
fn the_feed_holds_open_deadlines_on_their_effective_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    guichet(&dir)
        .args(["init", "--login", "anna"])
        .assert()
        .success();
    // Saturday 2027-05-15 rolls to Tuesday 18 (Whit Monday 17) in France.
    let mk = |title: &str, due: &str| {
        guichet(&dir)
            .args([
                "ticket",
                "new",
                "--title",
                title,
                "--category",
                "client/advice",
                "--due",
                due,
                "--assignee",
                "me",
            ])
            .assert()
            .success();
    };
    mk("Conclusions d'appel", "2027-05-15");
    mk("Déclaration TVA", "2027-05-20");
    let out = guichet(&dir)
        .args(["deadlines", "ics", "--assignee", "me", "--days", "3660"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap().replace("\r\n ", "");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2, "{text}");
    assert!(text.contains("DTSTART;VALUE=DATE:20270518\r\n"), "{text}");
    assert!(text.contains("Conclusions d'appel"));

    // Bad input names the field.
    let bad = guichet(&dir)
        .args(["deadlines", "ics", "--days", "0"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("days"));
    let bad = guichet(&dir)
        .args(["deadlines", "ics", "--assignee", "nobody"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("assignee"));
}

#[test]
fn a_team_gets_a_lead_and_a_bad_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    guichet(&dir)
        .args(["init", "--login", "anna"])
        .assert()
        .success();
    guichet(&dir)
        .args(["user", "add", "bob", "Bob Martin"])
        .assert()
        .success();
    guichet(&dir)
        .args(["team", "add", "Fiscal"])
        .assert()
        .success();
    guichet(&dir)
        .args(["team", "lead", "Fiscal", "bob"])
        .assert()
        .success();
    let out = guichet(&dir)
        .args(["--json", "team", "list"])
        .output()
        .unwrap();
    let teams: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let users = guichet(&dir)
        .args(["--json", "user", "list"])
        .output()
        .unwrap();
    let users: serde_json::Value = serde_json::from_slice(&users.stdout).unwrap();
    let bob = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "bob")
        .unwrap();
    assert_eq!(teams[0]["lead"], bob["id"]);

    let bad = guichet(&dir)
        .args(["team", "lead", "Fiscal", "nobody"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("lead"));
    guichet(&dir)
        .args(["team", "lead", "Fiscal", "none"])
        .assert()
        .success();
    let out = guichet(&dir)
        .args(["--json", "team", "list"])
        .output()
        .unwrap();
    let teams: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(teams[0]["lead"].is_null());
}
