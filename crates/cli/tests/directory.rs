//! Users, teams, categories and contacts: `guichet user|team|category|contact …`.

mod common;

use common::*;
use serde_json::{json, Value};

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|x| x[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

#[test]
fn users_are_added_listed_disabled_and_enabled() {
    let g = Guichet::new();
    let bob = g.json(&[
        "user",
        "add",
        "bob",
        "Bob Keller",
        "--email",
        "bob@firm.example",
    ]);
    assert_eq!(bob["login"], "bob");
    assert_eq!(bob["name"], "Bob Keller");
    assert_eq!(bob["email"], "bob@firm.example");
    assert_eq!(bob["active"], true);
    g.json(&["user", "add", "carla", "Carla Weiß"]);

    let users = g.json(&["user", "list"]);
    let logins: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["alice", "bob", "carla"]);
    assert_eq!(find(&users, "login", "bob"), &bob);
    assert_eq!(find(&users, "login", "carla")["email"], Value::Null);

    let r = g.new_ticket("Zugang Mandantenportal", &["--assignee", "bob"]);
    assert_eq!(
        g.json(&["user", "disable", "bob"]),
        json!({"login": "bob", "active": false})
    );
    assert_eq!(
        find(&g.json(&["user", "list"]), "login", "bob")["active"],
        false
    );
    assert!(g.ok(&["user", "list"]).contains("(disabled)"));
    // A disabled user keeps their tickets…
    assert_eq!(g.show(&r)["ticket"]["assignee"], bob["id"]);

    // …but cannot be given new ones: nothing is written.
    let other = g.new_ticket("Autre dossier", &[]);
    let before = g.snapshot();
    let err = g.fail(&["ticket", "assign", &other, "bob"], INVALID);
    assert!(
        err.contains("assignee") && err.contains("disabled"),
        "{err}"
    );
    let err = g.fail(
        &["ticket", "new", "--title", "Neu", "--assignee", "bob"],
        INVALID,
    );
    assert!(
        err.contains("assignee") && err.contains("disabled"),
        "{err}"
    );
    let e = g.fail_json(&["ticket", "assign", &other, "bob"], INVALID);
    assert_eq!(e["code"], "conflict");
    assert_eq!(g.snapshot(), before);

    assert_eq!(
        g.json(&["user", "enable", "bob"]),
        json!({"login": "bob", "active": true})
    );
    let t = g.json(&["ticket", "assign", &other, "bob"]);
    assert_eq!(t["assignee"], bob["id"]);

    // A login is taken once; a bad login is refused with its field named.
    let before = g.snapshot();
    let err = g.fail(&["user", "add", "bob", "Another Bob"], INVALID);
    assert!(err.contains("login") && err.contains("taken"), "{err}");
    let err = g.fail(&["user", "add", "Bob Keller", "Bob"], INVALID);
    assert!(err.contains("login"), "{err}");
    let err = g.fail(&["user", "add", "dora", "Dora", "--email", "nope"], INVALID);
    assert!(err.contains("email"), "{err}");
    let err = g.fail(&["user", "disable", "nobody"], INVALID);
    assert!(err.contains("nobody"), "{err}");
    assert_eq!(g.snapshot(), before);
    assert!(g.ok(&["user", "add", "dora", "Dora"]).contains("dora"));
}

#[test]
fn teams_and_their_members() {
    let g = Guichet::new();
    let bob = g.json(&["user", "add", "bob", "Bob Keller"]);
    let alice = g.user_id("alice");
    let tax = g.json(&["team", "add", "Fiscal / Steuern"]);
    assert_eq!(tax["name"], "Fiscal / Steuern");
    assert_eq!(tax["members"], json!([]));
    g.json(&["team", "add", "IT"]);

    let m = g.json(&["team", "add-member", "Fiscal / Steuern", "bob"]);
    assert_eq!(
        m,
        json!({"team": "Fiscal / Steuern", "login": "bob", "member": true})
    );
    // Team names are matched without regard to case.
    g.json(&["team", "add-member", "fiscal / steuern", "alice"]);
    // Adding twice is harmless.
    g.json(&["team", "add-member", "Fiscal / Steuern", "bob"]);
    let teams = g.json(&["team", "list"]);
    assert_eq!(teams.as_array().unwrap().len(), 2);
    let t = find(&teams, "name", "Fiscal / Steuern");
    assert_eq!(t["id"], tax["id"]);
    let mut members: Vec<String> = t["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    members.sort();
    assert_eq!(
        members,
        sorted(vec![alice.clone(), bob["id"].as_str().unwrap().to_string()])
    );
    assert_eq!(find(&teams, "name", "IT")["members"], json!([]));
    let text = g.ok(&["team", "list"]);
    assert!(text.contains("alice, bob"), "{text}");

    let m = g.json(&["team", "remove-member", "Fiscal / Steuern", "bob"]);
    assert_eq!(m["member"], false);
    assert_eq!(
        find(&g.json(&["team", "list"]), "name", "Fiscal / Steuern")["members"],
        json!([alice])
    );

    // Refusals name the field; nothing changes.
    let before = g.snapshot();
    let err = g.fail(&["team", "add", "it"], INVALID);
    assert!(
        err.contains("team name") && err.contains("already exists"),
        "{err}"
    );
    let err = g.fail(&["team", "add-member", "Marketing", "bob"], INVALID);
    assert!(err.contains("team") && err.contains("Marketing"), "{err}");
    let err = g.fail(&["team", "add-member", "IT", "nobody"], INVALID);
    assert!(err.contains("user") && err.contains("nobody"), "{err}");
    assert_eq!(g.snapshot(), before);
}

#[test]
fn categories_form_a_tree() {
    let g = Guichet::new();
    let cats = g.json(&["category", "list"]);
    // The seeded tree.
    for key in [
        "client",
        "client/advice",
        "it",
        "admin/court-deadline",
        "hr",
    ] {
        find(&cats, "key", key);
    }
    assert_eq!(find(&cats, "key", "hr")["confidential"], true);
    assert_eq!(find(&cats, "key", "client/advice")["parent"], "client");

    let c = g.json(&[
        "category",
        "add",
        "client/tax",
        "--en",
        "Tax returns",
        "--fr",
        "Déclarations fiscales",
        "--de",
        "Steuererklärungen",
    ]);
    assert_eq!(
        c,
        json!({
            "key": "client/tax",
            "parent": "client",
            "name_en": "Tax returns",
            "name_fr": "Déclarations fiscales",
            "name_de": "Steuererklärungen",
            "confidential": false
        })
    );
    assert_eq!(
        find(&g.json(&["category", "list"]), "key", "client/tax"),
        &c
    );
    let hr = g.json(&[
        "category",
        "add",
        "hr/payroll",
        "--en",
        "Payroll",
        "--fr",
        "Paie",
        "--de",
        "Lohn",
        "--confidential",
    ]);
    assert_eq!(hr["confidential"], true);
    assert!(g.ok(&["category", "list"]).contains("Tax returns"));

    // A ticket in the new child shows under its parent.
    let r = g.new_ticket("Einkommensteuer 2026", &["--category", "client/tax"]);
    assert_eq!(
        refs(&g.json(&["ticket", "list", "--category", "client"])),
        [r.as_str()]
    );

    // Unknown parent, existing key, bad key: refused, field named, nothing written.
    let before = g.snapshot();
    let err = g.fail(
        &[
            "category",
            "add",
            "marketing/events",
            "--en",
            "E",
            "--fr",
            "E",
            "--de",
            "E",
        ],
        INVALID,
    );
    assert!(
        err.contains("category parent") && err.contains("marketing"),
        "{err}"
    );
    let e = g.fail_json(
        &[
            "category",
            "add",
            "marketing/events",
            "--en",
            "E",
            "--fr",
            "E",
            "--de",
            "E",
        ],
        INVALID,
    );
    assert_eq!(e["code"], "unknown");
    let err = g.fail(
        &[
            "category",
            "add",
            "client/tax",
            "--en",
            "E",
            "--fr",
            "E",
            "--de",
            "E",
        ],
        INVALID,
    );
    assert!(
        err.contains("category") && err.contains("already exists"),
        "{err}"
    );
    let err = g.fail(
        &[
            "category",
            "add",
            "Client/Tax",
            "--en",
            "E",
            "--fr",
            "E",
            "--de",
            "E",
        ],
        INVALID,
    );
    assert!(err.contains("category"), "{err}");
    assert_eq!(g.snapshot(), before);
}

#[test]
fn contacts_are_requesters() {
    let g = Guichet::new();
    let c = g.json(&[
        "contact",
        "add",
        "Jean Dupont",
        "--email",
        "jean@dupont.example",
        "--organisation",
        "SCI Les Érables",
    ]);
    assert_eq!(c["name"], "Jean Dupont");
    assert_eq!(c["email"], "jean@dupont.example");
    assert_eq!(c["organisation"], "SCI Les Érables");
    g.json(&["contact", "add", "Anna Krüger"]);
    let list = g.json(&["contact", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Anna Krüger", "Jean Dupont"]);
    assert_eq!(find(&list, "name", "Jean Dupont"), &c);
    assert!(g.ok(&["contact", "list"]).contains("jean@dupont.example"));

    // By name (any case) or by id.
    let t = g.json(&[
        "ticket",
        "new",
        "--title",
        "Bail",
        "--requester",
        "jean dupont",
    ]);
    assert_eq!(t["requester"], json!({"kind": "contact", "id": c["id"]}));
    let t = g.json(&[
        "ticket",
        "new",
        "--title",
        "Bail 2",
        "--requester",
        c["id"].as_str().unwrap(),
    ]);
    assert_eq!(t["requester"]["id"], c["id"]);

    let before = g.snapshot();
    let err = g.fail(
        &[
            "ticket",
            "new",
            "--title",
            "Bail 3",
            "--requester",
            "Inconnu",
        ],
        INVALID,
    );
    assert!(
        err.contains("requester") && err.contains("Inconnu"),
        "{err}"
    );
    let err = g.fail(
        &["contact", "add", "Paul", "--email", "not-an-address"],
        INVALID,
    );
    assert!(err.contains("email"), "{err}");
    let err = g.fail(&["contact", "add", "  "], INVALID);
    assert!(err.contains("name"), "{err}");
    assert_eq!(g.snapshot(), before);
}
