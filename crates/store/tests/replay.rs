//! The projection kept in SQLite equals the replay of the event log, after
//! any sequence of commands, and again after the store is reopened.

mod common;

use chrono::NaiveDate;
use common::*;
use guichet_domain::{
    Contact, Edit, LinkKind, NewTicket, Party, Priority, Status, Team, Ticket, User, UserId,
    Visibility,
};
use guichet_store::{Error, Store};

const CATEGORIES: &[&str] = &[
    "client",
    "client/advice",
    "client/documents",
    "it/access",
    "admin/court-deadline",
    "hr",
];
const TAGS: &[&str] = &["tva", "ust", "frist", "délai", "greffe", "bilan"];
const WORDS: &[&str] = &[
    "Délai",
    "Fristverlängerung",
    "greffe",
    "Steuerbescheid",
    "relance",
    "Einspruch",
    "bilan",
];

fn phrase(rng: &mut Rng) -> String {
    (0..1 + rng.below(4))
        .map(|_| *rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

async fn assert_projection_is_replay(store: &Store, refs: &[String]) {
    for r in refs {
        let stored = store.ticket(r).await.unwrap();
        let history = store.history(r).await.unwrap();
        assert!(history.windows(2).all(|w| w[0].hlc < w[1].hlc));
        let replayed = Ticket::replay(&history).expect("history starts with a creation");
        assert_eq!(stored, replayed, "ticket {r}");
        assert_eq!(
            store.comments(r).await.unwrap().len() as u32,
            stored.comments
        );
    }
}

/// Runs `steps` random commands over a handful of tickets; commands the
/// domain refuses (a move the workflow forbids) are part of the game and
/// must leave nothing behind.
async fn random_run(seed: u64, steps: usize) {
    let fx = fresh().await;
    let s = &fx.store;
    let mut rng = Rng(seed);
    let mut people: Vec<UserId> = vec![fx.me];
    for (login, name) in [("amartin", "Anne Martin"), ("jschmidt", "Jonas Schmidt")] {
        let u = User::new(login, name, None).unwrap();
        s.add_user(&u).await.unwrap();
        people.push(u.id);
    }
    let mut teams = Vec::new();
    for name in ["Contentieux", "Steuern"] {
        let t = Team::new(name).unwrap();
        s.add_team(&t).await.unwrap();
        teams.push(t.id);
    }
    let client = Contact::new("Müller GmbH", Some("info@mueller.example"), None).unwrap();
    s.add_contact(&client).await.unwrap();
    let files = fx.tmp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();

    let mut refs: Vec<String> = Vec::new();
    for step in 0..steps {
        let actor = *rng.pick(&people);
        if refs.is_empty() || rng.chance(4) {
            let t = s
                .create_ticket(
                    actor,
                    NewTicket {
                        title: format!("{} {step}", phrase(&mut rng)),
                        description: phrase(&mut rng),
                        category: rng.pick(CATEGORIES).to_string(),
                        priority: Some(*rng.pick(Priority::ALL)),
                        assignee: rng.chance(50).then(|| *rng.pick(&people)),
                        team: rng.chance(50).then(|| *rng.pick(&teams)),
                        requester: rng.chance(50).then_some(Party::Contact(client.id)),
                        matter: rng.chance(30).then(|| format!("2026/{step:04}")),
                        due: rng.chance(50).then(|| {
                            NaiveDate::from_ymd_opt(2026, 1 + rng.below(12) as u32, 1).unwrap()
                        }),
                        tags: (0..rng.below(3))
                            .map(|_| rng.pick(TAGS).to_string())
                            .collect(),
                    },
                )
                .await
                .unwrap();
            refs.push(key(&t));
            continue;
        }
        let r = rng.pick(&refs).clone();
        let counts = s.counts().await.unwrap();
        let before = s.ticket(&r).await.unwrap();
        let result: Result<(), Error> = match rng.below(12) {
            0 => {
                // Any status: some moves are refused by the workflow.
                let to = *rng.pick(Status::ALL);
                s.edit_ticket(actor, &r, vec![Edit::Status(to)])
                    .await
                    .map(drop)
            }
            1 => {
                let mut edits = vec![Edit::Title(format!("{} {step}", phrase(&mut rng)))];
                if rng.chance(50) {
                    edits.push(Edit::Description(phrase(&mut rng)));
                }
                if rng.chance(50) {
                    edits.push(Edit::Category(rng.pick(CATEGORIES).to_string()));
                }
                s.edit_ticket(actor, &r, edits).await.map(drop)
            }
            2 => {
                let edits = vec![
                    Edit::Priority(*rng.pick(Priority::ALL)),
                    Edit::Assignee(rng.chance(70).then(|| *rng.pick(&people))),
                    Edit::Team(rng.chance(70).then(|| *rng.pick(&teams))),
                ];
                s.edit_ticket(actor, &r, edits).await.map(drop)
            }
            3 => {
                let edits = vec![
                    Edit::Due(rng.chance(70).then(|| {
                        NaiveDate::from_ymd_opt(2027, 1 + rng.below(12) as u32, 15).unwrap()
                    })),
                    Edit::Matter(rng.chance(50).then(|| format!("M-{step}"))),
                    Edit::Requester(match rng.below(3) {
                        0 => None,
                        1 => Some(Party::Contact(client.id)),
                        _ => Some(Party::User(*rng.pick(&people))),
                    }),
                ];
                s.edit_ticket(actor, &r, edits).await.map(drop)
            }
            4 | 5 => {
                let vis = *rng.pick(Visibility::ALL);
                s.comment(actor, &r, vis, &phrase(&mut rng)).await.map(drop)
            }
            6 => {
                let add = rng.chance(60);
                let tags: Vec<String> = before.tags.iter().cloned().collect();
                let tag = if add || tags.is_empty() {
                    rng.pick(TAGS).to_string()
                } else {
                    rng.pick(&tags).clone()
                };
                s.tag(actor, &r, add, &tag).await.map(drop)
            }
            7 => {
                let add = rng.chance(60);
                let watchers: Vec<UserId> = before.watchers.iter().copied().collect();
                let who = if add || watchers.is_empty() {
                    *rng.pick(&people)
                } else {
                    *rng.pick(&watchers)
                };
                s.watch(actor, &r, add, who).await.map(drop)
            }
            8 | 9 => {
                let add = rng.chance(70);
                let links: Vec<_> = before.links.iter().copied().collect();
                let (kind, target) = if add || links.is_empty() {
                    (*rng.pick(LinkKind::ALL), rng.pick(&refs).clone())
                } else {
                    // Removal names the target by its id.
                    let l = *rng.pick(&links);
                    (l.kind, l.target.to_string())
                };
                s.link(actor, &r, kind, &target, add).await.map(drop)
            }
            10 => {
                let f = files.join(format!("piece-{}.txt", rng.below(4)));
                std::fs::write(&f, format!("contenu {}", rng.below(3))).unwrap();
                s.attach(actor, &r, &f).await.map(drop)
            }
            _ => {
                // The projection can also be read through a list view.
                let found = s.search(&before.title, 100).await.unwrap();
                assert!(found.iter().any(|t| t.reference == r), "search for {r}");
                Ok(())
            }
        };
        if let Err(e) = result {
            // Only the domain's refusals are expected: a forbidden move, a
            // link of a ticket to itself.
            assert_eq!(e.code(), "invalid", "step {step}: {e}");
            assert_eq!(s.counts().await.unwrap(), counts, "step {step}");
            assert_eq!(s.ticket(&r).await.unwrap(), before, "step {step}");
        }
        if step % 25 == 0 {
            assert_projection_is_replay(s, &refs).await;
        }
    }
    assert_projection_is_replay(s, &refs).await;
    // The run went through every kind of event.
    let mut kinds = std::collections::BTreeSet::new();
    for r in &refs {
        kinds.extend(s.history(r).await.unwrap().iter().map(|e| e.kind.name()));
    }
    assert_eq!(kinds.len(), 10, "seed {seed}: only {kinds:?}");
    let all = s.ticket(&refs[0]).await.unwrap();
    s.close().await;

    // The same after reopening: what was written is what is read.
    let reopened = Store::open(&fx.dir()).await.unwrap();
    assert_projection_is_replay(&reopened, &refs).await;
    assert_eq!(reopened.ticket(&refs[0]).await.unwrap(), all);
    reopened.check_integrity().await.unwrap();
}

#[tokio::test]
async fn projection_equals_replay_seed_1() {
    random_run(1, 300).await;
}

#[tokio::test]
async fn projection_equals_replay_seed_2() {
    random_run(0x5eed_2026, 300).await;
}

#[tokio::test]
async fn projection_equals_replay_seed_3() {
    random_run(987_654_321, 300).await;
}
