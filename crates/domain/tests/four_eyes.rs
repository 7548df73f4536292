//! The four-eyes rule: a deadline entered by one person is confirmed by another.

mod common;

use chrono::NaiveDate;
use common::*;
use guichet_domain::{confirm_due, due_confirmation, Change, Event, EventId, EventKind, Hlc};
use uuid::Uuid;

fn hlc(n: u64) -> Hlc {
    Hlc {
        millis: START_MILLIS + n,
        counter: 0,
        node: 1,
    }
}

fn ev(n: u64, actor: u128, kind: EventKind) -> Event {
    Event {
        id: EventId(Uuid::from_u128(100 + n as u128)),
        ticket: ticket_id(),
        actor: user(actor),
        hlc: hlc(n),
        at: at(START_MILLIS + n),
        kind,
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn set_due(n: u64, actor: u128, old: Option<&str>, new: Option<&str>) -> Event {
    ev(
        n,
        actor,
        EventKind::Changed(Change::Due {
            old: old.map(d),
            new: new.map(d),
        }),
    )
}

#[test]
fn a_deadline_set_by_one_is_confirmed_by_another() {
    let mut log = vec![created(new_ticket_data(), hlc(0))];
    assert_eq!(due_confirmation(&log), None);
    let e = confirm_due(&log, user(2)).unwrap_err();
    assert_eq!(e.field(), "due");

    log.push(set_due(1, 1, None, Some("2027-05-15")));
    let c = due_confirmation(&log).unwrap();
    assert_eq!(
        (c.due, c.set_by, c.confirmed_by),
        (d("2027-05-15"), user(1), None)
    );

    // The person who entered it may not confirm it.
    let e = confirm_due(&log, user(1)).unwrap_err();
    assert_eq!(e.field(), "due");
    assert!(e.to_string().contains("four-eyes"), "{e}");

    let kind = confirm_due(&log, user(2)).unwrap();
    assert_eq!(
        kind,
        EventKind::DueConfirmed {
            due: d("2027-05-15")
        }
    );
    log.push(ev(2, 2, kind));
    assert_eq!(due_confirmation(&log).unwrap().confirmed_by, Some(user(2)));
    // Confirmed once is enough.
    assert!(confirm_due(&log, user(3)).is_err());

    // A changed date needs a new confirmation; the old one does not carry over.
    log.push(set_due(3, 2, Some("2027-05-15"), Some("2027-05-18")));
    let c = due_confirmation(&log).unwrap();
    assert_eq!(
        (c.due, c.set_by, c.confirmed_by),
        (d("2027-05-18"), user(2), None)
    );
    assert!(confirm_due(&log, user(2)).is_err());
    assert!(confirm_due(&log, user(1)).is_ok());

    // A removed deadline has nothing to confirm.
    log.push(set_due(4, 1, Some("2027-05-18"), None));
    assert_eq!(due_confirmation(&log), None);
}

#[test]
fn the_newest_clock_decides_which_deadline_counts_whatever_the_order() {
    let mut data = new_ticket_data();
    data.due = Some(d("2027-01-10"));
    let log = vec![
        created(data, hlc(0)),
        set_due(5, 2, Some("2027-01-10"), Some("2027-02-01")),
        // An older change that arrived late (sync) does not win.
        set_due(3, 1, Some("2027-01-10"), Some("2027-01-20")),
        // A confirmation older than the deadline that counts does not count.
        ev(
            4,
            3,
            EventKind::DueConfirmed {
                due: d("2027-02-01"),
            },
        ),
    ];
    let c = due_confirmation(&log).unwrap();
    assert_eq!(
        (c.due, c.set_by, c.confirmed_by),
        (d("2027-02-01"), user(2), None)
    );
}

#[test]
fn new_kinds_survive_json_and_validation() {
    use guichet_domain::EscalationReason;
    for kind in [
        EventKind::DueConfirmed {
            due: d("2027-05-18"),
        },
        EventKind::Escalated {
            reason: EscalationReason::ResolutionBreached,
            notified: vec![user(1), user(2)],
        },
    ] {
        kind.validate().unwrap();
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), kind);
    }
    let too_many = EventKind::Escalated {
        reason: EscalationReason::DeadlineMissed,
        notified: (0..101).map(user).collect(),
    };
    assert_eq!(too_many.validate().unwrap_err().field(), "notified");
}
