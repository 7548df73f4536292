//! Helpers shared by the integration tests: a fixed creation event and a ticket built from it.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use guichet_domain::{
    Event, EventId, EventKind, Hlc, NewTicket, NewTicketData, ReplicaCode, Status, Ticket,
    TicketId, TicketRef, UserId,
};
use uuid::Uuid;

pub const START_MILLIS: u64 = 1_767_600_000_000; // 2026-01-05T08:00:00Z

pub fn at(millis: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis as i64).expect("in range")
}

pub fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(0x1000 + n))
}

pub fn ticket_id() -> TicketId {
    TicketId(Uuid::from_u128(0xabcdef))
}

pub fn reference() -> TicketRef {
    TicketRef {
        replica: ReplicaCode::from_number(1),
        number: 1,
    }
}

/// A valid creation payload, as a user would enter it.
pub fn new_ticket_data() -> NewTicketData {
    NewTicket {
        title: "Relance TVA trimestrielle".into(),
        description: "Le client attend une réponse.".into(),
        category: "client/advice".into(),
        tags: vec!["tva".into()],
        ..NewTicket::default()
    }
    .validate(reference())
    .expect("valid new ticket")
}

/// A creation event carrying `data`, at `hlc`.
pub fn created(data: NewTicketData, hlc: Hlc) -> Event {
    Event {
        id: EventId(Uuid::from_u128(1)),
        ticket: ticket_id(),
        actor: user(0),
        hlc,
        at: at(hlc.millis),
        kind: EventKind::Created(Box::new(data)),
    }
}

/// A freshly created ticket in `status`.
pub fn ticket_in(status: Status) -> Ticket {
    let mut data = new_ticket_data();
    data.status = status;
    let hlc = Hlc {
        millis: START_MILLIS,
        counter: 0,
        node: 1,
    };
    Ticket::replay([&created(data, hlc)]).expect("starts with a creation")
}
