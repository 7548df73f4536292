//! Creating and changing tickets through the store's commands: every change
//! is an event, the ticket read back reflects it, attachments are stored once
//! per content and refused without a trace when too big or missing.

mod common;

use chrono::NaiveDate;
use common::*;
use guichet_domain::{
    Change, Edit, EventKind, LinkKind, NewTicket, Party, Priority, Status, Team, User, Visibility,
};
use guichet_store::{Store, DEFAULT_ATTACHMENT_MAX_BYTES};

#[tokio::test]
async fn init_twice_changes_nothing_and_open_finds_the_same_replica() {
    let fx = fresh().await;
    let replica = fx.store.replica().await.unwrap();
    let again = Store::init(&fx.dir(), "someone", "Someone Else")
        .await
        .unwrap();
    assert_eq!(again.replica().await.unwrap(), replica);
    assert_eq!(again.local_user().await.unwrap(), fx.me);
    assert_eq!(again.users().await.unwrap().len(), 1);
    let opened = Store::open(&fx.dir()).await.unwrap();
    assert_eq!(opened.replica().await.unwrap(), replica);
    assert_eq!(
        opened.attachment_max_bytes().await.unwrap(),
        DEFAULT_ATTACHMENT_MAX_BYTES
    );
    assert!(opened
        .categories()
        .await
        .unwrap()
        .iter()
        .any(|c| c.key == "client/advice" && c.parent.as_deref() == Some("client")));
    assert_eq!(opened.counts().await.unwrap(), (0, 0));
}

#[tokio::test]
async fn create_edit_comment_tag_watch_link() {
    let fx = fresh().await;
    let s = &fx.store;
    let anna = User::new("ahoffmann", "Anna Hoffmann", Some("anna@cabinet.example")).unwrap();
    let paul = User::new("pleroy", "Pierre Leroy", None).unwrap();
    s.add_user(&anna).await.unwrap();
    s.add_user(&paul).await.unwrap();
    let mut team = Team::new("Fiscal / Steuern").unwrap();
    team.members = vec![anna.id];
    s.add_team(&team).await.unwrap();
    assert_eq!(s.team("fiscal / steuern").await.unwrap(), team);
    let due = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();

    let created = s
        .create_ticket(
            fx.me,
            NewTicket {
                title: "  Échéance de la déclaration de résultats  ".into(),
                description: "Le client attend une réponse.\n".into(),
                category: "admin/tax-deadline".into(),
                priority: Some(Priority::High),
                assignee: Some(anna.id),
                team: Some(team.id),
                requester: Some(Party::User(paul.id)),
                matter: Some("2026/0042".into()),
                due: Some(due),
                tags: vec!["TVA".into(), "bilan".into()],
            },
        )
        .await
        .unwrap();
    let r = key(&created);
    assert_eq!(created.reference.replica, s.replica().await.unwrap());
    assert_eq!(created.reference.number, 1);
    assert_eq!(created.title, "Échéance de la déclaration de résultats");
    assert_eq!(created.description, "Le client attend une réponse.");
    assert_eq!(created.status, Status::New);
    assert_eq!(created.priority, Priority::High);
    assert_eq!(created.assignee, Some(anna.id));
    assert_eq!(created.team, Some(team.id));
    assert_eq!(created.requester, Some(Party::User(paul.id)));
    assert_eq!(created.matter.as_deref(), Some("2026/0042"));
    assert_eq!(created.due, Some(due));
    assert_eq!(
        created.tags.iter().cloned().collect::<Vec<_>>(),
        ["bilan", "tva"]
    );
    assert_eq!(created.created_by, fx.me);
    assert_eq!(s.ticket(&r).await.unwrap(), created);
    assert_eq!(s.ticket(&created.id.to_string()).await.unwrap(), created);
    // References are read case-insensitively.
    assert_eq!(s.ticket(&r.to_lowercase()).await.unwrap(), created);
    assert_eq!(s.counts().await.unwrap(), (1, 1));

    // Several field edits at once: one event each, in order.
    let t = s
        .edit_ticket(
            fx.me,
            &r,
            vec![
                Edit::Title("Échéance reportée".into()),
                Edit::Status(Status::Open),
                Edit::Status(Status::InProgress),
                Edit::Priority(Priority::Urgent),
                Edit::Assignee(Some(paul.id)),
            ],
        )
        .await
        .unwrap();
    assert_eq!(t.title, "Échéance reportée");
    assert_eq!(t.status, Status::InProgress);
    assert_eq!(t.priority, Priority::Urgent);
    assert_eq!(t.assignee, Some(paul.id));
    assert_eq!(s.ticket(&r).await.unwrap(), t);
    let history = s.history(&r).await.unwrap();
    assert_eq!(history.len(), 6);
    assert!(history.windows(2).all(|w| w[0].hlc < w[1].hlc));
    assert!(matches!(
        &history[2].kind,
        EventKind::Changed(Change::Status {
            old: Status::New,
            new: Status::Open
        })
    ));
    assert!(matches!(
        &history[3].kind,
        EventKind::Changed(Change::Status {
            old: Status::Open,
            new: Status::InProgress
        })
    ));
    let EventKind::Changed(Change::Assignee { old, new }) = &history[5].kind else {
        panic!("{:?}", history[5].kind)
    };
    assert_eq!((*old, *new), (Some(anna.id), Some(paul.id)));

    // An edit that changes nothing writes nothing.
    let same = s
        .edit_ticket(fx.me, &r, vec![Edit::Priority(Priority::Urgent)])
        .await
        .unwrap();
    assert_eq!(same, t);
    assert_eq!(s.counts().await.unwrap(), (1, 6));

    // Status all the way to closed and back.
    for next in [
        Status::Waiting,
        Status::Resolved,
        Status::Closed,
        Status::Open,
    ] {
        let t = s
            .edit_ticket(fx.me, &r, vec![Edit::Status(next)])
            .await
            .unwrap();
        assert_eq!(t.status, next);
    }
    // Unassign, change team, clear the due date.
    let t = s
        .edit_ticket(
            fx.me,
            &r,
            vec![Edit::Assignee(None), Edit::Team(None), Edit::Due(None)],
        )
        .await
        .unwrap();
    assert_eq!((t.assignee, t.team, t.due), (None, None, None));

    // A reply and an internal note.
    let reply = s
        .comment(fx.me, &r, Visibility::Reply, "  Nous revenons vers vous.  ")
        .await
        .unwrap();
    let EventKind::Commented { visibility, body } = &reply.kind else {
        panic!("{:?}", reply.kind)
    };
    assert_eq!(*visibility, Visibility::Reply);
    assert_eq!(body, "Nous revenons vers vous.");
    s.comment(
        fx.me,
        &r,
        Visibility::Internal,
        "Frist im Kalender notiert.",
    )
    .await
    .unwrap();
    let comments = s.comments(&r).await.unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].visibility, Visibility::Reply);
    assert_eq!(comments[0].event_id, reply.id.to_string());
    assert_eq!(comments[0].author, "admin");
    assert_eq!(comments[1].visibility, Visibility::Internal);
    assert_eq!(comments[1].body, "Frist im Kalender notiert.");
    assert_eq!(s.ticket(&r).await.unwrap().comments, 2);
    expect_code(
        s.comment(fx.me, &r, Visibility::Reply, "   ").await,
        "invalid",
    );

    // Tags: added once, removed once; repeating is a no-op.
    let (_, events) = s.counts().await.unwrap();
    let t = s.tag(fx.me, &r, true, "Frist").await.unwrap();
    assert!(t.tags.contains("frist"));
    s.tag(fx.me, &r, true, "frist").await.unwrap();
    let t = s.tag(fx.me, &r, false, "tva").await.unwrap();
    assert!(!t.tags.contains("tva"));
    s.tag(fx.me, &r, false, "tva").await.unwrap();
    assert_eq!(s.counts().await.unwrap().1, events + 2);
    expect_code(s.tag(fx.me, &r, true, "two words").await, "invalid");

    // Watchers.
    let t = s.watch(fx.me, &r, true, anna.id).await.unwrap();
    assert!(t.watchers.contains(&anna.id));
    let t = s.watch(fx.me, &r, true, paul.id).await.unwrap();
    assert_eq!(t.watchers.len(), 2);
    let t = s.watch(fx.me, &r, false, anna.id).await.unwrap();
    assert_eq!(t.watchers.iter().copied().collect::<Vec<_>>(), [paul.id]);
    expect_code(
        s.watch(fx.me, &r, true, guichet_domain::UserId::new())
            .await,
        "unknown",
    );

    // Links of every kind; the ticket itself is refused; removal works.
    let other = s
        .create_ticket(
            fx.me,
            new_ticket("Grundbuchauszug anfordern", "client/documents"),
        )
        .await
        .unwrap();
    let parent = s
        .create_ticket(fx.me, new_ticket("Dossier annuel", "client"))
        .await
        .unwrap();
    assert_eq!(other.reference.number, 2);
    assert_eq!(parent.reference.number, 3);
    s.link(fx.me, &r, LinkKind::Related, &key(&other), true)
        .await
        .unwrap();
    s.link(fx.me, &r, LinkKind::Parent, &key(&parent), true)
        .await
        .unwrap();
    let t = s
        .link(
            fx.me,
            &r,
            LinkKind::DuplicateOf,
            &other.id.to_string(),
            true,
        )
        .await
        .unwrap();
    assert_eq!(t.links.len(), 3);
    assert!(t
        .links
        .iter()
        .any(|l| l.kind == LinkKind::Parent && l.target == parent.id));
    let before = s.counts().await.unwrap();
    let e = expect_code(
        s.link(fx.me, &r, LinkKind::Related, &r, true).await,
        "invalid",
    );
    assert!(e.to_string().contains("link target"), "{e}");
    let e = expect_code(
        s.link(fx.me, &r, LinkKind::Related, "ZZZZ-999", true).await,
        "not_found",
    );
    assert!(e.to_string().contains("ZZZZ-999"), "{e}");
    assert_eq!(s.counts().await.unwrap(), before);
    let t = s
        .link(fx.me, &r, LinkKind::Related, &key(&other), false)
        .await
        .unwrap();
    assert_eq!(t.links.len(), 2);

    // Whatever happened, the stored ticket is the replay of its history.
    let stored = s.ticket(&r).await.unwrap();
    assert_eq!(
        Some(stored),
        guichet_domain::Ticket::replay(&s.history(&r).await.unwrap())
    );
}

#[tokio::test]
async fn attachments_are_stored_once_per_content() {
    let fx = fresh().await;
    let s = &fx.store;
    let t = s
        .create_ticket(
            fx.me,
            new_ticket("Pièces du contrôle fiscal", "client/documents"),
        )
        .await
        .unwrap();
    let r = key(&t);
    let files = fx.tmp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let content = "Grand livre 2025\n".repeat(500);
    let a = files.join("grand-livre.pdf");
    let b = files.join("copie du grand livre.PDF");
    std::fs::write(&a, &content).unwrap();
    std::fs::write(&b, &content).unwrap();

    let first = s.attach(fx.me, &r, &a).await.unwrap();
    assert_eq!(first.name, "grand-livre.pdf");
    assert_eq!(first.size, content.len() as u64);
    assert_eq!(first.mime, "application/pdf");
    assert_eq!(first.sha256.len(), 64);
    let blob = s.blob_path(&first.sha256);
    assert_eq!(
        blob,
        fx.dir()
            .join("attachments")
            .join(&first.sha256[..2])
            .join(&first.sha256)
    );
    assert_eq!(std::fs::read_to_string(&blob).unwrap(), content);

    let second = s.attach(fx.me, &r, &b).await.unwrap();
    assert_eq!(second.sha256, first.sha256);
    assert_eq!(second.name, "copie du grand livre.PDF");
    assert_eq!(second.mime, "application/pdf");
    // One blob for the two attachments; no temporary file left behind.
    let blobs: Vec<_> = files_under(&fx.dir().join("attachments"));
    assert_eq!(blobs, std::slice::from_ref(&blob));
    let stored = s.ticket(&r).await.unwrap();
    assert_eq!(stored.attachments, [first.clone(), second.clone()]);

    // Another content is another blob.
    let c = files.join("notes.txt");
    std::fs::write(&c, "autre contenu").unwrap();
    let third = s.attach(fx.me, &r, &c).await.unwrap();
    assert_ne!(third.sha256, first.sha256);
    assert_eq!(third.mime, "text/plain");
    assert_eq!(files_under(&fx.dir().join("attachments")).len(), 2);

    // Over the limit: refused, naming the limit, and nothing written.
    s.set_attachment_max_bytes(1_000).await.unwrap();
    assert_eq!(s.attachment_max_bytes().await.unwrap(), 1_000);
    let big = files.join("scan.pdf");
    std::fs::write(&big, vec![7u8; 1_001]).unwrap();
    let counts = s.counts().await.unwrap();
    let blobs = files_under(&fx.dir().join("attachments"));
    let snapshot = s.ticket(&r).await.unwrap();
    let e = expect_code(s.attach(fx.me, &r, &big).await, "attachment");
    let msg = e.to_string();
    assert!(msg.contains("1000 bytes"), "{msg}");
    assert!(msg.contains("1001 bytes"), "{msg}");
    assert_eq!(s.counts().await.unwrap(), counts);
    assert_eq!(files_under(&fx.dir().join("attachments")), blobs);
    assert_eq!(s.ticket(&r).await.unwrap(), snapshot);
    // Exactly at the limit is accepted.
    let edge = files.join("edge.bin");
    std::fs::write(&edge, vec![1u8; 1_000]).unwrap();
    let at_limit = s.attach(fx.me, &r, &edge).await.unwrap();
    assert_eq!(at_limit.size, 1_000);
    assert_eq!(at_limit.mime, "application/octet-stream");
    expect_code(s.set_attachment_max_bytes(0).await, "invalid");

    // A missing file, a directory, a wrong ticket: refused, nothing written.
    let counts = s.counts().await.unwrap();
    let blobs = files_under(&fx.dir().join("attachments"));
    let e = expect_code(
        s.attach(fx.me, &r, &files.join("absent.pdf")).await,
        "attachment",
    );
    assert!(e.to_string().contains("absent.pdf"), "{e}");
    expect_code(s.attach(fx.me, &r, &files).await, "attachment");
    expect_code(s.attach(fx.me, "ZZZZ-1", &c).await, "not_found");
    assert_eq!(s.counts().await.unwrap(), counts);
    assert_eq!(files_under(&fx.dir().join("attachments")), blobs);

    // The attachments survive a reopen, in order.
    let reopened = Store::open(&fx.dir()).await.unwrap();
    assert_eq!(
        reopened.ticket(&r).await.unwrap().attachments,
        [first, second, third, at_limit]
    );
}
