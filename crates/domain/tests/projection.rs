//! A ticket is a projection of its events: maintained incrementally, replayed
//! from the log, or replayed after the events went through JSON, it is the
//! same ticket; and overwritten fields follow last-writer-wins by clock,
//! whatever order the events arrive in.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{at, ticket_id, user, START_MILLIS};
use guichet_domain::demo::Generator;
use guichet_domain::{
    Attachment, Change, Clock, ContactId, DomainError, Edit, Event, EventId, EventKind, Field, Hlc,
    Link, LinkKind, NewTicket, Party, Priority, ReplicaCode, Status, TeamId, Ticket, TicketId,
    TicketRef, UserId, Visibility, Workflow,
};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

// --- pools of values ---------------------------------------------------------

const USERS: usize = 5;
const TEAMS: usize = 3;
const CONTACTS: usize = 3;
const TARGETS: usize = 4;
/// Raw tags as a user types them; some normalise to the same tag.
const TAGS: &[&str] = &["tva", "Frist", "frist", "délai", "vpn", "a.b/c", " Bilan "];
/// The last one is not a valid key, so the error path is exercised too.
const CATEGORIES: &[&str] = &[
    "client",
    "client/advice",
    "it",
    "it/hardware",
    "admin/tax-deadline",
    "Not A Key",
];
const MIMES: &[&str] = &["application/pdf", "image/png", "text/plain", ""];

fn team(i: usize) -> TeamId {
    TeamId(Uuid::from_u128(0x2000 + i as u128))
}

fn contact(i: usize) -> ContactId {
    ContactId(Uuid::from_u128(0x3000 + i as u128))
}

fn target(i: usize) -> TicketId {
    TicketId(Uuid::from_u128(0x4000 + i as u128))
}

fn party(p: Option<(bool, usize)>) -> Option<Party> {
    p.map(|(is_user, i)| {
        if is_user {
            Party::User(user(i as u128))
        } else {
            Party::Contact(contact(i))
        }
    })
}

fn date(days: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(days as i64)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// --- JSON views, to compare a field of a ticket with the value of a change ---

fn field_name(f: Field) -> String {
    serde_json::to_value(f)
        .unwrap()
        .as_str()
        .expect("a field is a name")
        .to_string()
}

/// The value of an overwritten field of `t`, as JSON.
fn field_value(t: &Ticket, f: Field) -> Value {
    let v = serde_json::to_value(t).unwrap();
    v.get(field_name(f))
        .unwrap_or_else(|| panic!("ticket has no field {f:?}"))
        .clone()
}

/// The `old` and `new` values of a change, as JSON.
fn change_values(c: &Change) -> (Value, Value) {
    let v = serde_json::to_value(c).unwrap();
    (v["old"].clone(), v["new"].clone())
}

const ALL_FIELDS: [Field; 10] = [
    Field::Title,
    Field::Description,
    Field::Category,
    Field::Priority,
    Field::Status,
    Field::Assignee,
    Field::Team,
    Field::Requester,
    Field::Matter,
    Field::Due,
];

// --- strategies ---------------------------------------------------------------

/// Mostly valid one-line titles, sometimes anything at all (refused or not).
fn title() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 ,.'()&–-]{0,60}",
        1 => "(?s).{0,20}",
        1 => "[a-z]{195,205}",
    ]
}

#[derive(Debug, Clone)]
struct Creation {
    title: String,
    description: String,
    category: usize,
    priority: Option<Priority>,
    assignee: Option<usize>,
    team: Option<usize>,
    requester: Option<(bool, usize)>,
    matter: Option<String>,
    due: Option<u32>,
    tags: Vec<usize>,
}

fn creation() -> impl Strategy<Value = Creation> {
    (
        (
            "[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 ,.'-]{0,60}",
            "(?s).{0,80}",
            0..CATEGORIES.len() - 1,
            proptest::option::of(select(Priority::ALL)),
            proptest::option::of(0..USERS),
        ),
        (
            proptest::option::of(0..TEAMS),
            proptest::option::of((any::<bool>(), 0..CONTACTS)),
            proptest::option::of("[A-Z0-9][A-Z0-9/-]{0,20}"),
            proptest::option::of(0u32..1000),
            proptest::collection::vec(0..TAGS.len(), 0..4),
        ),
    )
        .prop_map(
            |(
                (title, description, category, priority, assignee),
                (team, requester, matter, due, tags),
            )| Creation {
                title,
                description,
                category,
                priority,
                assignee,
                team,
                requester,
                matter,
                due,
                tags,
            },
        )
}

/// One user action on the ticket; turned into an event (or refused, or a
/// no-op) against the ticket's state at that point.
#[derive(Debug, Clone)]
enum Action {
    Title(String),
    Description(String),
    Category(usize),
    Priority(Priority),
    Status(Index),
    Assignee(Option<usize>),
    Team(Option<usize>),
    Requester(Option<(bool, usize)>),
    Matter(Option<String>),
    Due(Option<u32>),
    Tag(bool, usize),
    Watcher(bool, usize),
    Link(bool, LinkKind, usize),
    Comment(Visibility, String),
    Attachment(String, [u8; 32], u64, &'static str),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        2 => title().prop_map(Action::Title),
        1 => "(?s).{0,80}".prop_map(Action::Description),
        1 => (0..CATEGORIES.len()).prop_map(Action::Category),
        2 => select(Priority::ALL).prop_map(Action::Priority),
        5 => any::<Index>().prop_map(Action::Status),
        2 => proptest::option::of(0..USERS).prop_map(Action::Assignee),
        1 => proptest::option::of(0..TEAMS).prop_map(Action::Team),
        1 => proptest::option::of((any::<bool>(), 0..CONTACTS)).prop_map(Action::Requester),
        1 => proptest::option::of("[A-Z0-9/ -]{0,70}").prop_map(Action::Matter),
        1 => proptest::option::of(0u32..1000).prop_map(Action::Due),
        3 => (any::<bool>(), 0..TAGS.len()).prop_map(|(add, i)| Action::Tag(add, i)),
        2 => (any::<bool>(), 0..USERS).prop_map(|(add, i)| Action::Watcher(add, i)),
        2 => (any::<bool>(), select(LinkKind::ALL), 0..TARGETS)
            .prop_map(|(add, k, i)| Action::Link(add, k, i)),
        3 => (select(Visibility::ALL), "(?s).{0,60}")
            .prop_map(|(v, body)| Action::Comment(v, body)),
        1 => (
            "[A-Za-z0-9 ._-]{1,20}\\.(pdf|docx|png)",
            any::<[u8; 32]>(),
            any::<u64>(),
            select(MIMES),
        )
            .prop_map(|(n, sha, size, mime)| Action::Attachment(n, sha, size, mime)),
    ]
}

/// An action, who does it, and how far the wall clock moved since the last
/// event (it can go back a little: clocks of PCs are not to be trusted).
fn step() -> impl Strategy<Value = (Action, usize, i64)> {
    (
        action(),
        0..USERS,
        prop_oneof![2 => Just(0i64), 3 => -5i64..5, 3 => 1i64..600_000],
    )
}

// --- the model: what the ticket must look like after the events so far -------

#[derive(Debug, Default)]
struct Model {
    tags: BTreeSet<String>,
    watchers: BTreeSet<UserId>,
    links: BTreeSet<Link>,
    comments: u32,
    attachments: Vec<Attachment>,
    max_at: Option<DateTime<Utc>>,
}

/// What `action` makes of `ticket`: `Ok(Some(kind))` for an event,
/// `Ok(None)` when nothing changes, `Err` when the input is refused.
fn to_event_kind(
    ticket: &Ticket,
    action: &Action,
    wf: &Workflow,
) -> Result<Option<EventKind>, DomainError> {
    let edit = |e: Edit| ticket.edit(e, wf).map(|c| c.map(EventKind::Changed));
    match action.clone() {
        Action::Title(t) => edit(Edit::Title(t)),
        Action::Description(d) => edit(Edit::Description(d)),
        Action::Category(i) => edit(Edit::Category(CATEGORIES[i].into())),
        Action::Priority(p) => edit(Edit::Priority(p)),
        Action::Status(i) => {
            let next = wf.next(ticket.status);
            assert!(!next.is_empty(), "no way out of {}", ticket.status);
            let to = *i.get(&next);
            let change = ticket.edit(Edit::Status(to), wf);
            assert_eq!(
                change,
                Ok(Some(Change::Status {
                    old: ticket.status,
                    new: to
                })),
                "an allowed move is accepted"
            );
            Ok(change.unwrap().map(EventKind::Changed))
        }
        Action::Assignee(u) => edit(Edit::Assignee(u.map(|i| user(i as u128)))),
        Action::Team(t) => edit(Edit::Team(t.map(team))),
        Action::Requester(p) => edit(Edit::Requester(party(p))),
        Action::Matter(m) => edit(Edit::Matter(m)),
        Action::Due(d) => edit(Edit::Due(d.map(date))),
        Action::Tag(add, i) => EventKind::tag(add, TAGS[i]).map(Some),
        Action::Watcher(add, i) => {
            let user = user(i as u128);
            Ok(Some(if add {
                EventKind::WatcherAdded { user }
            } else {
                EventKind::WatcherRemoved { user }
            }))
        }
        Action::Link(add, kind, i) => {
            let link = Link {
                kind,
                target: target(i),
            };
            Ok(Some(if add {
                EventKind::LinkAdded { link }
            } else {
                EventKind::LinkRemoved { link }
            }))
        }
        Action::Comment(v, body) => EventKind::comment(v, &body).map(Some),
        Action::Attachment(name, sha, size, mime) => EventKind::attachment(Attachment {
            sha256: hex(&sha),
            name,
            size,
            mime: mime.into(),
        })
        .map(Some),
    }
}

/// The field a refused action is about.
fn refused_field(action: &Action) -> &'static str {
    match action {
        Action::Title(_) => "title",
        Action::Description(_) => "description",
        Action::Category(_) => "category",
        Action::Matter(_) => "matter",
        Action::Tag(..) => "tag",
        Action::Comment(..) => "comment",
        other => panic!("{other:?} cannot be refused"),
    }
}

/// Builds the creation event and then one event per accepted action, applying
/// each to the ticket as it goes and checking it against the model. Returns
/// the events and the incrementally maintained ticket.
fn build(c: &Creation, steps: &[(Action, usize, i64)]) -> (Vec<Event>, Ticket) {
    let wf = Workflow::default();
    let mut clock = Clock::new(3, Hlc::ZERO);
    let mut now = START_MILLIS;
    let mut seq = 0u128;
    let mut event = |clock: &mut Clock, now: u64, actor: UserId, kind: EventKind| {
        seq += 1;
        Event {
            id: EventId(Uuid::from_u128(seq)),
            ticket: ticket_id(),
            actor,
            hlc: clock.tick(now),
            at: at(now),
            kind,
        }
    };

    let input = NewTicket {
        title: c.title.clone(),
        description: c.description.clone(),
        category: CATEGORIES[c.category].into(),
        priority: c.priority,
        assignee: c.assignee.map(|i| user(i as u128)),
        team: c.team.map(team),
        requester: party(c.requester),
        matter: c.matter.clone(),
        due: c.due.map(date),
        tags: c.tags.iter().map(|&i| TAGS[i].to_string()).collect(),
    };
    let data = input
        .validate(TicketRef {
            replica: ReplicaCode::from_number(3),
            number: 17,
        })
        .expect("generated creation input is valid");
    let mut model = Model {
        tags: data.tags.clone(),
        ..Model::default()
    };
    let first = event(
        &mut clock,
        now,
        user(0),
        EventKind::Created(Box::new(data.clone())),
    );
    model.max_at = Some(first.at);
    let mut ticket = Ticket::replay([&first]).expect("starts with a creation");
    assert_eq!(ticket.status, Status::New);
    assert_eq!(ticket.title, data.title);
    assert!(ticket.clocks.values().all(|h| *h == first.hlc));
    let mut events = vec![first];

    for (action, actor, dt) in steps {
        now = now.saturating_add_signed(*dt);
        let kind = match to_event_kind(&ticket, action, &wf) {
            Ok(Some(kind)) => kind,
            Ok(None) => continue,
            Err(err) => {
                assert_eq!(err.field(), refused_field(action), "{err}");
                continue;
            }
        };
        let e = event(&mut clock, now, user(*actor as u128), kind);
        assert!(
            e.hlc > events.last().unwrap().hlc,
            "clock ticks are increasing"
        );
        e.kind
            .validate()
            .unwrap_or_else(|err| panic!("import checks refuse {e:?}: {err}"));

        let before = ticket.clone();
        ticket.apply(&e);

        // What this one event must have done.
        match &e.kind {
            EventKind::Changed(change) => {
                let f = change.field();
                let (old, new) = change_values(change);
                assert_eq!(old, field_value(&before, f), "old value of {f:?}");
                assert_eq!(new, field_value(&ticket, f), "new value of {f:?}");
                assert_ne!(old, new, "an edit that changes nothing gives no event");
                assert_eq!(ticket.clocks[&f], e.hlc);
            }
            EventKind::TagAdded { tag } => {
                model.tags.insert(tag.clone());
            }
            EventKind::TagRemoved { tag } => {
                model.tags.remove(tag);
            }
            EventKind::WatcherAdded { user } => {
                model.watchers.insert(*user);
            }
            EventKind::WatcherRemoved { user } => {
                model.watchers.remove(user);
            }
            EventKind::LinkAdded { link } => {
                model.links.insert(*link);
            }
            EventKind::LinkRemoved { link } => {
                model.links.remove(link);
            }
            EventKind::Commented { .. } => model.comments += 1,
            EventKind::AttachmentAdded { attachment } => model.attachments.push(attachment.clone()),
            EventKind::DueConfirmed { .. } | EventKind::Escalated { .. } => {
                assert_eq!(ticket.tags, before.tags);
                assert_eq!(ticket.comments, before.comments);
            }
            EventKind::Created(_) => unreachable!(),
        }
        if !matches!(e.kind, EventKind::Changed(_)) {
            assert_eq!(ticket.clocks, before.clocks, "only changes move clocks");
            for f in ALL_FIELDS {
                assert_eq!(field_value(&ticket, f), field_value(&before, f));
            }
        }
        model.max_at = model.max_at.max(Some(e.at));
        events.push(e);
    }

    assert_eq!(ticket.tags, model.tags);
    assert_eq!(ticket.watchers, model.watchers);
    assert_eq!(ticket.links, model.links);
    assert_eq!(ticket.comments, model.comments);
    assert_eq!(ticket.attachments, model.attachments);
    assert_eq!(Some(ticket.updated_at), model.max_at);
    assert_eq!(ticket.created_at, events[0].at);
    assert_eq!(ticket.created_by, user(0));
    (events, ticket)
}

/// Every event through JSON and back: equal events, and the same ticket on replay.
fn assert_json_round_trip(events: &[Event], ticket: &Ticket) {
    let back: Vec<Event> = events
        .iter()
        .map(|e| {
            let json = serde_json::to_string(e).unwrap();
            let back: Event = serde_json::from_str(&json)
                .unwrap_or_else(|err| panic!("cannot read back {json}: {err}"));
            assert_eq!(&back, e, "{json}");
            back
        })
        .collect();
    assert_eq!(Ticket::replay(&back).as_ref(), Some(ticket));

    // The whole log as one JSON array, as an export would write it.
    let log = serde_json::to_string(events).unwrap();
    let back: Vec<Event> = serde_json::from_str(&log).unwrap();
    assert_eq!(back, events);

    // The projection itself round-trips too (a store may cache it).
    let json = serde_json::to_string(ticket).unwrap();
    assert_eq!(&serde_json::from_str::<Ticket>(&json).unwrap(), ticket);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (a) Incremental apply = replay of the whole log = replay after JSON.
    #[test]
    fn incremental_equals_replay_and_json_replay(
        c in creation(),
        steps in proptest::collection::vec(step(), 0..40),
    ) {
        let (events, ticket) = build(&c, &steps);
        let replayed = Ticket::replay(&events);
        prop_assert_eq!(replayed.as_ref(), Some(&ticket));
        // Every prefix of the log replays to some ticket starting from the same creation.
        let half = Ticket::replay(&events[..events.len().div_ceil(2)]).unwrap();
        prop_assert_eq!(half.id, ticket.id);
        prop_assert_eq!(half.created_at, ticket.created_at);
        assert_json_round_trip(&events, &ticket);
    }
}

#[test]
fn replay_needs_a_creation_first() {
    let (events, _) = build(
        &Creation {
            title: "Titre".into(),
            description: String::new(),
            category: 0,
            priority: None,
            assignee: None,
            team: None,
            requester: None,
            matter: None,
            due: None,
            tags: vec![],
        },
        &[(
            Action::Comment(Visibility::Reply, "Bonjour".into()),
            1,
            60_000,
        )],
    );
    assert_eq!(events.len(), 2);
    assert_eq!(Ticket::replay(&events[1..]), None);
    assert_eq!(Ticket::replay(&[] as &[Event]), None);
}

// --- (b) last-writer-wins -------------------------------------------------------

/// A value for one overwritten field (the `old` side is irrelevant to LWW).
fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        "[A-Za-z][A-Za-z ]{0,20}".prop_map(|new| Change::Title {
            old: String::new(),
            new
        }),
        "(?s).{0,30}".prop_map(|new| Change::Description {
            old: String::new(),
            new
        }),
        (0..CATEGORIES.len() - 1).prop_map(|i| Change::Category {
            old: String::new(),
            new: CATEGORIES[i].into()
        }),
        select(Priority::ALL).prop_map(|new| Change::Priority {
            old: Priority::Normal,
            new
        }),
        // Replicas may each move the status; LWW decides, not the workflow.
        select(Status::ALL).prop_map(|new| Change::Status {
            old: Status::New,
            new
        }),
        proptest::option::of(0..USERS).prop_map(|u| Change::Assignee {
            old: None,
            new: u.map(|i| user(i as u128))
        }),
        proptest::option::of(0..TEAMS).prop_map(|t| Change::Team {
            old: None,
            new: t.map(team)
        }),
        proptest::option::of((any::<bool>(), 0..CONTACTS)).prop_map(|p| Change::Requester {
            old: None,
            new: party(p)
        }),
        proptest::option::of("[A-Z0-9/]{1,10}").prop_map(|new| Change::Matter { old: None, new }),
        proptest::option::of(0u32..1000).prop_map(|d| Change::Due {
            old: None,
            new: d.map(date)
        }),
    ]
}

const CREATION_HLC: Hlc = Hlc {
    millis: START_MILLIS,
    counter: 0,
    node: 0,
};

/// `Changed` events from three replicas with their own clocks; HLCs are
/// distinct (a replica's ticks increase, and the node tells replicas apart)
/// and all after the creation. Wall-clock offsets collide on purpose, so the
/// counter and the node break ties.
fn changed_events() -> impl Strategy<Value = Vec<Event>> {
    proptest::collection::vec((1u32..=3, 0u64..4, 0..USERS, change()), 1..30).prop_map(|raw| {
        let mut clocks: BTreeMap<u32, Clock> =
            (1..=3).map(|n| (n, Clock::new(n, CREATION_HLC))).collect();
        raw.into_iter()
            .enumerate()
            .map(|(i, (node, offset, actor, change))| {
                let now = START_MILLIS + offset;
                Event {
                    id: EventId(Uuid::from_u128(1_000 + i as u128)),
                    ticket: ticket_id(),
                    actor: user(actor as u128),
                    hlc: clocks.get_mut(&node).unwrap().tick(now),
                    at: at(now),
                    kind: EventKind::Changed(change),
                }
            })
            .collect()
    })
}

fn two_orders() -> impl Strategy<Value = (Vec<Event>, Vec<Event>, Vec<Event>)> {
    changed_events().prop_flat_map(|events| {
        (
            Just(events.clone()),
            Just(events.clone()).prop_shuffle(),
            Just(events).prop_shuffle(),
        )
    })
}

fn lww_creation() -> Event {
    let mut data = common::new_ticket_data();
    data.assignee = Some(user(4));
    data.matter = Some("2026/0001".into());
    common::created(data, CREATION_HLC)
}

fn replay_with(creation: &Event, changes: &[Event]) -> Ticket {
    Ticket::replay(std::iter::once(creation).chain(changes)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// (b) Whatever order the changes arrive in, each overwritten field ends
    /// with the value of the change with the greatest clock.
    #[test]
    fn last_writer_wins_in_any_order((events, order1, order2) in two_orders()) {
        let hlcs: BTreeSet<Hlc> = events.iter().map(|e| e.hlc).collect();
        prop_assert_eq!(hlcs.len(), events.len(), "distinct clocks");
        prop_assert!(events.iter().all(|e| e.hlc > CREATION_HLC));

        let creation = lww_creation();
        let base = Ticket::replay([&creation]).unwrap();
        let a = replay_with(&creation, &events);
        let b = replay_with(&creation, &order1);
        let c = replay_with(&creation, &order2);

        for f in ALL_FIELDS {
            let winner = events
                .iter()
                .filter_map(|e| match &e.kind {
                    EventKind::Changed(c) if c.field() == f => Some((e.hlc, c)),
                    _ => None,
                })
                .max_by_key(|(hlc, _)| *hlc);
            let (hlc, value) = match winner {
                Some((hlc, c)) => (hlc, change_values(c).1),
                None => (CREATION_HLC, field_value(&base, f)),
            };
            for t in [&a, &b, &c] {
                prop_assert_eq!(&field_value(t, f), &value, "{:?}", f);
                prop_assert_eq!(t.clocks[&f], hlc, "{:?}", f);
            }
        }
        // Nothing else differs either: collections, timestamps, clocks.
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
        let latest = events.iter().map(|e| e.at).max().unwrap();
        prop_assert_eq!(a.updated_at, latest.max(creation.at));
        prop_assert_eq!(&a.tags, &base.tags);
        prop_assert_eq!(a.comments, 0);
    }
}

#[test]
fn an_older_change_arriving_late_does_not_overwrite() {
    let creation = lww_creation();
    let mut here = Clock::new(1, CREATION_HLC);
    let mut there = Clock::new(2, CREATION_HLC);
    let changed = |hlc: Hlc, new: Priority| Event {
        id: EventId::new(),
        ticket: ticket_id(),
        actor: user(1),
        hlc,
        at: at(hlc.millis),
        kind: EventKind::Changed(Change::Priority {
            old: Priority::Normal,
            new,
        }),
    };
    // The remote replica's clock is behind; its change is older.
    let old = changed(there.tick(START_MILLIS + 10), Priority::Low);
    let new = changed(here.tick(START_MILLIS + 500), Priority::Urgent);
    let t = replay_with(&creation, &[new.clone(), old.clone()]);
    assert_eq!(t.priority, Priority::Urgent);
    assert_eq!(t.clocks[&Field::Priority], new.hlc);
    assert_eq!(t, replay_with(&creation, &[old, new]));
}

// --- the demo generator ----------------------------------------------------------

fn assert_generated_log_is_consistent(events: &[Event]) {
    let wf = Workflow::default();
    let mut ticket = Ticket::replay(&events[..1]).expect("starts with a creation");
    for e in &events[1..] {
        assert_eq!(e.ticket, ticket.id);
        if let EventKind::Changed(Change::Status { old, new }) = &e.kind {
            assert_eq!(*old, ticket.status, "status change from the current status");
            assert!(wf.allows(*old, *new), "{old} -> {new}");
        }
        ticket.apply(e);
    }
    assert_eq!(Ticket::replay(events).as_ref(), Some(&ticket));
    assert_json_round_trip(events, &ticket);
}

#[test]
fn generated_tickets_replay_like_they_were_applied() {
    let start = DateTime::parse_from_rfc3339("2026-01-05T08:00:00Z")
        .unwrap()
        .to_utc();
    for seed in [0, 1, 42, 2026] {
        let mut g = Generator::new(seed, ReplicaCode::from_number(seed as u32 + 5), start);
        for n in 1..=40 {
            let events = g.ticket(n);
            assert_eq!(events.len(), n);
            assert_generated_log_is_consistent(&events);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn generated_tickets_of_any_seed(seed in any::<u64>(), replica in any::<u32>(), n in 1usize..30) {
        let start = DateTime::parse_from_rfc3339("2027-06-30T23:59:00+02:00")
            .unwrap()
            .to_utc();
        let mut g = Generator::new(seed, ReplicaCode::from_number(replica), start);
        for _ in 0..5 {
            assert_generated_log_is_consistent(&g.ticket(n));
        }
    }
}
