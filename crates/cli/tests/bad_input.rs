//! Refused input: a clear message naming the field on standard error, the
//! documented exit code, `--json` error objects, and a database left exactly
//! as it was. Also damaged and missing data directories, and logs.

mod common;

use common::*;
use serde_json::Value;

/// A directory with users, a team and two tickets; returns it and the first
/// ticket's reference.
fn firm() -> (Guichet, String, String) {
    let g = Guichet::new();
    g.json(&["user", "add", "bob", "Bob Keller"]);
    g.json(&["team", "add", "Tax"]);
    let r = g.new_ticket(
        "Délai de recours",
        &["--due", "2027-03-31", "--tag", "frist"],
    );
    let other = g.new_ticket("Autre dossier", &[]);
    (g, r, other)
}

#[test]
fn refused_ticket_input_names_the_field_and_writes_nothing() {
    let (g, r, other) = firm();
    let missing = format!("{}-99", r.split('-').next().unwrap());
    let file = g.write_file("piece.txt", b"contenu");
    let file = file.to_str().unwrap();
    let nowhere = g.path("absent.pdf");
    let nowhere = nowhere.to_str().unwrap();
    let long_title = "x".repeat(201);
    let data_dir = g.data_dir();
    let data_dir = data_dir.to_str().unwrap();
    let before = g.snapshot();
    let counts = g.counts();
    let shown = g.show(&r);

    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        // Creating.
        (
            vec!["ticket", "new", "--title", ""],
            INVALID,
            vec!["title", "empty"],
        ),
        (
            vec!["ticket", "new", "--title", "   "],
            INVALID,
            vec!["title", "empty"],
        ),
        (
            vec!["ticket", "new", "--title", &long_title],
            INVALID,
            vec!["title", "201 characters", "1 to 200"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--category", "nope"],
            INVALID,
            vec!["category", "'nope' is unknown", "client/advice"],
        ),
        (
            vec![
                "ticket",
                "new",
                "--title",
                "T",
                "--category",
                "Client Requests",
            ],
            INVALID,
            vec!["category", "not a category key"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--assignee", "nobody"],
            INVALID,
            vec!["assignee", "nobody", "user list"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--team", "Marketing"],
            INVALID,
            vec!["team", "Marketing", "team list"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--priority", "extreme"],
            INVALID,
            vec!["priority", "extreme", "urgent"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--due", "2027-02-30"],
            INVALID,
            vec!["due", "2027-02-30", "YYYY-MM-DD"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--due", "31/03/2027"],
            INVALID,
            vec!["due", "31/03/2027", "YYYY-MM-DD"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--tag", "two words"],
            INVALID,
            vec!["tag", "two words"],
        ),
        (
            vec!["ticket", "new", "--title", "T", "--requester", "Inconnu"],
            INVALID,
            vec!["requester", "Inconnu"],
        ),
        // Editing: a bad field refuses the whole edit.
        (
            vec!["ticket", "edit", &r, "--title", ""],
            INVALID,
            vec!["title"],
        ),
        (
            vec!["ticket", "edit", &r, "--title", &long_title],
            INVALID,
            vec!["title", "201"],
        ),
        (
            vec![
                "ticket",
                "edit",
                &r,
                "--title",
                "Nouveau",
                "--category",
                "nope",
            ],
            INVALID,
            vec!["category", "nope"],
        ),
        (
            vec![
                "ticket",
                "edit",
                &r,
                "--title",
                "Nouveau",
                "--due",
                "2027-02-30",
            ],
            INVALID,
            vec!["due", "2027-02-30"],
        ),
        (
            vec![
                "ticket",
                "edit",
                &r,
                "--title",
                "Nouveau",
                "--due",
                "31/03/2027",
            ],
            INVALID,
            vec!["due", "31/03/2027"],
        ),
        (
            vec![
                "ticket",
                "edit",
                &r,
                "--title",
                "Nouveau",
                "--add-tag",
                "a b",
            ],
            INVALID,
            vec!["tag", "a b"],
        ),
        (
            vec![
                "ticket", "edit", &r, "--title", "Nouveau", "--watch", "nobody",
            ],
            INVALID,
            vec!["nobody"],
        ),
        (
            vec!["ticket", "edit", &r, "--priority", "soon"],
            INVALID,
            vec!["priority", "soon"],
        ),
        // Status and assignment.
        (
            vec!["ticket", "status", &r, "finished"],
            INVALID,
            vec!["status", "finished", "in_progress"],
        ),
        (
            vec!["ticket", "status", &r, "closed"],
            INVALID,
            vec!["status", "cannot go from new to closed", "resolved"],
        ),
        (
            vec!["ticket", "assign", &r, "nobody"],
            INVALID,
            vec!["assignee", "nobody"],
        ),
        (
            vec!["ticket", "assign", &r, "bob", "--team", "Marketing"],
            INVALID,
            vec!["team", "Marketing"],
        ),
        (
            vec!["ticket", "assign", &r],
            INVALID,
            vec!["assignee", "nothing to assign"],
        ),
        // Comments, links, attachments, lists, search.
        (
            vec!["ticket", "comment", &r, "  "],
            INVALID,
            vec!["comment", "empty"],
        ),
        (
            vec!["ticket", "note", &r, ""],
            INVALID,
            vec!["comment", "empty"],
        ),
        (
            vec!["ticket", "link", &r, "sibling", &other],
            INVALID,
            vec!["link kind", "sibling", "duplicate_of"],
        ),
        (
            vec!["ticket", "link", &r, "related", &r],
            INVALID,
            vec!["link target", "itself"],
        ),
        (
            vec!["ticket", "attach", &r, nowhere],
            INVALID,
            vec!["attachment", "absent.pdf", "cannot be read"],
        ),
        (
            vec!["ticket", "attach", &r, data_dir],
            INVALID,
            vec!["attachment", "not a file"],
        ),
        (
            vec!["ticket", "list", "--view", "someday"],
            INVALID,
            vec!["view", "someday", "due-this-week"],
        ),
        (
            vec!["ticket", "list", "--status", "finished"],
            INVALID,
            vec!["status", "finished"],
        ),
        (
            vec!["ticket", "list", "--due-from", "2027-02-30"],
            INVALID,
            vec!["due-from", "2027-02-30"],
        ),
        (
            vec!["ticket", "list", "--due-to", "31/03/2027"],
            INVALID,
            vec!["due-to", "31/03/2027"],
        ),
        (
            vec!["ticket", "list", "--assignee", "nobody"],
            INVALID,
            vec!["assignee", "nobody"],
        ),
        (vec!["ticket", "search", "!!!"], INVALID, vec!["search"]),
        // Unknown tickets.
        (
            vec!["ticket", "show", &missing],
            NOT_FOUND,
            vec!["ticket", &missing, "not found"],
        ),
        (
            vec!["ticket", "show", "nonsense"],
            NOT_FOUND,
            vec!["ticket", "nonsense"],
        ),
        (
            vec!["ticket", "edit", &missing, "--title", "T"],
            NOT_FOUND,
            vec![&missing],
        ),
        (
            vec!["ticket", "status", &missing, "open"],
            NOT_FOUND,
            vec![&missing],
        ),
        (
            vec!["ticket", "assign", &missing, "me"],
            NOT_FOUND,
            vec![&missing],
        ),
        (
            vec!["ticket", "comment", &missing, "Bonjour"],
            NOT_FOUND,
            vec![&missing],
        ),
        (
            vec!["ticket", "note", &missing, "Bonjour"],
            NOT_FOUND,
            vec![&missing],
        ),
        (
            vec!["ticket", "history", &missing],
            NOT_FOUND,
            vec![&missing],
        ),
        (
            vec!["ticket", "attach", &missing, file],
            NOT_FOUND,
            vec![&missing],
        ),
        (
            vec!["ticket", "link", &r, "related", &missing],
            NOT_FOUND,
            vec!["link target", &missing],
        ),
        (
            vec!["ticket", "link", &missing, "related", &r],
            NOT_FOUND,
            vec![&missing],
        ),
        // The command line itself is wrong.
        (vec!["ticket", "new"], USAGE, vec!["--title"]),
        (vec!["ticket", "frobnicate"], USAGE, vec!["frobnicate"]),
        (
            vec!["ticket", "list", "--sort", "sideways"],
            USAGE,
            vec!["sideways"],
        ),
        (
            vec!["ticket", "list", "--limit", "many"],
            USAGE,
            vec!["many"],
        ),
    ];
    for (args, code, words) in &cases {
        let err = g.fail(args, *code);
        for w in words {
            assert!(err.contains(w), "guichet {args:?}: {w:?} not in: {err}");
        }
        if *code == USAGE {
            continue;
        }
        assert!(err.starts_with("error: "), "{err}");
        // With --json: the same sentence in an object with a stable code.
        let e = g.fail_json(args, *code);
        let message = e["message"].as_str().unwrap();
        assert!(err.contains(message), "{err} vs {e}");
        let expected: &[&str] = if *code == NOT_FOUND {
            &["not_found"]
        } else {
            &["invalid", "unknown", "attachment"]
        };
        assert!(
            expected.contains(&e["code"].as_str().unwrap()),
            "guichet --json {args:?}: {e}"
        );
    }

    assert_eq!(g.snapshot(), before);
    assert_eq!(g.counts(), counts);
    assert_eq!(g.show(&r), shown);
    assert!(g.blobs().is_empty());

    // The limits are exact: 200 characters are fine.
    let t = g.json(&["ticket", "new", "--title", &"é".repeat(200)]);
    assert_eq!(t["title"].as_str().unwrap().chars().count(), 200);
}

#[test]
fn json_errors_are_objects_with_a_stable_code() {
    let (g, r, _) = firm();
    let before = g.snapshot();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["ticket", "new", "--title", ""], INVALID, "invalid"),
        (vec!["ticket", "status", &r, "closed"], INVALID, "invalid"),
        (
            vec!["ticket", "new", "--title", "T", "--category", "nope"],
            INVALID,
            "unknown",
        ),
        (
            vec!["ticket", "new", "--title", "T", "--assignee", "nobody"],
            INVALID,
            "unknown",
        ),
        (vec!["team", "add", "tax"], INVALID, "conflict"),
        (vec!["ticket", "show", "ZZZZ-404"], NOT_FOUND, "not_found"),
    ];
    for (args, code, expected) in cases {
        let e = g.fail_json(&args, code);
        assert_eq!(e["code"], expected, "guichet --json {args:?}: {e}");
        assert_eq!(e["lines"], Value::Null);
        // The same sentence as without --json.
        let text = g.fail(&args, code);
        assert!(
            text.contains(&format!("error: {}", e["message"].as_str().unwrap())),
            "{text} vs {e}"
        );
    }
    let e = g.fail_json(&["ticket", "show", "ZZZZ-404"], NOT_FOUND);
    assert!(e["message"].as_str().unwrap().contains("ZZZZ-404"));
    assert_eq!(g.snapshot(), before);
}

fn event_line(id: &str, ticket: &str, actor: &str, kind: &str) -> String {
    format!(
        r#"{{"record":"event","id":"{id}","ticket":"{ticket}","actor":"{actor}","hlc":"019c0000aaaa-00000000-00000001","at":"2026-01-05T08:00:00Z",{kind}}}"#
    )
}

#[test]
fn a_malformed_import_is_rejected_whole_with_every_bad_line() {
    let (g, _, _) = firm();
    let carol = "019c0000-0000-7000-8000-00000000000a";
    let ticket = "019c0000-0000-7000-8000-0000000000b1";
    let unknown_ticket = "019c0000-0000-7000-8000-0000000000ff";
    let created = r#""type":"created","reference":"KANZ-1","title":"Fristverlängerung","description":"","category":"client","priority":"normal","status":"new","assignee":null,"team":null,"requester":null,"matter":null,"due":null,"tags":[]"#;
    let bad_category = created
        .replace("KANZ-1", "KANZ-2")
        .replace(r#""category":"client""#, r#""category":"nope""#);
    let lines = [
        r#"{"record":"header","format":"guichet-export","version":1}"#.to_string(),
        format!(
            r#"{{"record":"user","id":"{carol}","login":"carol","name":"Carol Petit","email":null,"active":true}}"#
        ),
        r#"{"record":"event", "id": oops"#.to_string(),
        event_line(
            "019c0000-0000-7000-8000-0000000000c1",
            unknown_ticket,
            carol,
            r#""type":"commented","visibility":"reply","body":"Bonjour""#,
        ),
        event_line(
            "019c0000-0000-7000-8000-0000000000c2",
            ticket,
            carol,
            created,
        ),
        event_line(
            "019c0000-0000-7000-8000-0000000000c3",
            "019c0000-0000-7000-8000-0000000000b2",
            carol,
            &bad_category,
        ),
        String::new(),
    ];
    let file = g.write_file("broken.jsonl", lines.join("\n").as_bytes());
    let file = file.to_str().unwrap();
    let before = g.snapshot();
    let users = g.json(&["user", "list"]);

    let err = g.fail(&["import", file], IMPORT_REJECTED);
    assert!(err.contains("nothing was written"), "{err}");
    assert!(err.contains("3 line(s) in error"), "{err}");
    assert!(err.contains("line 3: not a Guichet record"), "{err}");
    assert!(
        err.contains(&format!("line 4: ticket: '{unknown_ticket}'")),
        "{err}"
    );
    assert!(err.contains("line 6: category: 'nope' is unknown"), "{err}");
    for good in ["line 1:", "line 2:", "line 5:"] {
        assert!(!err.contains(good), "{good} reported: {err}");
    }

    let e = g.fail_json(&["import", file], IMPORT_REJECTED);
    assert_eq!(e["code"], "import_rejected");
    let numbers: Vec<i64> = e["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 4, 6]);
    assert!(e["lines"][1]["message"]
        .as_str()
        .unwrap()
        .contains("no creation event"));

    // Nothing at all was imported, not even the good lines.
    assert_eq!(g.snapshot(), before);
    assert_eq!(g.json(&["user", "list"]), users);
    assert!(g
        .fail(&["ticket", "show", "KANZ-1"], NOT_FOUND)
        .contains("KANZ-1"));

    // CSV: a row of the wrong width, an unknown record, an unreadable id.
    let csv = g.write_file(
        "broken.csv",
        b"record,id,ticket,actor,hlc,at,type,data\n\
          header,guichet-export,,,,,,1\n\
          contact,x,,\n\
          widget,1,,,,,,{}\n\
          event,not-an-id,,,,,,{}\n",
    );
    let err = g.fail(&["import", csv.to_str().unwrap()], IMPORT_REJECTED);
    assert!(err.contains("line 3: not a CSV row of 8 columns"), "{err}");
    assert!(
        err.contains("line 4: record column: 'widget' is unknown"),
        "{err}"
    );
    assert!(err.contains("line 5: id column: 'not-an-id'"), "{err}");
    // The same file read as JSON lines by --format: every line is bad.
    let e = g.fail_json(
        &["import", csv.to_str().unwrap(), "--format", "jsonl"],
        IMPORT_REJECTED,
    );
    assert_eq!(e["lines"].as_array().unwrap().len(), 5);
    assert_eq!(g.snapshot(), before);

    // A file that is not there.
    let err = g.fail(&["import", g.path("nowhere.jsonl").to_str().unwrap()], 1);
    assert!(err.contains("nowhere.jsonl"), "{err}");
}

#[test]
fn init_with_a_refused_login_creates_nothing() {
    let g = Guichet::uninitialised();
    let err = g.fail(&["init", "--login", "Maître Dupont"], INVALID);
    assert!(
        err.contains("login") && err.contains("Maître Dupont"),
        "{err}"
    );
    let e = g.fail_json(&["init", "--login", "ok", "--name", ""], INVALID);
    assert_eq!(e["code"], "invalid");
    assert!(e["message"].as_str().unwrap().starts_with("name:"), "{e}");
    assert!(
        !g.data_dir().exists(),
        "a refused init left a data directory"
    );
    // A good login afterwards works as on a fresh directory.
    assert_eq!(g.json(&["init", "--login", "ok"])["user"], "ok");
    assert_eq!(g.counts(), (0, 0));
}

#[test]
fn commands_on_a_missing_data_directory_exit_5() {
    let g = Guichet::uninitialised();
    for args in [
        vec!["status"],
        vec!["check"],
        vec!["ticket", "list"],
        vec!["ticket", "new", "--title", "Hallo"],
        vec!["user", "list"],
        vec!["export"],
    ] {
        let err = g.fail(&args, DATA);
        assert!(err.contains("guichet init"), "{err}");
        assert!(err.contains(g.data_dir().to_str().unwrap()), "{err}");
    }
    let e = g.fail_json(&["status"], DATA);
    assert_eq!(e["code"], "not_initialized");
    // Nothing was created on the way.
    assert!(!g.data_dir().exists());

    // An existing but empty directory is not a data directory either.
    std::fs::create_dir(g.data_dir()).unwrap();
    g.fail(&["ticket", "list"], DATA);
    assert_eq!(std::fs::read_dir(g.data_dir()).unwrap().count(), 0);
}

#[test]
fn a_garbage_database_file_exits_5_naming_the_file() {
    let g = Guichet::new();
    g.new_ticket("Vor dem Schaden", &[]);
    g.settle();
    let db = g.db_file();
    let garbage = b"This is not a Guichet database, only a text file.\n".repeat(200);
    std::fs::write(&db, &garbage).unwrap();
    let _ = std::fs::remove_file(g.data_dir().join("guichet.sqlite3-shm"));

    for args in [
        vec!["status"],
        vec!["check"],
        vec!["ticket", "list"],
        vec!["ticket", "new", "--title", "Nach dem Schaden"],
        vec!["export"],
        vec!["init"],
    ] {
        let err = g.fail(&args, DATA);
        assert!(err.contains(db.to_str().unwrap()), "{args:?}: {err}");
        assert!(err.contains("damaged"), "{args:?}: {err}");
    }
    let e = g.fail_json(&["status"], DATA);
    assert_eq!(e["code"], "corrupt");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains(db.to_str().unwrap()));
    // Nothing was written to the damaged file.
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

#[test]
fn a_truncated_database_file_exits_5_naming_the_file() {
    let g = Guichet::new();
    g.json(&["demo", "--tickets", "200"]);
    g.settle();
    let db = g.db_file();
    let size = std::fs::metadata(&db).unwrap().len();
    assert!(size > 500_000, "the demo data is in the file: {size} bytes");
    let f = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.set_len(size / 2).unwrap();
    drop(f);

    // The integrity check finds it…
    let err = g.fail(&["check"], DATA);
    assert!(
        err.contains(db.to_str().unwrap()) && err.contains("damaged"),
        "{err}"
    );
    let e = g.fail_json(&["check"], DATA);
    assert_eq!(e["code"], "corrupt");
    // …and so do plain reads of the lost pages.
    for args in [vec!["status"], vec!["ticket", "search", "frist"]] {
        let err = g.fail(&args, DATA);
        assert!(err.contains(db.to_str().unwrap()), "{args:?}: {err}");
    }
}

#[test]
fn logs_carry_no_personal_data() {
    let g = Guichet::new();
    let run = |level: &str, args: &[&str]| -> String {
        let out = g
            .cmd()
            .env("GUICHET_LOG", level)
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "guichet {args:?}: {stderr}");
        stderr
    };
    let mut logs = Vec::new();
    logs.push(run("debug", &["contact", "add", "Jean Dupont"]));
    logs.push(run(
        "debug",
        &[
            "ticket",
            "new",
            "--title",
            "Secret Client Dupont",
            "--description",
            "Succession Dupont, voir notaire.",
            "--requester",
            "Jean Dupont",
            "--matter",
            "DUPONT-2027",
        ],
    ));
    let r = refs(&g.json(&["ticket", "list"]))[0].clone();
    logs.push(run(
        "debug",
        &["ticket", "comment", &r, "Madame Dupont a appelé."],
    ));
    logs.push(run(
        "debug",
        &[
            "ticket",
            "edit",
            &r,
            "--title",
            "Secret Client Dupont (suite)",
        ],
    ));
    logs.push(run("debug", &["ticket", "search", "Dupont"]));
    logs.push(run("debug", &["ticket", "show", &r]));
    logs.push(run(
        "trace",
        &["ticket", "new", "--title", "Dossier Dupont bis"],
    ));
    // The commands did run with logging on…
    assert!(logs.iter().all(|l| l.contains("DEBUG")), "{logs:?}");
    // …and no log line names the client.
    for l in &logs {
        for line in l.lines() {
            if line.contains("DEBUG") || line.contains("TRACE") || line.contains("INFO") {
                assert!(!line.to_lowercase().contains("dupont"), "{line}");
            }
        }
    }
    // The first command's whole standard error, output included, is clean.
    assert!(!logs[1].contains("Dupont"), "{}", logs[1]);
}
