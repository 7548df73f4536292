//! The scheduler's rounds against a real SQLite store, with an injected
//! clock: reminders fire once each, also after a week with the PC off; an
//! SLA breach escalates into the ticket's history once; what others do
//! reaches me; quiet hours hold notifications back without losing them.

use crate::schedule::{self, round};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use guichet_domain::{
    Edit, EscalationReason, EventKind, NewTicket, Team, User, UserId, Visibility,
};
use guichet_notify::NoticeKind;
use guichet_store::Store;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn fresh() -> (tempfile::TempDir, Store, UserId) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::init(&tmp.path().join("data"), "me", "Me Myself")
        .await
        .unwrap();
    let me = store.local_user().await.unwrap();
    // A calendar in UTC keeps the expected times readable.
    store
        .set_setting(
            schedule::TIME_CONFIG,
            r#"{"calendar": {"country": "FR", "time_zone": "UTC"}}"#,
        )
        .await
        .unwrap();
    (tmp, store, me)
}

/// A colleague of the local user, in the same store.
async fn colleague(store: &Store) -> User {
    let colleague = User::new("colleague", "A Colleague", None).unwrap();
    store.add_user(&colleague).await.unwrap();
    colleague
}

fn ticket(title: &str) -> NewTicket {
    NewTicket {
        title: title.into(),
        category: "client/advice".into(),
        assignee: None,
        ..NewTicket::default()
    }
}

/// How many escalations a ticket's history holds.
async fn escalations(store: &Store, t: &guichet_domain::Ticket) -> usize {
    store
        .history(&t.reference.to_string())
        .await
        .unwrap()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Escalated { .. }))
        .count()
}

fn reminder_days(r: &schedule::Round) -> Vec<u32> {
    r.notices
        .iter()
        .filter_map(|n| match n.kind {
            NoticeKind::Reminder { days_before, .. } => Some(days_before),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn reminders_fire_once_each_even_after_a_week_off() {
    let (_tmp, store, me) = fresh().await;
    let mut p = schedule::Planner::default();
    // Created now (the store stamps the real time): the deadline is far
    // enough ahead that its reminders lie in the future of the creation.
    let today = Utc::now().date_naive();
    let due = today + chrono::Duration::days(40);
    let mut input = ticket("Mémoire en réplique");
    input.due = Some(due);
    input.assignee = Some(me);
    let t = store.create_ticket(me, input).await.unwrap();

    // The first round sees nothing due yet and plans the next wake-up.
    let first = round(&store, &mut p, me, Utc::now()).await.unwrap();
    assert!(
        reminder_days(&first).is_empty(),
        "{:?}",
        schedule::keys(&first)
    );
    let wake = first.next_wake.expect("a reminder ahead");
    assert!(wake > Utc::now());
    assert!(
        wake.date_naive() < due,
        "the 7-day reminder comes before the deadline"
    );
    assert_eq!((first.counts.open, first.counts.overdue), (1, 0));

    // The PC is off until two days after the deadline: every reminder and
    // the missed deadline fire now, once.
    let back = Utc.from_utc_datetime(
        &(due + chrono::Duration::days(2))
            .and_hms_opt(10, 0, 0)
            .unwrap(),
    );
    let caught_up = round(&store, &mut p, me, back).await.unwrap();
    schedule::settle(&store, &caught_up, back).await;
    let mut days = reminder_days(&caught_up);
    days.sort();
    assert_eq!(days, vec![0, 2, 7]);
    // The three reminders and the missed deadline come one by one; the two
    // SLA breaches, due more than CATCH_UP ago (the ticket's targets were
    // days, the PC was off for weeks), come as one summary line, without
    // an escalation.
    let kinds: Vec<_> = caught_up
        .notices
        .iter()
        .map(|n| n.kind.key().name())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "reminder",
            "reminder",
            "reminder",
            "deadline_missed",
            "summary"
        ],
        "{:?}",
        schedule::keys(&caught_up)
    );
    assert!(matches!(
        caught_up.notices.last().map(|n| &n.kind),
        Some(NoticeKind::Summary { count: 2 })
    ));
    let reference = t.reference.to_string();
    assert!(caught_up.notices[..4]
        .iter()
        .all(|n| n.reference.as_deref() == Some(reference.as_str())));
    // The missed deadline is an escalation in the ticket's history.
    let history = store.history(&t.reference.to_string()).await.unwrap();
    assert!(history.iter().any(|e| matches!(
        e.kind,
        EventKind::Escalated {
            reason: EscalationReason::DeadlineMissed,
            ..
        }
    )));

    // Again, an hour later, and after reopening the store: nothing repeats.
    let again = round(&store, &mut p, me, back + chrono::Duration::hours(1))
        .await
        .unwrap();
    schedule::settle(&store, &again, back).await;
    assert!(reminder_days(&again).is_empty());
    assert!(!again
        .notices
        .iter()
        .any(|n| matches!(n.kind, NoticeKind::DeadlineMissed { .. })));
    let dir = store.dir().to_path_buf();
    store.close().await;
    let reopened = Store::open(&dir).await.unwrap();
    let mut p2 = schedule::Planner::default();
    let after = round(&reopened, &mut p2, me, back + chrono::Duration::hours(2))
        .await
        .unwrap();
    assert!(
        after
            .notices
            .iter()
            .all(|n| !n.key.starts_with("reminder:")),
        "{:?}",
        schedule::keys(&after)
    );
    let before = escalations(&reopened, &t).await;
    assert_eq!(after.counts.overdue, 1);
    assert!(before >= 1);
    let later = round(&reopened, &mut p2, me, back + chrono::Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(later.escalations, 0);
    let now_count = escalations(&reopened, &t).await;
    assert_eq!(now_count, before, "an escalation is written once");
}

#[tokio::test]
async fn a_breach_reaches_the_team_lead_and_many_dues_make_a_summary() {
    let (_tmp, store, me) = fresh().await;
    let mut p = schedule::Planner::default();
    let colleague = colleague(&store).await;
    let team = Team::new("Tax").unwrap();
    store.add_team(&team).await.unwrap();
    store.set_team_lead(team.id, Some(me)).await.unwrap();
    for i in 0..8 {
        let mut input = ticket(&format!("Dossier {i}"));
        input.team = Some(team.id);
        input.assignee = Some(colleague.id);
        store.create_ticket(me, input).await.unwrap();
    }
    // Three weeks later every SLA of those tickets is breached.
    let later = Utc::now() + chrono::Duration::days(21);
    let r = round(&store, &mut p, me, later).await.unwrap();
    assert!(r.escalations >= 8, "{} escalations", r.escalations);
    assert!(
        r.notices.len() <= schedule::MAX_INDIVIDUAL + 1,
        "{:?}",
        schedule::keys(&r)
    );
    assert!(
        r.notices
            .iter()
            .any(|n| matches!(n.kind, NoticeKind::Summary { count } if count > 0)),
        "{:?}",
        schedule::keys(&r)
    );
    assert!(r
        .notices
        .iter()
        .any(|n| matches!(n.kind, NoticeKind::Escalation { .. })));
    // I am not the assignee: none of them count as mine.
    assert_eq!(r.counts.open, 0);
    // The list's SLA badges: all eight breached, read from the planner.
    let board = p.board.read().unwrap();
    assert_eq!(board.len(), 8);
    assert!(board
        .values()
        .all(|c| schedule::badge(c, later) == Some("breached")));
}

#[tokio::test]
async fn what_others_do_reaches_me_once() {
    let (_tmp, store, me) = fresh().await;
    let mut p = schedule::Planner::default();
    let colleague = colleague(&store).await;
    let t = store
        .create_ticket(colleague.id, ticket("Bail commercial"))
        .await
        .unwrap();
    let k = t.reference.to_string();
    // The first round starts from the end of the log.
    let first = round(&store, &mut p, me, Utc::now()).await.unwrap();
    assert!(first.notices.is_empty(), "{:?}", schedule::keys(&first));

    store
        .edit_ticket(colleague.id, &k, vec![Edit::Assignee(Some(me))])
        .await
        .unwrap();
    store
        .comment(
            colleague.id,
            &k,
            Visibility::Internal,
            "Peux-tu regarder, @me ?",
        )
        .await
        .unwrap();
    store
        .comment(
            colleague.id,
            &k,
            Visibility::Reply,
            "Bonjour, voici la réponse.",
        )
        .await
        .unwrap();
    store
        .comment(me, &k, Visibility::Reply, "Merci")
        .await
        .unwrap();
    let r = round(&store, &mut p, me, Utc::now()).await.unwrap();
    schedule::settle(&store, &r, Utc::now()).await;
    let kinds: Vec<_> = r.notices.iter().map(|n| n.kind.key().name()).collect();
    assert_eq!(kinds, vec!["assigned", "mention", "reply"]);
    let again = round(&store, &mut p, me, Utc::now()).await.unwrap();
    assert!(again.notices.iter().all(|n| !n.key.starts_with("event:")));
}

#[tokio::test]
async fn quiet_hours_hold_notifications_without_losing_them() {
    let (_tmp, store, me) = fresh().await;
    let mut p = schedule::Planner::default();
    let colleague = colleague(&store).await;
    let t = store
        .create_ticket(colleague.id, ticket("Succession"))
        .await
        .unwrap();
    round(&store, &mut p, me, Utc::now()).await.unwrap();
    let mut prefs = schedule::prefs(&store).await;
    prefs.pause(Utc::now());
    store
        .set_setting(schedule::PREFS, &prefs.to_json())
        .await
        .unwrap();
    store
        .edit_ticket(
            colleague.id,
            &t.reference.to_string(),
            vec![Edit::Assignee(Some(me))],
        )
        .await
        .unwrap();
    let held = round(&store, &mut p, me, Utc::now()).await.unwrap();
    assert!(held.notices.is_empty());
    assert!(held.held_until.is_some());
    prefs.resume();
    store
        .set_setting(schedule::PREFS, &prefs.to_json())
        .await
        .unwrap();
    let shown = round(&store, &mut p, me, Utc::now()).await.unwrap();
    assert_eq!(
        shown
            .notices
            .iter()
            .map(|n| n.kind.key().name())
            .collect::<Vec<_>>(),
        vec!["assigned"]
    );
}

#[test]
fn overdue_counts_in_business_time() {
    let cfg: guichet_sla::TimeConfig = guichet_sla::TimeConfig::from_json(
        r#"{"calendar": {"country": "DE", "time_zone": "Europe/Berlin"}}"#,
    )
    .unwrap();
    let cal = cfg.calendar_for(None).unwrap();
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    // Tuesday 2027-05-18, after Whit Monday: a deadline of Saturday the
    // 15th rolled to today and is not overdue; Friday the 14th is.
    let cutoff = schedule::overdue_cutoff(Some(&cal), d("2027-05-18"));
    assert_eq!(cutoff, d("2027-05-15"));
    // The store's view takes due < cutoff as overdue.
    assert!(d("2027-05-14") < cutoff && d("2027-05-15") >= cutoff);
    // A plain Wednesday: yesterday's deadline is overdue.
    assert_eq!(
        schedule::overdue_cutoff(Some(&cal), d("2027-05-19")),
        d("2027-05-19")
    );
    assert_eq!(
        schedule::overdue_cutoff(None, d("2027-05-18")),
        d("2027-05-18")
    );
}

#[test]
fn due_this_week_counts_in_business_time() {
    let cfg = guichet_sla::TimeConfig::from_json(
        r#"{"calendar": {"country": "DE", "time_zone": "Europe/Berlin"}}"#,
    )
    .unwrap();
    let cal = cfg.calendar_for(None).unwrap();
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    // Tuesday 2027-05-18 (after Whit Monday): Saturday the 15th rolled to
    // today and counts; the week ends Friday the 21st (Saturday the 22nd
    // rolls to next week).
    assert_eq!(
        schedule::this_week(Some(&cal), d("2027-05-18")),
        (d("2027-05-15"), d("2027-05-21"))
    );
    // Without rollover: plain dates, to Sunday.
    assert_eq!(
        schedule::this_week(None, d("2027-05-18")),
        (d("2027-05-18"), d("2027-05-23"))
    );
}

#[tokio::test]
async fn a_badge_moves_on_with_time_and_goes_with_the_ticket() {
    let (_tmp, store, me) = fresh().await;
    let mut p = schedule::Planner::default();
    let mut input = ticket("Urgent: saisie conservatoire");
    input.priority = Some(guichet_domain::Priority::Urgent);
    let t = store.create_ticket(me, input).await.unwrap();
    let now = Utc::now();
    round(&store, &mut p, me, now).await.unwrap();
    let clock = p
        .board
        .read()
        .unwrap()
        .get(&t.id)
        .cloned()
        .expect("a clock");
    // Computed once; the badge follows the clock's own moments.
    assert_eq!(schedule::badge(&clock, t.created_at), None);
    let warn = clock.first_response.warn_at.expect("a warning moment");
    let due = clock.first_response.due_at.expect("a breach moment");
    assert_eq!(schedule::badge(&clock, warn), Some("warning"));
    assert_eq!(schedule::badge(&clock, due), Some("breached"));
    // Resolved: the next round (incremental) drops it from the board.
    store
        .edit_ticket(
            me,
            &t.reference.to_string(),
            vec![Edit::Status(guichet_domain::Status::Resolved)],
        )
        .await
        .unwrap();
    round(&store, &mut p, me, Utc::now()).await.unwrap();
    assert!(p.board.read().unwrap().get(&t.id).is_none());
}

#[tokio::test]
async fn a_breach_escalates_once_even_when_the_raised_priority_breaches_again() {
    let (_tmp, store, me) = fresh().await;
    let mut p = schedule::Planner::default();
    store
        .set_setting(
            schedule::TIME_CONFIG,
            r#"{"calendar": {"country": "FR", "time_zone": "UTC"},
                "escalation": {"raise_priority_on_breach": true}}"#,
        )
        .await
        .unwrap();
    let mut input = ticket("Relevé de compte");
    input.assignee = Some(me);
    let t = store.create_ticket(me, input).await.unwrap();
    let k = t.reference.to_string();
    let mut at = Utc::now() + chrono::Duration::days(20);
    for _ in 0..4 {
        let r = round(&store, &mut p, me, at).await.unwrap();
        schedule::settle(&store, &r, at).await;
        at += chrono::Duration::hours(1);
    }
    let history = store.history(&k).await.unwrap();
    let breaches = |reason: EscalationReason| {
        history
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::Escalated { reason: r, .. } if *r == reason))
            .count()
    };
    assert_eq!(breaches(EscalationReason::ResolutionBreached), 1);
    assert_eq!(breaches(EscalationReason::FirstResponseBreached), 1);
    // Raised once per breach reason at most, never past urgent.
    let raises = history
        .iter()
        .filter(|e| {
            matches!(
                &e.kind,
                EventKind::Changed(guichet_domain::Change::Priority { .. })
            )
        })
        .count();
    assert!(raises <= 2, "{raises} raises");
}

#[test]
fn mentions_are_whole_logins() {
    assert!(schedule::mentions("peux-tu regarder, @me ?", "@me"));
    assert!(schedule::mentions("merci @me.", "@me"));
    assert!(!schedule::mentions("voir @meier", "@me"));
    assert!(!schedule::mentions("voir @me_2", "@me"));
}

#[test]
fn the_loop_naps_at_most_a_minute_and_rounds_at_least_every_ten() {
    let now = at("2027-05-18T10:00:00Z");
    let r = schedule::Round {
        next_wake: Some(at("2027-05-18T10:00:20Z")),
        ..Default::default()
    };
    assert_eq!(schedule::next_round(&r, now), at("2027-05-18T10:00:20Z"));
    assert_eq!(schedule::nap(at("2027-05-18T10:00:20Z"), now).as_secs(), 20);
    let idle = schedule::Round::default();
    assert_eq!(schedule::next_round(&idle, now), now + schedule::REFRESH);
    assert_eq!(schedule::nap(now + schedule::REFRESH, now).as_secs(), 60);
    assert_eq!(
        schedule::nap(now - chrono::Duration::minutes(5), now).as_secs(),
        0
    );
}

#[tokio::test]
async fn in_a_shared_firm_one_pc_writes_an_escalation_the_leads_else_the_assignees() {
    let tmp = tempfile::tempdir().unwrap();
    let me_user = User::new("me", "Me Myself", None).unwrap();
    let store = Store::init_shared(
        &tmp.path().join("data"),
        &me_user,
        guichet_domain::ReplicaCode::from_number(7),
    )
    .await
    .unwrap();
    let me = store.local_user().await.unwrap();
    assert_eq!(me, me_user.id);
    let colleague = colleague(&store).await;
    let mut p = schedule::Planner::default();
    let theirs = Team::new("Tax").unwrap();
    store.add_team(&theirs).await.unwrap();
    store
        .set_team_lead(theirs.id, Some(colleague.id))
        .await
        .unwrap();
    let mine = Team::new("Payroll").unwrap();
    store.add_team(&mine).await.unwrap();
    store.set_team_lead(mine.id, Some(me)).await.unwrap();
    let make = |title: &str, team: Option<guichet_domain::TeamId>, assignee: Option<UserId>| {
        let mut input = ticket(title);
        input.team = team;
        input.assignee = assignee;
        input
    };
    let cases = [
        // (ticket, written on my PC?)
        (
            make("Their lead's, assigned to me", Some(theirs.id), Some(me)),
            false,
        ),
        (
            make(
                "My team's, assigned to them",
                Some(mine.id),
                Some(colleague.id),
            ),
            true,
        ),
        (make("No team, assigned to me", None, Some(me)), true),
        (
            make("No team, assigned to them", None, Some(colleague.id)),
            false,
        ),
        (make("Nobody's", None, None), false),
    ];
    let mut created = Vec::new();
    for (input, written) in cases {
        let t = store.create_ticket(me, input).await.unwrap();
        created.push((t, written));
    }
    let later = Utc::now() + chrono::Duration::days(21);
    round(&store, &mut p, me, later).await.unwrap();
    round(&store, &mut p, me, later + chrono::Duration::hours(1))
        .await
        .unwrap();
    for (t, written) in created {
        let n = escalations(&store, &t).await;
        assert_eq!(n > 0, written, "{}: {n} escalations", t.title);
    }
}
