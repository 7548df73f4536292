//! Refused commands: each error has its code and names what is accepted, and
//! the database is exactly as before (same counts, same ticket, no reference
//! used up).

mod common;

use common::*;
use guichet_domain::{Edit, NewTicket, Status, Ticket, User, UserId};
use guichet_store::{Error, Store};

struct Snapshot {
    counts: (i64, i64),
    ticket: Ticket,
    history: Vec<guichet_domain::Event>,
}

async fn snapshot(s: &Store, r: &str) -> Snapshot {
    Snapshot {
        counts: s.counts().await.unwrap(),
        ticket: s.ticket(r).await.unwrap(),
        history: s.history(r).await.unwrap(),
    }
}

async fn assert_unchanged(s: &Store, r: &str, before: &Snapshot, what: &str) {
    assert_eq!(s.counts().await.unwrap(), before.counts, "{what}: counts");
    assert_eq!(s.ticket(r).await.unwrap(), before.ticket, "{what}: ticket");
    assert_eq!(
        s.history(r).await.unwrap(),
        before.history,
        "{what}: history"
    );
}

#[tokio::test]
async fn refused_commands_leave_the_database_unchanged() {
    let fx = fresh().await;
    let s = &fx.store;
    let anne = User::new("amartin", "Anne Martin", None).unwrap();
    s.add_user(&anne).await.unwrap();
    let t = s
        .create_ticket(
            fx.me,
            new_ticket("Relance TVA trimestrielle", "client/advice"),
        )
        .await
        .unwrap();
    let r = key(&t);
    let before = snapshot(s, &r).await;

    // Titles: empty, blank, 201 characters (counted in characters, not bytes).
    for (title, problem) in [
        ("".to_string(), "must not be empty"),
        ("   ".to_string(), "must not be empty"),
        ("é".repeat(201), "is 201 characters long"),
        ("Zeile\nZwei".to_string(), "control character"),
    ] {
        let e = expect_code(
            s.create_ticket(fx.me, new_ticket(&title, "client")).await,
            "invalid",
        );
        let msg = e.to_string();
        assert!(msg.starts_with("title: "), "{msg}");
        assert!(msg.contains(problem), "{msg}");
        assert!(matches!(&e, Error::Invalid(d) if d.field() == "title"));
        assert_unchanged(s, &r, &before, "create with a bad title").await;

        let e = expect_code(
            s.edit_ticket(fx.me, &r, vec![Edit::Title(title.clone())])
                .await,
            "invalid",
        );
        assert!(e.to_string().contains(problem), "{e}");
        assert_unchanged(s, &r, &before, "edit to a bad title").await;
    }
    // 200 characters is the limit, and accepted.
    let long = s
        .create_ticket(fx.me, new_ticket(&"ü".repeat(200), "client"))
        .await
        .unwrap();
    assert_eq!(long.title.chars().count(), 200);
    // The refused creations used no reference.
    assert_eq!(long.reference.number, t.reference.number + 1);
    let r2 = key(&long);
    let before = snapshot(s, &r).await;

    // Unknown category: the error lists the accepted keys.
    let e = expect_code(
        s.create_ticket(fx.me, new_ticket("Congés d'été", "client/holidays"))
            .await,
        "unknown",
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("category: 'client/holidays' is unknown"),
        "{msg}"
    );
    for k in [
        "client",
        "client/advice",
        "client/documents",
        "hr",
        "it/access",
    ] {
        assert!(msg.contains(k), "{k} missing from: {msg}");
    }
    assert_unchanged(s, &r, &before, "create in an unknown category").await;
    let e = expect_code(
        s.edit_ticket(fx.me, &r, vec![Edit::Category("tax".into())])
            .await,
        "unknown",
    );
    assert!(e.to_string().contains("client/advice"), "{e}");
    assert_unchanged(s, &r, &before, "edit to an unknown category").await;
    // Not even a category key.
    let e = expect_code(
        s.create_ticket(fx.me, new_ticket("x", "Client Tax")).await,
        "invalid",
    );
    assert!(e.to_string().contains("client/tax"), "{e}");
    assert_unchanged(s, &r, &before, "create with a bad category key").await;

    // Unknown assignee, unknown team, unknown actor.
    let ghost = UserId::new();
    let e = expect_code(
        s.create_ticket(
            fx.me,
            NewTicket {
                assignee: Some(ghost),
                ..new_ticket("Accès VPN", "it/access")
            },
        )
        .await,
        "unknown",
    );
    assert!(e.to_string().starts_with("assignee: "), "{e}");
    assert!(e.to_string().contains(&ghost.to_string()), "{e}");
    assert_unchanged(s, &r, &before, "create with an unknown assignee").await;
    expect_code(
        s.edit_ticket(fx.me, &r, vec![Edit::Assignee(Some(ghost))])
            .await,
        "unknown",
    );
    assert_unchanged(s, &r, &before, "assign to an unknown user").await;
    let e = expect_code(
        s.edit_ticket(
            fx.me,
            &r,
            vec![
                Edit::Priority(guichet_domain::Priority::High),
                Edit::Team(Some(guichet_domain::TeamId::new())),
            ],
        )
        .await,
        "unknown",
    );
    assert!(e.to_string().starts_with("team: "), "{e}");
    assert_unchanged(s, &r, &before, "a good edit with an unknown team").await;
    let e = expect_code(
        s.comment(ghost, &r, guichet_domain::Visibility::Reply, "Bonjour")
            .await,
        "unknown",
    );
    assert!(e.to_string().starts_with("user: "), "{e}");
    assert_unchanged(s, &r, &before, "a comment by an unknown user").await;

    // Forbidden transition: new -> closed; the message lists the allowed moves.
    let e = expect_code(
        s.edit_ticket(fx.me, &r, vec![Edit::Status(Status::Closed)])
            .await,
        "invalid",
    );
    assert_eq!(
        e.to_string(),
        "status: cannot go from new to closed; \
         allowed from new: open, in_progress, waiting, resolved"
    );
    assert_unchanged(s, &r, &before, "new -> closed").await;
    // Allowed moves followed by a forbidden one in the same command: all or nothing.
    expect_code(
        s.edit_ticket(
            fx.me,
            &r,
            vec![
                Edit::Status(Status::Open),
                Edit::Title("Ne doit pas rester".into()),
                Edit::Status(Status::Closed),
            ],
        )
        .await,
        "invalid",
    );
    assert_unchanged(s, &r, &before, "open, title, then closed").await;

    // A disabled user can be neither assigned nor act.
    s.set_user_active("amartin", false).await.unwrap();
    assert!(!s.user("amartin").await.unwrap().active);
    let e = expect_code(
        s.edit_ticket(fx.me, &r, vec![Edit::Assignee(Some(anne.id))])
            .await,
        "conflict",
    );
    assert!(e.to_string().starts_with("assignee: "), "{e}");
    assert!(e.to_string().contains("disabled"), "{e}");
    assert_unchanged(s, &r, &before, "assign a disabled user").await;
    expect_code(
        s.create_ticket(
            fx.me,
            NewTicket {
                assignee: Some(anne.id),
                ..new_ticket("Imprimante en panne", "it/hardware")
            },
        )
        .await,
        "conflict",
    );
    assert_unchanged(s, &r, &before, "create for a disabled user").await;
    let e = expect_code(s.tag(anne.id, &r, true, "urgent").await, "conflict");
    assert!(e.to_string().contains("disabled"), "{e}");
    assert_unchanged(s, &r, &before, "a disabled user acts").await;
    // Enabled again, they can be assigned.
    s.set_user_active("amartin", true).await.unwrap();
    s.edit_ticket(fx.me, &r, vec![Edit::Assignee(Some(anne.id))])
        .await
        .unwrap();

    // Unknown tickets.
    let before = snapshot(s, &r2).await;
    let e = expect_code(
        s.edit_ticket(fx.me, "ABCD-999", vec![Edit::Title("x".into())])
            .await,
        "not_found",
    );
    assert!(e.to_string().contains("ABCD-999"), "{e}");
    expect_code(s.ticket("not a reference").await, "not_found");
    expect_code(s.history("ABCD-1").await, "not_found");
    assert_unchanged(s, &r2, &before, "unknown tickets").await;

    // Everything refused above is also absent after reopening.
    let reopened = Store::open(&fx.dir()).await.unwrap();
    assert_eq!(reopened.counts().await.unwrap(), before.counts);
    assert_eq!(reopened.ticket(&r2).await.unwrap(), before.ticket);
}

#[tokio::test]
async fn refused_directory_changes() {
    let fx = fresh().await;
    let s = &fx.store;
    let e = expect_code(
        s.add_user(&User::new("admin", "Another Admin", None).unwrap())
            .await,
        "conflict",
    );
    assert!(e.to_string().contains("'admin' is already taken"), "{e}");
    assert_eq!(s.users().await.unwrap().len(), 1);
    expect_code(s.user("nobody").await, "unknown");
    expect_code(s.set_user_active("nobody", false).await, "unknown");
    let team = guichet_domain::Team::new("IT").unwrap();
    s.add_team(&team).await.unwrap();
    let e = expect_code(
        s.add_team(&guichet_domain::Team::new("it").unwrap()).await,
        "conflict",
    );
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(s.teams().await.unwrap().len(), 1);
    let orphan = guichet_domain::Category::new("tax/vat", "VAT", "TVA", "Umsatzsteuer").unwrap();
    let e = expect_code(s.add_category(&orphan).await, "unknown");
    assert!(e.to_string().contains("client/advice"), "{e}");
    let dup = guichet_domain::Category::new("client", "Clients", "Clients", "Mandanten").unwrap();
    expect_code(s.add_category(&dup).await, "conflict");
    assert_eq!(
        s.categories().await.unwrap().len(),
        guichet_domain::default_categories().len()
    );
}
