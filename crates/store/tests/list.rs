//! List views: every filter alone and combined, the sort orders, paging.

mod common;

use chrono::NaiveDate;
use common::*;
use guichet_domain::{Category, Contact, Edit, NewTicket, Party, Priority, Status, Team, User};
use guichet_store::{ListQuery, Sort, Store, TicketSummary};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn titles(rows: &[TicketSummary]) -> Vec<&str> {
    rows.iter().map(|r| r.title.as_str()).collect()
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort();
    v
}

async fn list(s: &Store, q: ListQuery) -> Vec<TicketSummary> {
    s.list(&q).await.unwrap()
}

struct Spec {
    title: &'static str,
    category: &'static str,
    priority: Priority,
    status: Status,
    assignee: Option<usize>,
    team: Option<usize>,
    due: Option<NaiveDate>,
    tags: &'static [&'static str],
}

#[tokio::test]
async fn filters_sorts_and_pages() {
    let fx = fresh().await;
    let s = &fx.store;
    let users: Vec<User> = [("amartin", "Anne Martin"), ("jschmidt", "Jonas Schmidt")]
        .iter()
        .map(|(l, n)| User::new(l, n, None).unwrap())
        .collect();
    for u in &users {
        s.add_user(u).await.unwrap();
    }
    let teams: Vec<Team> = ["Contentieux", "Steuern"]
        .iter()
        .map(|n| Team::new(n).unwrap())
        .collect();
    for t in &teams {
        s.add_team(t).await.unwrap();
    }
    // Categories whose keys look alike: `client` must not match `clientele`,
    // and `tax_law` must find its children although `_` is a LIKE wildcard.
    for (k, en) in [
        ("clientele", "Clientele"),
        ("tax_law", "Tax law"),
        ("tax_law/vat", "VAT"),
        ("taxxlaw", "Not tax law"),
        ("taxxlaw/sub", "Not tax law either"),
    ] {
        s.add_category(&Category::new(k, en, en, en).unwrap())
            .await
            .unwrap();
    }
    let client = Contact::new("Müller GmbH", None, None).unwrap();
    s.add_contact(&client).await.unwrap();

    use Priority::*;
    use Status::*;
    let specs = [
        Spec {
            title: "A conseil",
            category: "client/advice",
            priority: High,
            status: New,
            assignee: Some(0),
            team: Some(0),
            due: Some(d(3, 31)),
            tags: &["tva"],
        },
        Spec {
            title: "B pièces",
            category: "client/documents",
            priority: Low,
            status: Open,
            assignee: Some(1),
            team: Some(1),
            due: Some(d(1, 15)),
            tags: &["tva", "bilan"],
        },
        Spec {
            title: "C client",
            category: "client",
            priority: Urgent,
            status: InProgress,
            assignee: None,
            team: Some(0),
            due: None,
            tags: &[],
        },
        Spec {
            title: "D clientèle",
            category: "clientele",
            priority: Normal,
            status: Resolved,
            assignee: Some(0),
            team: None,
            due: Some(d(6, 1)),
            tags: &["bilan"],
        },
        Spec {
            title: "E imprimante",
            category: "it/hardware",
            priority: Urgent,
            status: Waiting,
            assignee: None,
            team: None,
            due: Some(d(1, 1)),
            tags: &["vpn"],
        },
        Spec {
            title: "F TVA",
            category: "tax_law/vat",
            priority: Normal,
            status: Closed,
            assignee: Some(1),
            team: Some(1),
            due: Some(d(3, 1)),
            tags: &["TVA"],
        },
        Spec {
            title: "G droit fiscal",
            category: "tax_law",
            priority: Low,
            status: New,
            assignee: None,
            team: Some(1),
            due: None,
            tags: &[],
        },
        Spec {
            title: "H autre",
            category: "taxxlaw/sub",
            priority: High,
            status: Open,
            assignee: Some(0),
            team: None,
            due: Some(d(2, 28)),
            tags: &["frist"],
        },
    ];
    for sp in &specs {
        let t = s
            .create_ticket(
                fx.me,
                NewTicket {
                    title: sp.title.into(),
                    category: sp.category.into(),
                    priority: Some(sp.priority),
                    assignee: sp.assignee.map(|i| users[i].id),
                    team: sp.team.map(|i| teams[i].id),
                    requester: (sp.title < "C").then_some(Party::Contact(client.id)),
                    due: sp.due,
                    tags: sp.tags.iter().map(|t| t.to_string()).collect(),
                    ..NewTicket::default()
                },
            )
            .await
            .unwrap();
        let path: &[Status] = match sp.status {
            New => &[],
            Open => &[Open],
            InProgress => &[InProgress],
            Waiting => &[Waiting],
            Resolved => &[Resolved],
            Closed => &[Resolved, Closed],
        };
        for st in path {
            s.edit_ticket(fx.me, &key(&t), vec![Edit::Status(*st)])
                .await
                .unwrap();
        }
    }
    let all = list(s, ListQuery::default()).await;
    assert_eq!(all.len(), specs.len());
    // Default order: most recently changed first.
    assert!(all.windows(2).all(|w| w[0].updated_at >= w[1].updated_at));
    let a = all.iter().find(|r| r.title == "A conseil").unwrap();
    assert_eq!(a.assignee.as_deref(), Some("amartin"));
    assert_eq!(a.team.as_deref(), Some("Contentieux"));
    assert_eq!(a.due, Some(d(3, 31)));
    assert_eq!((a.priority, a.status), (High, New));

    // Status.
    let rows = list(
        s,
        ListQuery {
            statuses: vec![New],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["A conseil", "G droit fiscal"]);
    let rows = list(
        s,
        ListQuery {
            statuses: vec![Open, InProgress, Waiting],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        sorted(titles(&rows)),
        ["B pièces", "C client", "E imprimante", "H autre"]
    );
    let rows = list(
        s,
        ListQuery {
            statuses: vec![Closed],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["F TVA"]);
    // Priority.
    let rows = list(
        s,
        ListQuery {
            priorities: vec![Urgent],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["C client", "E imprimante"]);

    // Assignee: one user, and unassigned.
    let rows = list(
        s,
        ListQuery {
            assignee: Some(Some(users[0].id)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        sorted(titles(&rows)),
        ["A conseil", "D clientèle", "H autre"]
    );
    let rows = list(
        s,
        ListQuery {
            assignee: Some(None),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        sorted(titles(&rows)),
        ["C client", "E imprimante", "G droit fiscal"]
    );
    assert!(rows.iter().all(|r| r.assignee.is_none()));

    // Team.
    let rows = list(
        s,
        ListQuery {
            team: Some(teams[1].id),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        sorted(titles(&rows)),
        ["B pièces", "F TVA", "G droit fiscal"]
    );
    assert!(rows.iter().all(|r| r.team.as_deref() == Some("Steuern")));

    // Category with its children, and only those.
    let rows = list(
        s,
        ListQuery {
            category: Some("client".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["A conseil", "B pièces", "C client"]);
    let rows = list(
        s,
        ListQuery {
            category: Some("client/advice".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["A conseil"]);
    let rows = list(
        s,
        ListQuery {
            category: Some("it".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["E imprimante"]);
    let rows = list(
        s,
        ListQuery {
            category: Some("tax_law".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["F TVA", "G droit fiscal"]);
    let rows = list(
        s,
        ListQuery {
            category: Some("taxxlaw".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["H autre"]);

    // Requester.
    let rows = list(
        s,
        ListQuery {
            requester: Some(client.id.to_string()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["A conseil", "B pièces"]);

    // Tag, whatever its case.
    let rows = list(
        s,
        ListQuery {
            tag: Some("tva".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["A conseil", "B pièces", "F TVA"]);
    let rows = list(
        s,
        ListQuery {
            tag: Some("BILAN".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["B pièces", "D clientèle"]);

    // Due range, bounds included.
    let rows = list(
        s,
        ListQuery {
            due_from: Some(d(1, 15)),
            due_to: Some(d(3, 1)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["B pièces", "F TVA", "H autre"]);
    let rows = list(
        s,
        ListQuery {
            due_to: Some(d(1, 14)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["E imprimante"]);
    let rows = list(
        s,
        ListQuery {
            due_from: Some(d(4, 1)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["D clientèle"]);

    // Filters combine.
    let rows = list(
        s,
        ListQuery {
            category: Some("client".into()),
            team: Some(teams[0].id),
            statuses: vec![New, InProgress],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["A conseil", "C client"]);
    let rows = list(
        s,
        ListQuery {
            assignee: Some(None),
            tag: Some("vpn".into()),
            due_to: Some(d(12, 31)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["E imprimante"]);

    // Sort by due date: soonest first, tickets without one last.
    let rows = list(
        s,
        ListQuery {
            sort: Sort::Due,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        titles(&rows),
        [
            "E imprimante",
            "B pièces",
            "H autre",
            "F TVA",
            "A conseil",
            "D clientèle",
            "C client",
            "G droit fiscal"
        ]
    );
    // Sort by priority: most urgent first.
    let rows = list(
        s,
        ListQuery {
            sort: Sort::Priority,
            ..Default::default()
        },
    )
    .await;
    let prios: Vec<Priority> = rows.iter().map(|r| r.priority).collect();
    assert_eq!(
        prios,
        [Urgent, Urgent, High, High, Normal, Normal, Low, Low]
    );
    for w in rows.windows(2) {
        if w[0].priority == w[1].priority {
            assert!(w[0].updated_at >= w[1].updated_at);
        }
    }
    // Sort by creation: newest first.
    let rows = list(
        s,
        ListQuery {
            sort: Sort::Created,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(rows.first().unwrap().title, "H autre");
    assert_eq!(rows.last().unwrap().title, "A conseil");

    // Paging: the pages of a sorted list, put together, are the list.
    let full = titles(
        &list(
            s,
            ListQuery {
                sort: Sort::Due,
                ..Default::default()
            },
        )
        .await,
    )
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    let mut paged = Vec::new();
    for page in 0..4 {
        let rows = list(
            s,
            ListQuery {
                sort: Sort::Due,
                limit: 3,
                offset: page * 3,
                ..Default::default()
            },
        )
        .await;
        assert!(rows.len() <= 3);
        paged.extend(rows.into_iter().map(|r| r.title));
    }
    assert_eq!(paged, full);
    let rows = list(
        s,
        ListQuery {
            sort: Sort::Due,
            limit: 2,
            offset: 1,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["B pièces", "H autre"]);
    assert!(list(
        s,
        ListQuery {
            offset: 100,
            ..Default::default()
        }
    )
    .await
    .is_empty());

    // A change moves a ticket between views.
    let g = all.iter().find(|r| r.title == "G droit fiscal").unwrap();
    s.edit_ticket(
        fx.me,
        &g.reference,
        vec![
            Edit::Assignee(Some(users[1].id)),
            Edit::Category("client/advice".into()),
            Edit::Due(Some(d(1, 2))),
        ],
    )
    .await
    .unwrap();
    let rows = list(
        s,
        ListQuery {
            assignee: Some(None),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(sorted(titles(&rows)), ["C client", "E imprimante"]);
    let rows = list(
        s,
        ListQuery {
            category: Some("client".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        sorted(titles(&rows)),
        ["A conseil", "B pièces", "C client", "G droit fiscal"]
    );
    let rows = list(
        s,
        ListQuery {
            sort: Sort::Due,
            limit: 2,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(titles(&rows), ["E imprimante", "G droit fiscal"]);
    // The most recently changed ticket comes first by default.
    assert_eq!(
        list(s, ListQuery::default()).await[0].title,
        "G droit fiscal"
    );
}

#[tokio::test]
async fn default_page_is_fifty_and_comments_are_counted() {
    let fx = fresh().await;
    let s = &fx.store;
    let mut last = None;
    for i in 0..60 {
        last = Some(
            s.create_ticket(fx.me, new_ticket(&format!("Ticket {i}"), "hr"))
                .await
                .unwrap(),
        );
    }
    let last = last.unwrap();
    assert_eq!(list(s, ListQuery::default()).await.len(), 50);
    assert_eq!(
        list(
            s,
            ListQuery {
                limit: 100,
                ..Default::default()
            }
        )
        .await
        .len(),
        60
    );
    assert_eq!(
        list(
            s,
            ListQuery {
                offset: 50,
                ..Default::default()
            }
        )
        .await
        .len(),
        10
    );
    for body in ["un", "zwei"] {
        s.comment(fx.me, &key(&last), guichet_domain::Visibility::Reply, body)
            .await
            .unwrap();
    }
    let rows = list(
        s,
        ListQuery {
            limit: 1,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(rows[0].reference, key(&last));
    assert_eq!(rows[0].comments, 2);
    assert_eq!(rows[0].id, last.id.to_string());
}

/// Without planner statistics, "all open tickets, newest first" sorts every
/// open ticket; a large import must leave statistics behind.
#[tokio::test]
async fn a_large_import_leaves_planner_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path(), "stats", "Stats").await.unwrap();
    let data = guichet_store::demo_jsonl(7, 1_200, 2);
    store
        .import(&mut &data[..], guichet_store::Format::Jsonl)
        .await
        .unwrap();
    store.close().await;
    let url = format!("sqlite://{}", guichet_store::db_path(dir.path()).display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tickets'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(rows > 0, "no statistics for the tickets table");
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE status IN ('new','open','in_progress','waiting') ORDER BY updated_at DESC, n DESC LIMIT 100",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|r| r.3).collect();
    assert!(
        plan.iter().all(|p| !p.contains("TEMP B-TREE")),
        "the open list sorts instead of walking an index: {plan:?}"
    );
}
