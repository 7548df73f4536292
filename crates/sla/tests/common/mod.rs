//! Test helpers: a ticket's story told as events at given local times
//! (Europe/Paris), and the firm's calendar.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use guichet_calendar::BusinessCalendar;
use guichet_domain::{
    Change, Clock, Event, EventId, EventKind, Hlc, NewTicket, Party, Priority, ReplicaCode, Status,
    Ticket, TicketId, TicketRef, UserId, Visibility,
};
use guichet_sla::TimeConfig;

/// A Paris wall-clock time, "2027-06-07 09:00".
pub fn at(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    Tz::Europe__Paris
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn cal() -> BusinessCalendar {
    TimeConfig::default().calendar_for(None).unwrap()
}

pub struct Story {
    pub events: Vec<Event>,
    clock: Clock,
    pub id: TicketId,
    pub creator: UserId,
}

impl Story {
    pub fn new(when: &str, category: &str, priority: Priority) -> Story {
        Story::with(when, category, priority, None, None)
    }

    pub fn with(
        when: &str,
        category: &str,
        priority: Priority,
        requester: Option<Party>,
        due: Option<NaiveDate>,
    ) -> Story {
        let creator = UserId::new();
        let data = NewTicket {
            title: "Test".into(),
            category: category.into(),
            priority: Some(priority),
            requester,
            due,
            ..Default::default()
        }
        .validate(TicketRef {
            replica: ReplicaCode::from_number(1),
            number: 1,
        })
        .unwrap();
        let mut s = Story {
            events: Vec::new(),
            clock: Clock::new(1, Hlc::ZERO),
            id: TicketId::new(),
            creator,
        };
        s.push(when, creator, EventKind::Created(Box::new(data)));
        s
    }

    pub fn push(&mut self, when: &str, actor: UserId, kind: EventKind) -> &mut Self {
        let t = at(when);
        self.events.push(Event {
            id: EventId::new(),
            ticket: self.id,
            actor,
            hlc: self.clock.tick(t.timestamp_millis() as u64),
            at: t,
            kind,
        });
        self
    }

    pub fn ticket(&self) -> Ticket {
        Ticket::replay(&self.events).unwrap()
    }

    pub fn status(&mut self, when: &str, new: Status) -> &mut Self {
        let old = self.ticket().status;
        let who = self.creator;
        self.push(when, who, EventKind::Changed(Change::Status { old, new }))
    }

    pub fn priority(&mut self, when: &str, new: Priority) -> &mut Self {
        let old = self.ticket().priority;
        let who = self.creator;
        self.push(when, who, EventKind::Changed(Change::Priority { old, new }))
    }

    pub fn due(&mut self, when: &str, new: Option<NaiveDate>) -> &mut Self {
        let old = self.ticket().due;
        let who = self.creator;
        self.push(when, who, EventKind::Changed(Change::Due { old, new }))
    }

    pub fn assign(&mut self, when: &str, new: Option<UserId>) -> &mut Self {
        let old = self.ticket().assignee;
        let who = self.creator;
        self.push(when, who, EventKind::Changed(Change::Assignee { old, new }))
    }

    pub fn comment(&mut self, when: &str, actor: UserId, visibility: Visibility) -> &mut Self {
        self.push(
            when,
            actor,
            EventKind::Commented {
                visibility,
                body: "Noted.".into(),
            },
        )
    }
}
