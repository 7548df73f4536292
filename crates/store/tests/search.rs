//! Full-text search: accents and case folded, words matched as prefixes,
//! comments included, the index following edits.

mod common;

use common::*;
use guichet_domain::{Edit, NewTicket, Status, Visibility};
use guichet_store::{Error, ListQuery, Store};

async fn refs(s: &Store, text: &str) -> Vec<String> {
    let mut found: Vec<String> = s
        .search(text, 100)
        .await
        .unwrap_or_else(|e| panic!("search {text:?}: {e}"))
        .into_iter()
        .map(|t| t.reference)
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn search_folds_accents_and_case_and_matches_prefixes() {
    let fx = fresh().await;
    let s = &fx.store;
    let fr = s
        .create_ticket(
            fx.me,
            NewTicket {
                title: "Délai de réponse".into(),
                description: "Le client attend une réponse avant la fin de la semaine.".into(),
                category: "admin/court-deadline".into(),
                ..NewTicket::default()
            },
        )
        .await
        .unwrap();
    let de = s
        .create_ticket(
            fx.me,
            NewTicket {
                title: "Fristverlängerung Klage".into(),
                description: "Der Schriftsatz muss vor Ablauf beim Landgericht eingehen.".into(),
                category: "admin/court-deadline".into(),
                ..NewTicket::default()
            },
        )
        .await
        .unwrap();
    let other = s
        .create_ticket(
            fx.me,
            new_ticket("Imprimante du deuxième étage en panne", "it/hardware"),
        )
        .await
        .unwrap();
    let (fr_ref, de_ref) = (key(&fr), key(&de));
    s.comment(
        fx.me,
        &fr_ref,
        Visibility::Reply,
        "Le greffe du tribunal de commerce demande une copie certifiée conforme.",
    )
    .await
    .unwrap();
    s.comment(
        fx.me,
        &de_ref,
        Visibility::Internal,
        "Zustellungsurkunde liegt vor; bitte im Fristenkalender vormerken.",
    )
    .await
    .unwrap();

    // Accents and case.
    assert_eq!(refs(s, "delai").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "DÉLAI").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "Délai").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "reponse").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "fristverlangerung").await, [de_ref.as_str()]);
    assert_eq!(refs(s, "FRISTVERLÄNGERUNG").await, [de_ref.as_str()]);
    assert_eq!(refs(s, "etage").await, [key(&other)]);
    // Prefixes: "Frist" finds "Fristverlängerung".
    assert_eq!(refs(s, "Frist").await, [de_ref.as_str()]);
    assert_eq!(refs(s, "landger").await, [de_ref.as_str()]);
    // Every word must match.
    assert_eq!(refs(s, "delai reponse").await, [fr_ref.as_str()]);
    assert!(refs(s, "delai frist").await.is_empty());
    // Words only present in a comment (a reply, an internal note).
    assert_eq!(refs(s, "greffe").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "certifiee").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "zustellungsurkunde").await, [de_ref.as_str()]);
    // FTS5 syntax typed by a user is only separators.
    assert_eq!(refs(s, "\"délai\"").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "délai*").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "(frist) -").await, [de_ref.as_str()]);
    assert_eq!(refs(s, "délai-réponse").await, [fr_ref.as_str()]);
    assert!(refs(s, "NEAR(delai AND").await.is_empty());
    assert!(refs(s, "inexistant").await.is_empty());

    // No letter at all: refused, naming the search.
    for text in ["!!!", "", "  ", "*\"()"] {
        let e = s.search(text, 10).await.unwrap_err();
        assert_eq!(e.code(), "invalid", "{text:?}: {e}");
        assert!(
            matches!(&e, Error::Invalid(d) if d.field() == "search"),
            "{e}"
        );
        assert!(e.to_string().starts_with("search: "), "{e}");
        assert!(
            e.to_string().contains("at least one letter or digit"),
            "{e}"
        );
    }

    // Search combines with the other filters.
    let open_only = s
        .list(&ListQuery {
            text: Some("frist".into()),
            statuses: vec![Status::Open],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(open_only.is_empty());
    s.edit_ticket(fx.me, &de_ref, vec![Edit::Status(Status::Open)])
        .await
        .unwrap();
    let open_only = s
        .list(&ListQuery {
            text: Some("frist".into()),
            statuses: vec![Status::Open],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(open_only.len(), 1);
    assert_eq!(open_only[0].reference, de_ref);

    // After a title edit the old word is gone and the new one found.
    s.edit_ticket(
        fx.me,
        &fr_ref,
        vec![Edit::Title("Échéance de la déclaration".into())],
    )
    .await
    .unwrap();
    assert!(refs(s, "delai").await.is_empty());
    assert_eq!(refs(s, "echeance").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "déclaration").await, [fr_ref.as_str()]);
    // Words of the description and comments are still there.
    assert_eq!(refs(s, "reponse").await, [fr_ref.as_str()]);
    assert_eq!(refs(s, "greffe").await, [fr_ref.as_str()]);
    // Same for the description.
    s.edit_ticket(
        fx.me,
        &de_ref,
        vec![Edit::Description("Neue Begründung folgt.".into())],
    )
    .await
    .unwrap();
    assert!(refs(s, "landgericht").await.is_empty());
    assert_eq!(refs(s, "begrundung").await, [de_ref.as_str()]);
    assert_eq!(refs(s, "frist").await, [de_ref.as_str()]);
    // Editing other fields leaves the index alone.
    s.edit_ticket(
        fx.me,
        &fr_ref,
        vec![Edit::Priority(guichet_domain::Priority::Urgent)],
    )
    .await
    .unwrap();
    assert_eq!(refs(s, "echeance").await, [fr_ref.as_str()]);

    // The index is in the file: the same after reopening.
    s.close().await;
    let s = Store::open(&fx.dir()).await.unwrap();
    assert!(refs(&s, "delai").await.is_empty());
    assert_eq!(refs(&s, "echeance").await, [fr_ref.as_str()]);
    assert_eq!(refs(&s, "Frist").await, [de_ref.as_str()]);
    assert_eq!(refs(&s, "zustellungsurkunde").await, [de_ref.as_str()]);
    s.check_integrity().await.unwrap();
}

/// A search with other filters considers only the newest TEXT_CANDIDATES
/// matches, and says so; below the cap nothing is left out.
#[tokio::test]
async fn a_filtered_search_over_very_many_matches_is_capped_and_says_so() {
    let fx = fresh().await;
    let s = &fx.store;
    assert!(!s.text_capped("frist").await.unwrap());
    let n = guichet_store::TEXT_CANDIDATES + 20;
    for i in 0..n {
        s.create_ticket(fx.me, new_ticket(&format!("Frist {i}"), "client"))
            .await
            .unwrap();
    }
    s.create_ticket(fx.me, new_ticket("Mietvertrag prüfen", "client"))
        .await
        .unwrap();
    assert!(s.text_capped("frist").await.unwrap());
    assert!(!s.text_capped("mietvertrag").await.unwrap());
    let q = ListQuery {
        text: Some("frist".into()),
        statuses: vec![Status::New],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        s.count(&q).await.unwrap(),
        guichet_store::TEXT_CANDIDATES as i64
    );
    let page = s.list(&q).await.unwrap();
    assert_eq!(page.len(), 10);
    // The newest matches are the ones considered.
    assert_eq!(page[0].title, format!("Frist {}", n - 1));
    let rare = ListQuery {
        text: Some("mietvertrag".into()),
        statuses: vec![Status::New],
        ..Default::default()
    };
    assert_eq!(s.count(&rare).await.unwrap(), 1);
}
