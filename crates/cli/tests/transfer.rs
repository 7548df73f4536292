//! Export and import (JSON lines and CSV), settings, and the demo firm.

mod common;

use common::*;
use serde_json::{json, Value};

/// A data directory with something of everything: users, a team, a contact,
/// tickets with edits, tags, watchers, links, replies, notes, an attachment,
/// status moves; accents and a quote and a comma for CSV's sake.
fn busy_firm() -> Guichet {
    let g = Guichet::new();
    g.json(&[
        "user",
        "add",
        "bob",
        "Bob Keller",
        "--email",
        "bob@firm.example",
    ]);
    g.json(&["team", "add", "Contentieux / Prozessführung"]);
    g.json(&["team", "add-member", "Contentieux / Prozessführung", "bob"]);
    g.json(&[
        "contact",
        "add",
        "Jean Dupont",
        "--organisation",
        "SCI Les Érables",
    ]);
    g.json(&[
        "category",
        "add",
        "client/tax",
        "--en",
        "Tax",
        "--fr",
        "Impôts",
        "--de",
        "Steuern",
    ]);
    let a = g.new_ticket(
        "Délai de réponse, \"urgent\"",
        &[
            "--description",
            "Ligne 1\nLigne 2, avec virgule",
            "--category",
            "client/tax",
            "--priority",
            "urgent",
            "--assignee",
            "bob",
            "--team",
            "Contentieux / Prozessführung",
            "--requester",
            "Jean Dupont",
            "--matter",
            "2027/001",
            "--due",
            "2027-04-30",
            "--tag",
            "frist",
        ],
    );
    let b = g.new_ticket("Fristverlängerung beantragen", &["--requester", "bob"]);
    let c = g.new_ticket("Drucker defekt", &["--category", "it/hardware"]);
    g.json(&[
        "ticket",
        "edit",
        &a,
        "--title",
        "Délai de réponse",
        "--add-tag",
        "vat",
        "--watch",
        "me",
    ]);
    g.json(&[
        "ticket",
        "comment",
        &a,
        "Réponse envoyée au client; \"OK\".",
    ]);
    g.json(&["ticket", "note", &a, "Interne: vérifier, puis relancer."]);
    g.json(&["ticket", "status", &a, "in_progress"]);
    g.json(&["ticket", "link", &b, "related", &a]);
    g.json(&["ticket", "link", &c, "duplicate_of", &b]);
    g.json(&["ticket", "assign", &b, "me"]);
    g.json(&["ticket", "status", &c, "resolved"]);
    g.json(&[
        "ticket",
        "edit",
        &b,
        "--due",
        "2027-01-10",
        "--remove-tag",
        "none-here",
    ]);
    let file = g.write_file("vollmacht.pdf", b"%PDF-1.4 Vollmacht");
    g.json(&["ticket", "attach", &b, file.to_str().unwrap()]);
    g
}

fn all_refs(g: &Guichet) -> Vec<String> {
    sorted(refs(&g.json(&["ticket", "list", "--limit", "1000"])))
}

/// Every ticket's `show --json` and `history --json` are the same in both.
fn assert_same_tickets(from: &Guichet, to: &Guichet) {
    let refs = all_refs(from);
    assert!(!refs.is_empty());
    assert_eq!(all_refs(to), refs);
    for r in &refs {
        assert_eq!(to.show(r), from.show(r), "ticket show {r}");
        assert_eq!(to.history(r), from.history(r), "ticket history {r}");
    }
}

/// Imports `file` into a fresh data directory (another local user), checks
/// the result and that importing again changes nothing.
fn import_fresh(from: &Guichet, file: &std::path::Path, format: Option<&str>) -> Guichet {
    let to = Guichet::uninitialised();
    to.json(&["init", "--login", "zoe"]);
    let (tickets, events) = from.counts();
    let mut args = vec!["import", file.to_str().unwrap()];
    if let Some(f) = format {
        args.extend(["--format", f]);
    }
    let report = to.json(&args);
    assert_eq!(report["tickets"], tickets, "{report}");
    assert_eq!(report["events"], events, "{report}");
    assert_eq!(report["users"], 2, "{report}"); // alice and bob; zoe was there
    assert_eq!(report["teams"], 1, "{report}");
    assert_eq!(report["contacts"], 1, "{report}");
    assert_eq!(report["categories"], 1, "{report}"); // client/tax; the seeded ones were there
    assert_eq!(report["already_present"], 0, "{report}");
    assert_eq!(to.counts(), (tickets, events));
    assert_same_tickets(from, &to);

    // Importing the same file again: everything already present, nothing written.
    let before = to.snapshot();
    let again = to.json(&args);
    assert_eq!(again["already_present"], events, "{again}");
    for k in [
        "tickets",
        "events",
        "users",
        "teams",
        "contacts",
        "categories",
    ] {
        assert_eq!(again[k], 0, "{k} in {again}");
    }
    assert_eq!(to.snapshot(), before);
    to
}

#[test]
fn export_then_import_round_trips_in_jsonl_and_csv() {
    let g = busy_firm();
    let (tickets, events) = g.counts();
    assert_eq!(tickets, 3);

    // Format from the file's extension.
    let jsonl = g.path("firm.jsonl");
    let done = g.json(&["export", jsonl.to_str().unwrap()]);
    assert_eq!(done["file"], jsonl.to_str().unwrap());
    let text = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(done["records"], text.lines().count());
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        first,
        json!({"record": "header", "format": "guichet-export", "version": 1})
    );
    let event_lines = text
        .lines()
        .filter(|l| l.contains("\"record\":\"event\""))
        .count();
    assert_eq!(event_lines as i64, events);
    // The export to standard output is the same file.
    assert_eq!(g.snapshot(), text);

    let csv = g.path("firm.csv");
    let done = g.json(&["export", csv.to_str().unwrap()]);
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        csv_text.starts_with("record,id,ticket,actor,hlc,at,type,data\nheader,guichet-export,"),
        "{csv_text}"
    );
    assert_eq!(done["records"], json!(text.lines().count()));
    assert!(!g.path("firm.partial").exists());

    // Format given explicitly, whatever the file is called.
    let csv_named_txt = g.path("firm-csv.txt");
    g.json(&["export", csv_named_txt.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(std::fs::read_to_string(&csv_named_txt).unwrap(), csv_text);
    let jsonl_named_csv = g.path("firm-jsonl.csv");
    g.json(&[
        "export",
        jsonl_named_csv.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(std::fs::read_to_string(&jsonl_named_csv).unwrap(), text);
    let stdout_csv = g.ok(&["export", "--format", "csv"]);
    assert_eq!(stdout_csv, csv_text);
    let stdout_dash = g.ok(&["export", "-"]);
    assert_eq!(stdout_dash, text);

    let to = import_fresh(&g, &jsonl, None);
    // The imported directory exports the same events again (grouped by
    // ticket rather than in the original log order).
    let again = to.path("again.jsonl");
    to.json(&["export", again.to_str().unwrap()]);
    let events_of = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.contains("\"record\":\"event\""))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        sorted(events_of(&std::fs::read_to_string(&again).unwrap())),
        sorted(events_of(&text))
    );
    import_fresh(&g, &csv, None);
    import_fresh(&g, &csv_named_txt, Some("csv"));
    import_fresh(&g, &jsonl_named_csv, Some("jsonl"));

    // A directory that already holds the tickets: everything already present.
    let before = g.snapshot();
    let report = g.json(&["import", csv.to_str().unwrap()]);
    assert_eq!(report["already_present"], events);
    assert_eq!(report["events"], 0);
    assert_eq!(g.snapshot(), before);
    assert!(g
        .ok(&["import", jsonl.to_str().unwrap()])
        .contains(&format!("({events} events were already present)")));
}

#[test]
fn attachment_limit_is_a_setting() {
    let g = Guichet::new();
    assert_eq!(
        g.json(&["config", "get"]),
        json!({"attachment-max-bytes": 26_214_400})
    );
    assert_eq!(
        g.json(&["config", "set", "attachment-max-bytes", "1000"]),
        json!({"attachment-max-bytes": 1000})
    );
    assert_eq!(
        g.json(&["config", "get"]),
        json!({"attachment-max-bytes": 1000})
    );
    assert_eq!(
        g.ok(&["config", "get"]).trim(),
        "attachment-max-bytes = 1000"
    );

    let r = g.new_ticket("Scan du contrat", &[]);
    let big = g.write_file("contrat.pdf", &[b'x'; 1001]);
    let before = g.snapshot();
    let err = g.fail(&["ticket", "attach", &r, big.to_str().unwrap()], INVALID);
    assert!(err.contains("attachment"), "{err}");
    assert!(err.contains("1001 bytes"), "{err}");
    assert!(err.contains("at most 1000 bytes"), "{err}");
    assert!(err.contains("attachment-max-bytes"), "{err}");
    let e = g.fail_json(&["ticket", "attach", &r, big.to_str().unwrap()], INVALID);
    assert_eq!(e["code"], "attachment");
    assert_eq!(g.snapshot(), before);
    assert_eq!(g.show(&r)["ticket"]["attachments"], json!([]));
    assert_eq!(g.blobs(), Vec::<std::path::PathBuf>::new());

    // Exactly at the limit is accepted.
    let fits = g.write_file("contrat-court.pdf", &[b'x'; 1000]);
    let a = g.json(&["ticket", "attach", &r, fits.to_str().unwrap()]);
    assert_eq!(a["size"], 1000);
    assert_eq!(g.blobs().len(), 1);

    // Refused settings name the key; the setting stays.
    let err = g.fail(&["config", "set", "attachment-max-bytes", "lots"], INVALID);
    assert!(
        err.contains("attachment-max-bytes") && err.contains("lots"),
        "{err}"
    );
    let err = g.fail(&["config", "set", "attachment-max-bytes", "0"], INVALID);
    assert!(err.contains("attachment"), "{err}");
    let err = g.fail(&["config", "set", "colour", "blue"], INVALID);
    assert!(err.contains("key") && err.contains("colour"), "{err}");
    assert_eq!(
        g.json(&["config", "get"]),
        json!({"attachment-max-bytes": 1000})
    );
}

#[test]
fn demo_firm_can_be_listed_and_searched() {
    let g = Guichet::new();
    let report = g.json(&["demo", "--tickets", "50"]);
    assert_eq!(report["tickets"], 50);
    assert_eq!(report["events"], 400);
    assert!(report["users"].as_i64().unwrap() > 0);
    assert_eq!(report["already_present"], 0);
    assert_eq!(g.counts(), (50, 400));

    let page = g.json(&["ticket", "list", "--limit", "10"]);
    assert_eq!(page.as_array().unwrap().len(), 10);
    let all = g.json(&["ticket", "list", "--limit", "100"]);
    assert_eq!(all.as_array().unwrap().len(), 50);
    let next = g.json(&["ticket", "list", "--limit", "10", "--offset", "10"]);
    assert_eq!(refs(&next), refs(&all)[10..20]);
    assert!(!g
        .json(&["ticket", "list", "--view", "open"])
        .as_array()
        .unwrap()
        .is_empty());

    // French and German words, accents optional; every hit really has the word.
    for (query, word) in [("delai", "délai"), ("Frist", "frist")] {
        let hits = g.json(&["ticket", "search", query, "--limit", "100"]);
        let hits = refs(&hits);
        assert!(!hits.is_empty(), "nothing found for {query}");
        for r in &hits {
            let shown = g.show(r);
            let mut text = format!(
                "{} {}",
                shown["ticket"]["title"].as_str().unwrap(),
                shown["ticket"]["description"].as_str().unwrap()
            );
            for c in shown["comments"].as_array().unwrap() {
                text.push(' ');
                text.push_str(c["body"].as_str().unwrap());
            }
            let text = text.to_lowercase().replace("delai", "délai");
            assert!(text.contains(word), "{r} found for {query}: {text}");
        }
    }
    // Every ticket's history can be read, starting with its creation.
    let first = &refs(&all)[0];
    assert_eq!(g.history(first)[0]["type"], "created");
    assert!(g
        .ok(&["demo", "--tickets", "1"])
        .contains("Loaded a demo firm"));
}
