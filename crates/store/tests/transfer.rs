//! Export then import gives back the same tickets with the same history, in
//! JSON lines and in CSV; importing twice changes nothing; a file with errors
//! is refused as a whole, every bad line named.

mod common;

use chrono::NaiveDate;
use common::*;
use guichet_domain::{
    Contact, Edit, LinkKind, NewTicket, Party, Priority, Status, Team, User, Visibility,
};
use guichet_store::{Error, Format, ListQuery, Store};

/// A store with several tickets that went through every kind of event.
async fn populated() -> (Fixture, Vec<String>) {
    let fx = fresh_as("amartin", "Anne Martin").await;
    let s = &fx.store;
    let jonas = User::new("jschmidt", "Jonas Schmidt", Some("js@kanzlei.example")).unwrap();
    s.add_user(&jonas).await.unwrap();
    let mut team = Team::new("Fiscal / Steuern").unwrap();
    team.members = vec![fx.me, jonas.id];
    s.add_team(&team).await.unwrap();
    let client = Contact::new(
        "Boulangerie Lefèvre",
        Some("contact@lefevre.example"),
        Some("SARL Lefèvre"),
    )
    .unwrap();
    s.add_contact(&client).await.unwrap();
    s.add_category(
        &guichet_domain::Category::new("client/tax", "Tax", "Fiscalité", "Steuern").unwrap(),
    )
    .await
    .unwrap();
    let files = fx.tmp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();

    let mut refs = Vec::new();
    for i in 0..6 {
        let t = s
            .create_ticket(
                if i % 2 == 0 { fx.me } else { jonas.id },
                NewTicket {
                    title: format!("Déclaration n°{i} – \"Umsatzsteuer\", Q{}", i % 4 + 1),
                    description: format!("Ligne 1, avec virgule\nZeile 2; \"Anführung\" {i}"),
                    category: if i % 3 == 0 {
                        "client/tax"
                    } else {
                        "admin/tax-deadline"
                    }
                    .into(),
                    priority: Some(Priority::ALL[i % 4]),
                    assignee: (i % 2 == 0).then_some(jonas.id),
                    team: Some(team.id),
                    requester: Some(if i % 2 == 0 {
                        Party::Contact(client.id)
                    } else {
                        Party::User(fx.me)
                    }),
                    matter: Some(format!("2026/{i:04}")),
                    due: Some(NaiveDate::from_ymd_opt(2026, 1 + i as u32, 10).unwrap()),
                    tags: vec!["tva".into(), format!("q{}", i % 4 + 1)],
                },
            )
            .await
            .unwrap();
        refs.push(key(&t));
    }
    for (i, r) in refs.iter().enumerate() {
        s.edit_ticket(
            fx.me,
            r,
            vec![Edit::Status(Status::Open), Edit::Priority(Priority::Urgent)],
        )
        .await
        .unwrap();
        s.comment(
            jonas.id,
            r,
            Visibility::Reply,
            &format!("Réponse envoyée, \"ok\"\nGruß {i}"),
        )
        .await
        .unwrap();
        s.comment(
            fx.me,
            r,
            Visibility::Internal,
            "Note interne, à ne pas transmettre.",
        )
        .await
        .unwrap();
        s.tag(fx.me, r, false, "tva").await.unwrap();
        s.tag(fx.me, r, true, "délai").await.unwrap();
        s.watch(fx.me, r, true, jonas.id).await.unwrap();
        let other = &refs[(i + 1) % refs.len()];
        s.link(fx.me, r, LinkKind::Related, other, true)
            .await
            .unwrap();
        if i % 2 == 0 {
            s.link(fx.me, r, LinkKind::Parent, &refs[0], true)
                .await
                .ok();
            s.watch(fx.me, r, false, jonas.id).await.unwrap();
        }
        let f = files.join(format!("pièce {i}.pdf"));
        std::fs::write(&f, format!("%PDF contenu {}", i % 2)).unwrap();
        s.attach(jonas.id, r, &f).await.unwrap();
        s.edit_ticket(
            jonas.id,
            r,
            vec![
                Edit::Title(format!("Déclaration n°{i} traitée")),
                Edit::Description(String::new()),
                Edit::Status(Status::Resolved),
                Edit::Assignee(None),
                Edit::Team(None),
                Edit::Requester(None),
                Edit::Matter(None),
                Edit::Due(None),
                Edit::Category("client".into()),
            ],
        )
        .await
        .unwrap();
        if i == 0 {
            s.edit_ticket(fx.me, r, vec![Edit::Status(Status::Closed)])
                .await
                .unwrap();
        }
    }
    (fx, refs)
}

async fn export(s: &Store, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    let n = s.export(&mut out, format).await.unwrap();
    assert!(n > 0);
    out
}

async fn import(
    s: &Store,
    bytes: &[u8],
    format: Format,
) -> guichet_store::Result<guichet_store::ImportReport> {
    s.import(&mut &bytes[..], format).await
}

async fn assert_same_tickets(a: &Store, b: &Store, refs: &[String]) {
    for r in refs {
        assert_eq!(
            a.ticket(r).await.unwrap(),
            b.ticket(r).await.unwrap(),
            "ticket {r}"
        );
        assert_eq!(
            a.history(r).await.unwrap(),
            b.history(r).await.unwrap(),
            "history of {r}"
        );
        assert_eq!(
            a.comments(r).await.unwrap(),
            b.comments(r).await.unwrap(),
            "comments of {r}"
        );
    }
    let q = ListQuery {
        limit: 1000,
        ..Default::default()
    };
    assert_eq!(a.list(&q).await.unwrap(), b.list(&q).await.unwrap());
}

async fn round_trip(format: Format) {
    let (a, refs) = populated().await;
    let (tickets, events) = a.store.counts().await.unwrap();
    assert_eq!(tickets, 6);
    let file = export(&a.store, format).await;

    // Into a fresh store of another replica, with another local user.
    let b = fresh_as("import", "Import Account").await;
    assert_ne!(
        a.store.replica().await.unwrap(),
        b.store.replica().await.unwrap()
    );
    let report = import(&b.store, &file, format).await.unwrap();
    assert_eq!(report.tickets, 6);
    assert_eq!(report.events as i64, events);
    assert_eq!(report.already_present, 0);
    assert_eq!(
        (
            report.users,
            report.teams,
            report.contacts,
            report.categories
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(b.store.counts().await.unwrap(), (tickets, events));
    assert_same_tickets(&a.store, &b.store, &refs).await;
    // The directory came along.
    assert!(b.store.user("jschmidt").await.is_ok());
    assert_eq!(
        a.store.teams().await.unwrap(),
        b.store.teams().await.unwrap()
    );
    assert_eq!(
        a.store.contacts().await.unwrap(),
        b.store.contacts().await.unwrap()
    );
    assert_eq!(
        a.store.categories().await.unwrap(),
        b.store.categories().await.unwrap()
    );
    // Search works on imported tickets too.
    assert_eq!(b.store.search("traitee", 100).await.unwrap().len(), 6);
    assert_eq!(b.store.search("transmettre", 100).await.unwrap().len(), 6);

    // The same file again: every event already there, nothing changes.
    let report = import(&b.store, &file, format).await.unwrap();
    assert_eq!(report.already_present as i64, events);
    assert_eq!((report.tickets, report.events), (0, 0));
    assert_eq!(
        (
            report.users,
            report.teams,
            report.contacts,
            report.categories
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(b.store.counts().await.unwrap(), (tickets, events));
    assert_same_tickets(&a.store, &b.store, &refs).await;

    // B's own tickets continue B's numbering and B's clock is past A's events.
    let own = b
        .store
        .create_ticket(b.me, new_ticket("Nach dem Import", "hr"))
        .await
        .unwrap();
    assert_eq!(own.reference.number, 1);
    assert_eq!(own.reference.replica, b.store.replica().await.unwrap());
    let last_a = a.store.history(&refs[5]).await.unwrap().last().unwrap().hlc;
    assert!(b.store.history(&key(&own)).await.unwrap()[0].hlc > last_a);

    // Exporting B and importing into A brings exactly B's new ticket over.
    let back = export(&b.store, format).await;
    let report = import(&a.store, &back, format).await.unwrap();
    assert_eq!((report.tickets, report.events), (1, 1));
    assert_eq!(report.already_present as i64, events);
    assert_eq!(report.users, 1);
    assert_eq!(a.store.ticket(&key(&own)).await.unwrap(), own);

    // After reopening, B still has everything.
    b.store.close().await;
    let b2 = Store::open(&b.dir()).await.unwrap();
    assert_same_tickets(&a.store, &b2, &refs).await;
    b2.check_integrity().await.unwrap();
}

#[tokio::test]
async fn jsonl_round_trip() {
    round_trip(Format::Jsonl).await;
}

#[tokio::test]
async fn csv_round_trip() {
    round_trip(Format::Csv).await;
}

#[tokio::test]
async fn an_import_into_a_store_with_history_adds_only_new_events() {
    let (a, refs) = populated().await;
    let b = fresh_as("import", "Import Account").await;
    let first = export(&a.store, Format::Jsonl).await;
    import(&b.store, &first, Format::Jsonl).await.unwrap();
    // A goes on; a later export carries old and new events.
    a.store
        .comment(a.me, &refs[2], Visibility::Reply, "Suite du dossier")
        .await
        .unwrap();
    a.store
        .edit_ticket(a.me, &refs[2], vec![Edit::Status(Status::Open)])
        .await
        .unwrap();
    let second = export(&a.store, Format::Jsonl).await;
    let (_, events_b) = b.store.counts().await.unwrap();
    let report = import(&b.store, &second, Format::Jsonl).await.unwrap();
    assert_eq!((report.tickets, report.events), (0, 2));
    assert_eq!(report.already_present as i64, events_b);
    assert_same_tickets(&a.store, &b.store, &refs).await;
}

#[tokio::test]
async fn a_file_with_errors_is_refused_whole() {
    let (a, _) = populated().await;
    let file = String::from_utf8(export(&a.store, Format::Jsonl).await).unwrap();
    let lines: Vec<&str> = file.lines().collect();
    let b = fresh_as("import", "Import Account").await;
    let s = &b.store;
    let t = s
        .create_ticket(b.me, new_ticket("Déjà là", "client"))
        .await
        .unwrap();
    let counts = s.counts().await.unwrap();
    let before = s.ticket(&key(&t)).await.unwrap();

    // Everything up to the first event is good (header and directory).
    let first_event = lines
        .iter()
        .position(|l| l.contains(r#""record":"event""#))
        .unwrap();
    let mut bad: Vec<String> = lines[..first_event].iter().map(|l| l.to_string()).collect();
    // A good creation event.
    bad.push(lines[first_event].to_string());
    // Broken JSON.
    bad.push(r#"{"record":"event","id":"#.to_string());
    let broken = bad.len();
    // An event of a ticket neither in the file nor in the store.
    let comment_line = lines
        .iter()
        .find(|l| l.contains(r#""type":"commented""#))
        .unwrap();
    let mut orphan: serde_json::Value = serde_json::from_str(comment_line).unwrap();
    orphan["id"] = uuid::Uuid::now_v7().to_string().into();
    orphan["ticket"] = uuid::Uuid::now_v7().to_string().into();
    bad.push(orphan.to_string());
    let orphan_line = bad.len();
    // A ticket created in a category that does not exist.
    let mut creation: serde_json::Value = serde_json::from_str(lines[first_event]).unwrap();
    creation["id"] = uuid::Uuid::now_v7().to_string().into();
    creation["ticket"] = uuid::Uuid::now_v7().to_string().into();
    creation["reference"] = "ZZZZ-1".into();
    creation["category"] = "tax/unknown".into();
    bad.push(creation.to_string());
    let category_line = bad.len();
    // An empty line is no error.
    bad.push(String::new());
    let bad = bad.join("\n");

    let e = import(s, bad.as_bytes(), Format::Jsonl).await.unwrap_err();
    assert_eq!(e.code(), "import_rejected");
    let Error::Import(errors) = &e else {
        panic!("{e}")
    };
    let mut numbers: Vec<usize> = errors.iter().map(|l| l.line).collect();
    numbers.sort();
    assert_eq!(numbers, [broken, orphan_line, category_line], "{e}");
    let msg = |n: usize| errors.iter().find(|l| l.line == n).unwrap().message.clone();
    assert!(
        msg(broken).contains("not a Guichet record"),
        "{}",
        msg(broken)
    );
    assert!(
        msg(orphan_line).contains("no creation event"),
        "{}",
        msg(orphan_line)
    );
    assert!(
        msg(category_line).contains("category: 'tax/unknown' is unknown"),
        "{}",
        msg(category_line)
    );
    let text = e.to_string();
    assert!(text.contains("nothing was written"), "{text}");
    for n in [broken, orphan_line, category_line] {
        assert!(text.contains(&format!("line {n}:")), "{text}");
    }
    // Nothing written: not the good event, not the directory.
    assert_eq!(s.counts().await.unwrap(), counts);
    assert_eq!(s.ticket(&key(&t)).await.unwrap(), before);
    assert_eq!(s.users().await.unwrap().len(), 1);
    assert!(s.teams().await.unwrap().is_empty());
    assert!(s.contacts().await.unwrap().is_empty());

    // The same kinds of errors in CSV, with CSV line numbers.
    let csv = String::from_utf8(export(&a.store, Format::Csv).await).unwrap();
    let mut rdr = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    let mut line = 1;
    let mut expected = Vec::new();
    for r in rows.iter().filter(|r| &r[0] != "event") {
        w.write_record(r).unwrap();
        line += 1;
    }
    let event = rows.iter().find(|r| &r[0] == "event").unwrap();
    w.write_record(event).unwrap(); // good
    line += 1;
    let mut broken_json = event.clone().iter().map(String::from).collect::<Vec<_>>();
    broken_json[1] = uuid::Uuid::now_v7().to_string();
    broken_json[7] = "{not json".into();
    w.write_record(&broken_json).unwrap();
    line += 1;
    expected.push(line);
    let mut bad_time = event.iter().map(String::from).collect::<Vec<_>>();
    bad_time[1] = uuid::Uuid::now_v7().to_string();
    bad_time[5] = "yesterday".into();
    w.write_record(&bad_time).unwrap();
    line += 1;
    expected.push(line);
    w.write_record(["mystery", "", "", "", "", "", "", ""])
        .unwrap();
    line += 1;
    expected.push(line);
    let bad_csv = w.into_inner().unwrap();
    let e = import(s, &bad_csv, Format::Csv).await.unwrap_err();
    let Error::Import(errors) = &e else {
        panic!("{e}")
    };
    let mut numbers: Vec<usize> = errors.iter().map(|l| l.line).collect();
    numbers.sort();
    assert_eq!(numbers, expected, "{e}");
    assert!(
        e.to_string()
            .contains("'yesterday' is not an RFC 3339 time"),
        "{e}"
    );
    assert!(e.to_string().contains("'mystery' is unknown"), "{e}");
    assert_eq!(s.counts().await.unwrap(), counts);

    // A file of another program.
    let e = import(
        s,
        b"{\"record\":\"header\",\"format\":\"other\",\"version\":7}\n",
        Format::Jsonl,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("guichet-export version 1"), "{e}");
    assert_eq!(s.counts().await.unwrap(), counts);
}
