//! The default workflow, pair by pair, as `Ticket::edit` applies it.

mod common;

use common::ticket_in;
use guichet_domain::{Change, DomainError, Edit, Status, Workflow};
use Status::*;

/// The intended table of the default workflow, written out independently of
/// `Workflow::default` (see the doc comment there).
const EXPECTED: &[(Status, &[Status])] = &[
    (New, &[Open, InProgress, Waiting, Resolved]),
    (Open, &[InProgress, Waiting, Resolved]),
    (InProgress, &[Open, Waiting, Resolved]),
    (Waiting, &[Open, InProgress, Resolved]),
    (Resolved, &[Closed, Open]),
    (Closed, &[Open]),
];

fn expected_targets(from: Status) -> Vec<Status> {
    let listed = EXPECTED
        .iter()
        .find(|(f, _)| *f == from)
        .map(|(_, to)| *to)
        .unwrap_or_else(|| panic!("{from} missing from the expected table"));
    // The error lists targets in the order of Status::ALL.
    Status::ALL
        .iter()
        .copied()
        .filter(|s| listed.contains(s))
        .collect()
}

fn names(s: &[Status]) -> String {
    if s.is_empty() {
        return "none".into();
    }
    s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// Checks `from -> to` against `allowed` (the targets from `from`, in ALL order).
fn check_pair(wf: &Workflow, from: Status, to: Status, allowed: &[Status]) {
    let ticket = ticket_in(from);
    let result = ticket.edit(Edit::Status(to), wf);
    if allowed.contains(&to) {
        assert!(wf.allows(from, to), "{from} -> {to}");
        assert_eq!(
            result,
            Ok(Some(Change::Status { old: from, new: to })),
            "{from} -> {to} should be allowed"
        );
    } else {
        assert!(!wf.allows(from, to), "{from} -> {to}");
        let err = result.expect_err(&format!("{from} -> {to} should be refused"));
        assert_eq!(
            err,
            DomainError::Transition {
                from,
                to,
                allowed: allowed.to_vec(),
            }
        );
        assert_eq!(err.field(), "status");
        let msg = err.to_string();
        assert!(msg.starts_with("status: "), "{msg}");
        assert!(
            msg.contains(&format!("from {from} to {to}")),
            "message names the move: {msg}"
        );
        let tail = msg
            .split_once(&format!("allowed from {from}: "))
            .unwrap_or_else(|| panic!("message lists the allowed targets: {msg}"))
            .1;
        assert_eq!(tail, names(allowed), "{msg}");
        for a in allowed {
            assert!(msg.contains(a.as_str()), "{msg}");
        }
    }
}

#[test]
fn the_expected_table_covers_every_status() {
    assert_eq!(EXPECTED.len(), Status::ALL.len());
    for s in Status::ALL {
        assert!(EXPECTED.iter().any(|(f, _)| f == s), "{s}");
    }
}

#[test]
fn every_pair_of_the_default_workflow() {
    let wf = Workflow::default();
    let mut allowed_count = 0;
    let mut refused_count = 0;
    for &from in Status::ALL {
        let allowed = expected_targets(from);
        assert_eq!(wf.next(from), allowed, "next({from})");
        for &to in Status::ALL {
            if from == to {
                continue;
            }
            check_pair(&wf, from, to, &allowed);
            if allowed.contains(&to) {
                allowed_count += 1;
            } else {
                refused_count += 1;
            }
        }
    }
    assert_eq!(allowed_count, 16);
    assert_eq!(refused_count, 6 * 5 - 16);
}

#[test]
fn closed_only_follows_resolved() {
    let wf = Workflow::default();
    for &from in Status::ALL {
        let r = ticket_in(from).edit(Edit::Status(Closed), &wf);
        match from {
            Resolved => assert!(matches!(r, Ok(Some(_)))),
            Closed => assert_eq!(r, Ok(None)),
            _ => assert!(matches!(r, Err(DomainError::Transition { .. }))),
        }
    }
}

#[test]
fn a_refused_move_reads_well() {
    let err = ticket_in(Closed)
        .edit(Edit::Status(Resolved), &Workflow::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "status: cannot go from closed to resolved; allowed from closed: open"
    );
    let err = ticket_in(New)
        .edit(Edit::Status(Closed), &Workflow::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "status: cannot go from new to closed; allowed from new: open, in_progress, waiting, resolved"
    );
}

#[test]
fn same_status_is_no_change() {
    let default = Workflow::default();
    // Even a workflow that allows nothing accepts "no change".
    let empty = Workflow::new(vec![]);
    for &s in Status::ALL {
        assert_eq!(
            ticket_in(s).edit(Edit::Status(s), &default),
            Ok(None),
            "{s}"
        );
        assert_eq!(ticket_in(s).edit(Edit::Status(s), &empty), Ok(None), "{s}");
    }
}

#[test]
fn a_custom_table_is_honoured() {
    // A two-step workflow: new -> closed -> new, and in_progress -> new.
    let wf = Workflow::new(vec![(New, Closed), (Closed, New), (InProgress, New)]);
    let table: &[(Status, &[Status])] = &[
        (New, &[Closed]),
        (Open, &[]),
        (InProgress, &[New]),
        (Waiting, &[]),
        (Resolved, &[]),
        (Closed, &[New]),
    ];
    for &(from, allowed) in table {
        assert_eq!(wf.next(from), allowed, "next({from})");
        for &to in Status::ALL {
            if from != to {
                check_pair(&wf, from, to, allowed);
            }
        }
    }
    // A status with no way out says so.
    let err = ticket_in(Open).edit(Edit::Status(New), &wf).unwrap_err();
    assert_eq!(
        err.to_string(),
        "status: cannot go from open to new; allowed from open: none"
    );
    // Moves the default allows are refused by the custom table.
    assert!(ticket_in(New).edit(Edit::Status(Open), &wf).is_err());
    assert_ne!(wf, Workflow::default());
}

#[test]
fn next_lists_targets_in_the_order_of_all_whatever_the_table_order() {
    let wf = Workflow::new(vec![(New, Closed), (New, Open), (New, Waiting)]);
    assert_eq!(wf.next(New), vec![Open, Waiting, Closed]);
    let err = wf.check(New, Resolved).unwrap_err();
    assert!(err
        .to_string()
        .ends_with("allowed from new: open, waiting, closed"));
}

#[test]
fn the_workflow_round_trips_through_json() {
    let wf = Workflow::default();
    let json = serde_json::to_string(&wf).unwrap();
    assert_eq!(serde_json::from_str::<Workflow>(&json).unwrap(), wf);
}
