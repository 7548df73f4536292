//! `guichet init`, `status`, `check` and every `guichet ticket …` command,
//! through the real binary on a real SQLite file, read back as JSON.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn init_is_idempotent_and_status_and_check_report() {
    let g = Guichet::uninitialised();
    let first = g.json(&["init", "--login", "alice", "--name", "Alice Martin"]);
    assert_eq!(first["user"], "alice");
    let replica = first["replica"].as_str().unwrap().to_string();
    assert_eq!(replica.len(), 4, "{first}");
    assert!(g.db_file().is_file());

    let t = g.new_ticket("Kept across a second init", &[]);
    let before = g.snapshot();
    // Again, even with another login: nothing changes, the same replica answers.
    let second = g.json(&["init", "--login", "bob"]);
    assert_eq!(second["replica"], replica);
    assert_eq!(second["user"], "alice");
    assert_eq!(g.snapshot(), before);
    assert_eq!(g.json(&["user", "list"]).as_array().unwrap().len(), 1);

    let status = g.json(&["status"]);
    assert_eq!(status["replica"], replica);
    assert_eq!(status["tickets"], 1);
    assert_eq!(status["events"], 1);
    assert_eq!(status["data_dir"], g.data_dir().to_str().unwrap());
    assert_eq!(g.json(&["check"]), json!({ "ok": true }));
    assert!(t.starts_with(&format!("{replica}-")), "{t}");

    // The data directory can come from the environment instead of --data-dir.
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_guichet"))
        .env("GUICHET_DATA_DIR", g.data_dir())
        .env_remove("GUICHET_LOG")
        .args(["--json", "status"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let via_env: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(via_env["replica"], replica);
    assert_eq!(via_env["tickets"], 1);

    // Text output too.
    assert!(g.ok(&["check"]).contains("sound"));
    assert!(g.ok(&["status"]).contains(&replica));
}

/// bob (user), team Tax, contact Jean Dupont.
fn firm() -> Guichet {
    let g = Guichet::new();
    g.json(&[
        "user",
        "add",
        "bob",
        "Bob Keller",
        "--email",
        "bob@firm.example",
    ]);
    g.json(&["team", "add", "Tax"]);
    g.json(&[
        "contact",
        "add",
        "Jean Dupont",
        "--email",
        "jean@client.example",
    ]);
    g
}

fn contact_id(g: &Guichet, name: &str) -> String {
    let contacts = g.json(&["contact", "list"]);
    contacts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn team_id(g: &Guichet, name: &str) -> String {
    let teams = g.json(&["team", "list"]);
    teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn new_ticket_takes_every_option() {
    let g = firm();
    let alice = g.user_id("alice");
    let bob = g.user_id("bob");
    let tax = team_id(&g, "Tax");
    let dupont = contact_id(&g, "Jean Dupont");

    let t = g.json(&[
        "ticket",
        "new",
        "--title",
        "  Déclaration TVA du 3e trimestre  ",
        "--description",
        "Pièces reçues le 2 octobre.",
        "--category",
        "client/advice",
        "--priority",
        "high",
        "--assignee",
        "me",
        "--team",
        "tax",
        "--requester",
        "Jean Dupont",
        "--matter",
        "2027/0042",
        "--due",
        "2027-03-31",
        "--tag",
        "VAT",
        "--tag",
        "q3",
    ]);
    assert_eq!(t["title"], "Déclaration TVA du 3e trimestre");
    assert_eq!(t["description"], "Pièces reçues le 2 octobre.");
    assert_eq!(t["category"], "client/advice");
    assert_eq!(t["priority"], "high");
    assert_eq!(t["status"], "new");
    assert_eq!(t["assignee"], alice.as_str());
    assert_eq!(t["team"], tax.as_str());
    assert_eq!(t["requester"], json!({ "kind": "contact", "id": dupont }));
    assert_eq!(t["matter"], "2027/0042");
    assert_eq!(t["due"], "2027-03-31");
    assert_eq!(t["tags"], json!(["q3", "vat"]));
    assert_eq!(t["created_by"], alice.as_str());
    assert_eq!(t["comments"], 0);
    let reference = t["reference"].as_str().unwrap();
    assert!(reference.ends_with("-1"), "{reference}");

    // What was printed is what is stored.
    let shown = g.show(reference);
    assert_eq!(shown["ticket"], t);
    assert_eq!(shown["comments"], json!([]));

    // A user's login as assignee and as requester; defaults elsewhere.
    let t2 = g.json(&[
        "ticket",
        "new",
        "--title",
        "Zugang zum DATEV-Portal",
        "--assignee",
        "bob",
        "--requester",
        "bob",
    ]);
    assert_eq!(t2["assignee"], bob.as_str());
    assert_eq!(t2["requester"], json!({ "kind": "user", "id": bob }));
    assert_eq!(t2["category"], "client");
    assert_eq!(t2["priority"], "normal");
    assert_eq!(t2["team"], Value::Null);
    assert_eq!(t2["due"], Value::Null);
    assert_eq!(t2["matter"], Value::Null);
    assert_eq!(t2["tags"], json!([]));
    assert!(t2["reference"].as_str().unwrap().ends_with("-2"));

    // Text output names the reference.
    let text = g.ok(&["ticket", "new", "--title", "Plain"]);
    assert!(
        text.starts_with("Created ") && text.contains("Plain"),
        "{text}"
    );
}

#[test]
fn list_views_filters_sorting_and_paging() {
    let g = firm();
    g.json(&[
        "category",
        "add",
        "client/advice/tax",
        "--en",
        "Tax advice",
        "--fr",
        "Conseil fiscal",
        "--de",
        "Steuerberatung",
    ]);
    let a = g.new_ticket(
        "A overdue, mine",
        &[
            "--assignee",
            "me",
            "--due",
            &day(-1),
            "--priority",
            "high",
            "--category",
            "client/advice",
            "--tag",
            "vat",
            "--team",
            "Tax",
        ],
    );
    let b = g.new_ticket(
        "B due today, waiting",
        &[
            "--due",
            &day(0),
            "--category",
            "client",
            "--requester",
            "Jean Dupont",
        ],
    );
    g.json(&["ticket", "status", &b, "waiting"]);
    let c = g.new_ticket(
        "C later, bob",
        &[
            "--assignee",
            "bob",
            "--due",
            &day(10),
            "--priority",
            "low",
            "--category",
            "it/hardware",
            "--tag",
            "VAT",
        ],
    );
    let d = g.new_ticket("D resolved", &["--category", "admin"]);
    g.json(&["ticket", "status", &d, "resolved"]);
    let e = g.new_ticket("E grandchild", &["--category", "client/advice/tax"]);
    let v = |r: &[&String]| sorted(r.iter().map(|s| s.to_string()).collect());

    let list = |args: &[&str]| {
        let mut all = vec!["ticket", "list"];
        all.extend_from_slice(args);
        g.json(&all)
    };

    // Default: everything, most recently changed first.
    let everything = list(&[]);
    assert_eq!(
        refs(&everything),
        [e.as_str(), d.as_str(), c.as_str(), b.as_str(), a.as_str()]
    );
    let row_a = &everything[4];
    assert_eq!(row_a["title"], "A overdue, mine");
    assert_eq!(row_a["assignee"], "alice");
    assert_eq!(row_a["team"], "Tax");
    assert_eq!(row_a["due"], day(-1));
    assert_eq!(row_a["priority"], "high");
    assert_eq!(row_a["status"], "new");
    assert_eq!(row_a["category"], "client/advice");
    assert_eq!(row_a["comments"], 0);
    assert_eq!(everything[3]["status"], "waiting");
    assert_eq!(everything[3]["assignee"], Value::Null);

    // Saved views.
    assert_eq!(refs(&list(&["--view", "mine"])), [a.as_str()]);
    assert_eq!(ref_set(&list(&["--view", "unassigned"])), v(&[&b, &e]));
    assert_eq!(refs(&list(&["--view", "overdue"])), [a.as_str()]);
    assert_eq!(refs(&list(&["--view", "due-this-week"])), [b.as_str()]);
    assert_eq!(refs(&list(&["--view", "waiting"])), [b.as_str()]);
    assert_eq!(ref_set(&list(&["--view", "open"])), v(&[&a, &b, &c, &e]));

    // Filters.
    assert_eq!(refs(&list(&["--status", "waiting"])), [b.as_str()]);
    assert_eq!(
        ref_set(&list(&["--status", "waiting", "--status", "resolved"])),
        v(&[&b, &d])
    );
    assert_eq!(refs(&list(&["--priority", "high"])), [a.as_str()]);
    assert_eq!(
        ref_set(&list(&["--priority", "high", "--priority", "low"])),
        v(&[&a, &c])
    );
    assert_eq!(ref_set(&list(&["--assignee", "none"])), v(&[&b, &d, &e]));
    assert_eq!(refs(&list(&["--assignee", "bob"])), [c.as_str()]);
    assert_eq!(refs(&list(&["--assignee", "me"])), [a.as_str()]);
    assert_eq!(refs(&list(&["--team", "Tax"])), [a.as_str()]);
    assert_eq!(refs(&list(&["--team", "tax"])), [a.as_str()]);
    // A category includes its children and grandchildren, not its siblings.
    assert_eq!(ref_set(&list(&["--category", "client"])), v(&[&a, &b, &e]));
    assert_eq!(
        ref_set(&list(&["--category", "client/advice"])),
        v(&[&a, &e])
    );
    assert_eq!(
        refs(&list(&["--category", "client/advice/tax"])),
        [e.as_str()]
    );
    assert_eq!(refs(&list(&["--category", "it"])), [c.as_str()]);
    assert_eq!(refs(&list(&["--requester", "Jean Dupont"])), [b.as_str()]);
    assert_eq!(ref_set(&list(&["--tag", "vat"])), v(&[&a, &c]));
    assert_eq!(
        refs(&list(&["--tag", "nothing-tagged"])),
        Vec::<String>::new()
    );
    assert_eq!(
        ref_set(&list(&["--due-from", &day(0), "--due-to", &day(10)])),
        v(&[&b, &c])
    );
    assert_eq!(refs(&list(&["--due-to", &day(-1)])), [a.as_str()]);
    assert_eq!(refs(&list(&["--due-from", &day(1)])), [c.as_str()]);
    // Filters combine; a view and a filter too.
    assert_eq!(
        refs(&list(&["--tag", "vat", "--assignee", "bob"])),
        [c.as_str()]
    );
    assert_eq!(
        refs(&list(&["--view", "open", "--category", "admin"])),
        Vec::<String>::new()
    );

    // Sorting.
    assert_eq!(
        refs(&list(&["--sort", "due"])),
        [a.as_str(), b.as_str(), c.as_str(), d.as_str(), e.as_str()]
    );
    assert_eq!(
        refs(&list(&["--sort", "created"])),
        [e.as_str(), d.as_str(), c.as_str(), b.as_str(), a.as_str()]
    );
    let by_priority = refs(&list(&["--sort", "priority"]));
    assert_eq!(by_priority.first(), Some(&a));
    assert_eq!(by_priority.last(), Some(&c));

    // Paging.
    assert_eq!(
        refs(&list(&["--sort", "due", "--limit", "2", "--offset", "1"])),
        [b.as_str(), c.as_str()]
    );
    assert_eq!(
        refs(&list(&["--sort", "due", "--limit", "2"])),
        [a.as_str(), b.as_str()]
    );
    assert_eq!(
        refs(&list(&["--sort", "due", "--limit", "2", "--offset", "4"])),
        [e.as_str()]
    );
    assert_eq!(refs(&list(&["--offset", "5"])), Vec::<String>::new());

    // Text output: one line per ticket.
    let text = g.ok(&["ticket", "list", "--sort", "due"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].starts_with(a.as_str()) && lines[0].contains("alice"));
    assert!(g
        .ok(&["ticket", "list", "--status", "closed"])
        .contains("No tickets."));
}

#[test]
fn show_edit_and_history() {
    let g = firm();
    let bob = g.user_id("bob");
    let alice = g.user_id("alice");
    let dupont = contact_id(&g, "Jean Dupont");
    let r = g.new_ticket(
        "Kündigung Mietvertrag",
        &["--matter", "M-1", "--due", "2027-01-15", "--tag", "miete"],
    );

    let edited = g.json(&[
        "ticket",
        "edit",
        &r,
        "--title",
        "Kündigung Mietvertrag prüfen",
        "--description",
        "Frist: drei Monate.",
        "--category",
        "client/documents",
        "--priority",
        "urgent",
        "--matter",
        "M-2",
        "--due",
        "2027-02-01",
        "--requester",
        "Jean Dupont",
        "--add-tag",
        "Frist",
        "--remove-tag",
        "miete",
        "--watch",
        "bob",
        "--watch",
        "me",
    ]);
    assert_eq!(edited["title"], "Kündigung Mietvertrag prüfen");
    assert_eq!(edited["description"], "Frist: drei Monate.");
    assert_eq!(edited["category"], "client/documents");
    assert_eq!(edited["priority"], "urgent");
    assert_eq!(edited["matter"], "M-2");
    assert_eq!(edited["due"], "2027-02-01");
    assert_eq!(
        edited["requester"],
        json!({"kind": "contact", "id": dupont})
    );
    assert_eq!(edited["tags"], json!(["frist"]));
    assert_eq!(
        edited["watchers"],
        json!(sorted(vec![alice.clone(), bob.clone()]))
    );
    assert_eq!(g.show(&r)["ticket"], edited);

    // Clearing: due date `none`, matter empty, requester `none`; unwatch; a user as requester.
    let cleared = g.json(&[
        "ticket",
        "edit",
        &r,
        "--due",
        "none",
        "--matter",
        "",
        "--unwatch",
        "bob",
    ]);
    assert_eq!(cleared["due"], Value::Null);
    assert_eq!(cleared["matter"], Value::Null);
    assert_eq!(cleared["watchers"], json!([alice]));
    let by_user = g.json(&["ticket", "edit", &r, "--requester", "bob"]);
    assert_eq!(by_user["requester"], json!({"kind": "user", "id": bob}));
    let nobody = g.json(&["ticket", "edit", &r, "--requester", "none"]);
    assert_eq!(nobody["requester"], Value::Null);

    // An edit that changes nothing writes nothing.
    let events = g.history(&r).len();
    g.json(&[
        "ticket",
        "edit",
        &r,
        "--priority",
        "urgent",
        "--add-tag",
        "frist",
        "--unwatch",
        "bob",
    ]);
    assert_eq!(g.history(&r).len(), events);

    // History, oldest first, with who and what.
    let h = g.history(&r);
    let types: Vec<&str> = h.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types[0], "created");
    assert_eq!(h[0]["title"], "Kündigung Mietvertrag");
    assert_eq!(h[0]["reference"], r.as_str());
    for t in [
        "changed",
        "tag_added",
        "tag_removed",
        "watcher_added",
        "watcher_removed",
    ] {
        assert!(types.contains(&t), "no {t} in {types:?}");
    }
    let changed: Vec<(&str, &Value, &Value)> = h
        .iter()
        .filter(|e| e["type"] == "changed")
        .map(|e| (e["field"].as_str().unwrap(), &e["old"], &e["new"]))
        .collect();
    assert!(changed.contains(&(
        "title",
        &json!("Kündigung Mietvertrag"),
        &json!("Kündigung Mietvertrag prüfen")
    )));
    assert!(changed.contains(&("priority", &json!("normal"), &json!("urgent"))));
    assert!(changed.contains(&("due", &json!("2027-01-15"), &json!("2027-02-01"))));
    assert!(changed.contains(&("due", &json!("2027-02-01"), &Value::Null)));
    assert!(changed.contains(&("matter", &json!("M-2"), &Value::Null)));
    assert!(changed.contains(&("category", &json!("client"), &json!("client/documents"))));
    for e in &h {
        assert_eq!(e["actor"], alice.as_str());
        assert_eq!(e["ticket"], edited["id"]);
        assert!(e["id"].is_string() && e["hlc"].is_string() && e["at"].is_string());
    }
    let hlcs: Vec<&str> = h.iter().map(|e| e["hlc"].as_str().unwrap()).collect();
    let mut ordered = hlcs.clone();
    ordered.sort();
    assert_eq!(hlcs, ordered, "history is in clock order");

    // Text forms.
    let text = g.ok(&["ticket", "show", &r]);
    assert!(text.contains("Kündigung Mietvertrag prüfen") && text.contains("urgent"));
    let text = g.ok(&["ticket", "history", &r]);
    assert!(text.contains("created \"Kündigung Mietvertrag\""), "{text}");
    // References are read case-insensitively.
    assert_eq!(g.show(&r.to_lowercase())["ticket"]["id"], edited["id"]);
}

#[test]
fn status_moves_and_assignment() {
    let g = firm();
    let bob = g.user_id("bob");
    let alice = g.user_id("alice");
    let tax = team_id(&g, "Tax");
    let r = g.new_ticket("Pfändungsbeschluss", &[]);

    for s in [
        "open",
        "in_progress",
        "waiting",
        "resolved",
        "closed",
        "open",
    ] {
        let t = g.json(&["ticket", "status", &r, s]);
        assert_eq!(t["status"], s);
    }
    // Spelling variants of a status are accepted.
    assert_eq!(
        g.json(&["ticket", "status", &r, "In-Progress"])["status"],
        "in_progress"
    );
    let moves: Vec<(String, String)> = g
        .history(&r)
        .iter()
        .filter(|e| e["field"] == "status")
        .map(|e| {
            (
                e["old"].as_str().unwrap().into(),
                e["new"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("new", "open"),
            ("open", "in_progress"),
            ("in_progress", "waiting"),
            ("waiting", "resolved"),
            ("resolved", "closed"),
            ("closed", "open"),
            ("open", "in_progress"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    let t = g.json(&["ticket", "assign", &r, "bob"]);
    assert_eq!(t["assignee"], bob.as_str());
    let t = g.json(&["ticket", "assign", &r, "me", "--team", "Tax"]);
    assert_eq!(t["assignee"], alice.as_str());
    assert_eq!(t["team"], tax.as_str());
    let t = g.json(&["ticket", "assign", &r, "none"]);
    assert_eq!(t["assignee"], Value::Null);
    assert_eq!(t["team"], tax.as_str());
    let t = g.json(&["ticket", "assign", &r, "--team", "none"]);
    assert_eq!(t["team"], Value::Null);
    let assignees: Vec<Value> = g
        .history(&r)
        .iter()
        .filter(|e| e["field"] == "assignee")
        .map(|e| e["new"].clone())
        .collect();
    assert_eq!(assignees, [json!(bob), json!(alice), Value::Null]);
    let teams: Vec<Value> = g
        .history(&r)
        .iter()
        .filter(|e| e["field"] == "team")
        .map(|e| e["new"].clone())
        .collect();
    assert_eq!(teams, [json!(tax), Value::Null]);
    assert!(g
        .ok(&["ticket", "status", &r, "waiting"])
        .contains("is now waiting"));
}

#[test]
fn replies_and_internal_notes_are_told_apart() {
    let g = firm();
    let r = g.new_ticket("Question sur les honoraires", &[]);
    let reply = g.json(&["ticket", "comment", &r, "Nous revenons vers vous demain."]);
    assert_eq!(reply["type"], "commented");
    assert_eq!(reply["visibility"], "reply");
    let note = g.json(&["ticket", "note", &r, "Client difficile, voir dossier."]);
    assert_eq!(note["visibility"], "internal");

    let shown = g.show(&r);
    let comments = shown["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["visibility"], "reply");
    assert_eq!(comments[0]["body"], "Nous revenons vers vous demain.");
    assert_eq!(comments[0]["author"], "alice");
    assert_eq!(comments[0]["event_id"], reply["id"]);
    assert_eq!(comments[1]["visibility"], "internal");
    assert_eq!(comments[1]["body"], "Client difficile, voir dossier.");
    assert_eq!(comments[1]["event_id"], note["id"]);
    assert_eq!(shown["ticket"]["comments"], 2);
    assert_eq!(g.json(&["ticket", "list"])[0]["comments"], 2);

    let h = g.history(&r);
    let kinds: Vec<(&str, &str)> = h
        .iter()
        .skip(1)
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["visibility"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("commented", "reply"), ("commented", "internal")]);

    let text = g.ok(&["ticket", "show", &r]);
    assert!(text.contains("--- reply by alice"), "{text}");
    assert!(text.contains("--- internal note by alice"), "{text}");
}

/// SHA-256 of the three bytes "abc" (FIPS 180-2 test vector).
const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

#[test]
fn attachments_are_stored_once_by_content() {
    let g = firm();
    let r = g.new_ticket("Pièces justificatives", &[]);
    let file = g.write_file("facture.pdf", b"abc");

    let a = g.json(&["ticket", "attach", &r, file.to_str().unwrap()]);
    assert_eq!(
        a,
        json!({"sha256": ABC_SHA256, "name": "facture.pdf", "size": 3, "mime": "application/pdf"})
    );
    let shown = g.show(&r);
    assert_eq!(shown["ticket"]["attachments"], json!([a]));
    let blob = g
        .data_dir()
        .join("attachments")
        .join(&ABC_SHA256[..2])
        .join(ABC_SHA256);
    assert_eq!(std::fs::read(&blob).unwrap(), b"abc");
    assert_eq!(g.blobs(), std::slice::from_ref(&blob));

    // The same bytes under another name: a second attachment, one stored file.
    let copy = g.write_file("copie.txt", b"abc");
    let b = g.json(&["ticket", "attach", &r, copy.to_str().unwrap()]);
    assert_eq!(b["sha256"], ABC_SHA256);
    assert_eq!(b["mime"], "text/plain");
    let atts = g.show(&r)["ticket"]["attachments"].clone();
    assert_eq!(atts.as_array().unwrap().len(), 2);
    assert_eq!(atts[1]["name"], "copie.txt");
    assert_eq!(g.blobs(), [blob]);

    let h = g.history(&r);
    assert_eq!(h[1]["type"], "attachment_added");
    assert_eq!(h[1]["attachment"], a);
    let text = g.ok(&["ticket", "show", &r]);
    assert!(text.contains("attachment: facture.pdf (3 bytes"), "{text}");
}

#[test]
fn links_between_tickets() {
    let g = firm();
    let main = g.new_ticket("Succession Lambert", &[]);
    let parent = g.new_ticket("Dossier Lambert", &[]);
    let other = g.new_ticket("Succession Lambert (doublon)", &[]);
    let id = |r: &str| g.show(r)["ticket"]["id"].as_str().unwrap().to_string();
    let (parent_id, other_id) = (id(&parent), id(&other));

    g.json(&["ticket", "link", &main, "related", &other]);
    g.json(&["ticket", "link", &main, "parent", &parent]);
    let t = g.json(&["ticket", "link", &other, "duplicate_of", &main]);
    assert_eq!(
        t["links"],
        json!([{"kind": "duplicate_of", "target": id(&main)}])
    );
    let links = g.show(&main)["ticket"]["links"].clone();
    assert_eq!(
        links,
        json!([
            {"kind": "related", "target": other_id},
            {"kind": "parent", "target": parent_id},
        ])
    );
    // Linking twice writes nothing; --remove removes.
    let n = g.history(&main).len();
    g.json(&["ticket", "link", &main, "related", &other]);
    assert_eq!(g.history(&main).len(), n);
    let t = g.json(&["ticket", "link", &main, "related", &other, "--remove"]);
    assert_eq!(t["links"], json!([{"kind": "parent", "target": parent_id}]));
    let types: Vec<String> = g
        .history(&main)
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        types,
        ["created", "link_added", "link_added", "link_removed"]
    );
    assert!(g
        .ok(&["ticket", "link", &main, "parent", &parent, "--remove"])
        .contains("no longer parent"));
    assert_eq!(g.show(&main)["ticket"]["links"], json!([]));
}

#[test]
fn search_folds_accents_and_reads_comments() {
    let g = firm();
    let delai = g.new_ticket("Délai de recours contentieux", &[]);
    let frist = g.new_ticket("Fristverlängerung beantragen", &[]);
    let quiet = g.new_ticket("Rappel client", &["--description", "Rien à signaler."]);
    g.json(&[
        "ticket",
        "comment",
        &quiet,
        "Le greffier confirme l'ordonnance.",
    ]);
    g.json(&["ticket", "note", &frist, "Mandant informiert."]);

    let search = |q: &str| g.json(&["ticket", "search", q]);
    assert_eq!(refs(&search("delai")), [delai.as_str()]);
    assert_eq!(refs(&search("Délai")), [delai.as_str()]);
    assert_eq!(refs(&search("DELAI recours")), [delai.as_str()]);
    assert_eq!(refs(&search("Frist")), [frist.as_str()]);
    assert_eq!(refs(&search("fristverlangerung")), [frist.as_str()]);
    // A word only in a reply, or in an internal note, finds its ticket.
    assert_eq!(refs(&search("greffier")), [quiet.as_str()]);
    assert_eq!(refs(&search("mandant")), [frist.as_str()]);
    assert_eq!(refs(&search("signaler")), [quiet.as_str()]);
    assert_eq!(refs(&search("introuvable")), Vec::<String>::new());
    assert_eq!(search("delai")[0]["title"], "Délai de recours contentieux");
    assert_eq!(search("greffier")[0]["comments"], 1);
    assert_eq!(
        refs(&g.json(&["ticket", "search", "r", "--limit", "1"])).len(),
        1
    );
    assert!(g.ok(&["ticket", "search", "delai"]).contains(&delai));
}

/// `guichet ticket list | head -1`: the reader leaves early; the command
/// ends quietly, as Unix tools do, instead of panicking about a broken pipe.
#[test]
fn a_reader_that_stops_early_gets_no_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let g = Guichet::new();
    g.ok(&["demo", "--tickets", "3000", "--events", "1"]);
    for json in [false, true] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_guichet"));
        cmd.env("RUST_BACKTRACE", "0")
            .arg("--data-dir")
            .arg(g.data_dir());
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd
            .args(["ticket", "list", "--limit", "3000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "stderr: {stderr}");
        assert_ne!(out.status.code(), Some(101));
    }
}
