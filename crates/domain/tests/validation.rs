//! Bad input is refused with an error that names the field and what is accepted.

mod common;

use common::{reference, ticket_in};
use guichet_domain::{
    check_category_key, limits, parse_date, Attachment, Contact, DomainError, Edit, EventKind,
    LinkKind, NewTicket, Priority, Status, Team, User, Visibility, Workflow,
};

/// Asserts that `r` is an `Invalid` error about `field` whose message names
/// the field first and contains every one of `mentions`.
#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(
    r: Result<T, DomainError>,
    field: &str,
    mentions: &[&str],
) -> String {
    let err = r.expect_err(&format!("expected an error about {field}"));
    assert!(
        matches!(err, DomainError::Invalid { .. }),
        "not an Invalid error: {err:?}"
    );
    assert_eq!(err.field(), field, "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{field}: ")), "{msg}");
    assert!(msg.contains("; accepted: "), "{msg}");
    for m in mentions {
        assert!(msg.contains(m), "{msg:?} should mention {m:?}");
    }
    msg
}

fn new_ticket(title: &str) -> NewTicket {
    NewTicket {
        title: title.into(),
        category: "client".into(),
        ..NewTicket::default()
    }
}

fn edit(e: Edit) -> Result<Option<guichet_domain::Change>, DomainError> {
    ticket_in(Status::Open).edit(e, &Workflow::default())
}

// --- title -----------------------------------------------------------------

#[test]
fn empty_or_blank_title() {
    for t in ["", " ", "   \t  ", "\n"] {
        assert_invalid(
            new_ticket(t).validate(reference()),
            "title",
            &["must not be empty", "1 to 200 characters"],
        );
        assert_invalid(
            edit(Edit::Title(t.into())),
            "title",
            &["must not be empty", "1 to 200 characters"],
        );
    }
}

#[test]
fn title_length_limit_is_200_characters() {
    assert_eq!(limits::TITLE_MAX, 200);
    let ok = "a".repeat(200);
    assert_eq!(new_ticket(&ok).validate(reference()).unwrap().title, ok);
    assert!(edit(Edit::Title(ok.clone())).unwrap().is_some());

    let long = "a".repeat(201);
    assert_invalid(
        new_ticket(&long).validate(reference()),
        "title",
        &["201 characters", "1 to 200 characters"],
    );
    assert_invalid(edit(Edit::Title(long)), "title", &["201 characters"]);

    // Characters, not bytes.
    let accented = "é".repeat(200);
    assert!(new_ticket(&accented).validate(reference()).is_ok());
    assert_invalid(
        new_ticket(&"é".repeat(201)).validate(reference()),
        "title",
        &["201 characters"],
    );

    // Surrounding spaces are trimmed before counting.
    let padded = format!("  {ok}  ");
    assert_eq!(new_ticket(&padded).validate(reference()).unwrap().title, ok);
}

#[test]
fn title_on_more_than_one_line() {
    for t in [
        "first line\nsecond line",
        "a\rb",
        "tab\tinside",
        "bell\u{7}",
    ] {
        assert_invalid(
            new_ticket(t).validate(reference()),
            "title",
            &["control character", "one line"],
        );
        assert_invalid(edit(Edit::Title(t.into())), "title", &["one line"]);
    }
    // A trailing newline is only surrounding space.
    assert_eq!(
        new_ticket("title\n").validate(reference()).unwrap().title,
        "title"
    );
}

// --- category --------------------------------------------------------------

#[test]
fn bad_category_keys() {
    let too_long = "a".repeat(65);
    for key in [
        "Client",
        "a//b",
        "",
        "   ",
        "/client",
        "client/",
        "client tax",
        "café",
        too_long.as_str(),
    ] {
        let msg = assert_invalid(
            check_category_key(key),
            "category",
            &["is not a category key", "client/tax"],
        );
        assert!(msg.contains(&format!("'{key}'")), "{msg}");
        let mut n = new_ticket("ok");
        n.category = key.into();
        assert_invalid(n.validate(reference()), "category", &[]);
        assert_invalid(edit(Edit::Category(key.into())), "category", &[]);
    }
    for key in [
        "client",
        "client/tax",
        "admin/court-deadline",
        "a_1/b-2/c",
        &"a".repeat(64),
    ] {
        assert_eq!(check_category_key(key).unwrap(), key);
    }
}

// --- tags ------------------------------------------------------------------

#[test]
fn bad_tags() {
    let too_long = "t".repeat(41);
    for tag in ["two words", "", "  ", "a,b", "x#", too_long.as_str()] {
        assert_invalid(
            EventKind::tag(true, tag),
            "tag",
            &["is not a tag", "without spaces"],
        );
        assert_invalid(EventKind::tag(false, tag), "tag", &[]);
        let mut n = new_ticket("ok");
        n.tags = vec!["fine".into(), tag.into()];
        assert_invalid(n.validate(reference()), "tag", &[]);
    }
    // Tags are lowercased and trimmed; letters outside ASCII are fine.
    assert_eq!(
        EventKind::tag(true, " Délai ").unwrap(),
        EventKind::TagAdded {
            tag: "délai".into()
        }
    );
    assert!(EventKind::tag(true, &"t".repeat(40)).is_ok());
}

// --- matter ----------------------------------------------------------------

#[test]
fn over_long_matter() {
    assert_eq!(limits::MATTER_MAX, 64);
    let long = "M".repeat(65);
    assert_invalid(
        edit(Edit::Matter(Some(long.clone()))),
        "matter",
        &["65 characters", "at most 64 characters"],
    );
    let mut n = new_ticket("ok");
    n.matter = Some(long);
    assert_invalid(n.validate(reference()), "matter", &["64"]);

    assert_invalid(
        edit(Edit::Matter(Some("2026/\n0042".into()))),
        "matter",
        &["control character"],
    );

    // 64 is fine; blank means none.
    let ok = "M".repeat(64);
    assert!(edit(Edit::Matter(Some(ok))).unwrap().is_some());
    let mut n = new_ticket("ok");
    n.matter = Some("   ".into());
    assert_eq!(n.validate(reference()).unwrap().matter, None);
}

// --- comments --------------------------------------------------------------

#[test]
fn empty_comment() {
    for body in ["", "   ", "\n\t\n"] {
        for v in [Visibility::Reply, Visibility::Internal] {
            assert_invalid(
                EventKind::comment(v, body),
                "comment",
                &["must not be empty", "1 to 50000 characters"],
            );
        }
    }
    let long = "x".repeat(limits::COMMENT_MAX + 1);
    assert_invalid(
        EventKind::comment(Visibility::Reply, &long),
        "comment",
        &["50001 characters"],
    );
    assert_eq!(
        EventKind::comment(Visibility::Internal, "  note \n").unwrap(),
        EventKind::Commented {
            visibility: Visibility::Internal,
            body: "note".into()
        }
    );
}

#[test]
fn over_long_description() {
    let mut n = new_ticket("ok");
    n.description = "d".repeat(limits::DESCRIPTION_MAX + 1);
    assert_invalid(n.validate(reference()), "description", &["at most 50000"]);
    assert_invalid(
        edit(Edit::Description("d".repeat(limits::DESCRIPTION_MAX + 1))),
        "description",
        &[],
    );
}

// --- dates -----------------------------------------------------------------

#[test]
fn bad_dates_name_the_field_and_the_format() {
    for s in [
        "2027-02-30",
        "31/03/2027",
        "",
        "2027-3-31x",
        "tomorrow",
        "2027-13-01",
    ] {
        let msg = assert_invalid(parse_date("due", s), "due", &["YYYY-MM-DD", "not a date"]);
        assert!(msg.contains(&format!("'{s}'")), "{msg}");
    }
    // The field name is the caller's.
    assert_invalid(parse_date("since", "nope"), "since", &["YYYY-MM-DD"]);
    let d = parse_date("due", " 2027-03-31 ").unwrap();
    assert_eq!(d.to_string(), "2027-03-31");
    assert!(parse_date("due", "2028-02-29").is_ok());
}

// --- named values ----------------------------------------------------------

#[test]
fn unknown_priority_lists_the_accepted_values() {
    let msg = assert_invalid(
        "urgentissime".parse::<Priority>(),
        "priority",
        &["'urgentissime' is unknown", "low, normal, high, urgent"],
    );
    assert_eq!(
        msg,
        "priority: 'urgentissime' is unknown; accepted: low, normal, high, urgent"
    );
    assert_eq!(" URGENT ".parse::<Priority>().unwrap(), Priority::Urgent);
}

#[test]
fn other_named_values() {
    assert_invalid(
        "done".parse::<Status>(),
        "status",
        &["new, open, in_progress, waiting, resolved, closed"],
    );
    assert_eq!("in progress".parse::<Status>().unwrap(), Status::InProgress);
    assert_eq!("In-Progress".parse::<Status>().unwrap(), Status::InProgress);
    assert_invalid(
        "sibling".parse::<LinkKind>(),
        "link kind",
        &["duplicate_of"],
    );
    assert_invalid(
        "public".parse::<Visibility>(),
        "visibility",
        &["reply, internal"],
    );
}

// --- people ----------------------------------------------------------------

#[test]
fn bad_logins() {
    let long = format!("a{}", "b".repeat(64));
    for login in [
        "",
        "Alice",
        "1abc",
        "a b",
        "anne@martin",
        "-anne",
        long.as_str(),
    ] {
        let msg = assert_invalid(
            User::new(login, "Anne Martin", None),
            "login",
            &["is not a login", "starting with a letter"],
        );
        assert!(msg.contains(&format!("'{login}'")), "{msg}");
    }
    let u = User::new(" a.martin-2_x ", "Anne Martin", None).unwrap();
    assert_eq!(u.login, "a.martin-2_x");
}

#[test]
fn bad_emails() {
    for email in [
        "anne",
        "anne@firm",
        "@firm.example",
        "anne martin@firm.example",
        "anne@.example",
        "anne@firm.",
    ] {
        assert_invalid(
            User::new("amartin", "Anne Martin", Some(email)),
            "email",
            &["is not an e-mail address", "name@firm.example"],
        );
        assert_invalid(Contact::new("Client", Some(email), None), "email", &[]);
    }
    let u = User::new("amartin", "Anne Martin", Some(" anne@firm.example ")).unwrap();
    assert_eq!(u.email.as_deref(), Some("anne@firm.example"));
    assert_eq!(User::new("amartin", "Anne", Some("")).unwrap().email, None);
}

#[test]
fn bad_names() {
    assert_invalid(User::new("amartin", "  ", None), "name", &["1 to 100"]);
    assert_invalid(
        User::new("amartin", &"n".repeat(101), None),
        "name",
        &["one line"],
    );
    assert_invalid(Team::new("IT\nSupport"), "team name", &[]);
    assert_invalid(
        Contact::new("Client", None, Some("Dubois\nFils")),
        "organisation",
        &[],
    );
}

// --- attachments -----------------------------------------------------------

#[test]
fn bad_attachments() {
    let good = Attachment {
        sha256: "ab".repeat(32),
        name: " bilan.pdf ".into(),
        size: 12,
        mime: "application/pdf".into(),
    };
    match EventKind::attachment(good.clone()).unwrap() {
        EventKind::AttachmentAdded { attachment } => assert_eq!(attachment.name, "bilan.pdf"),
        other => panic!("{other:?}"),
    }
    for name in ["", "dir/file.pdf", "a\\b", "a\nb"] {
        assert_invalid(
            EventKind::attachment(Attachment {
                name: name.into(),
                ..good.clone()
            }),
            "attachment name",
            &["is not a file name"],
        );
    }
    for sha in [
        "",
        "AB".repeat(32).as_str(),
        &"ab".repeat(31),
        &"zz".repeat(32),
    ] {
        assert_invalid(
            EventKind::attachment(Attachment {
                sha256: sha.into(),
                ..good.clone()
            }),
            "attachment sha256",
            &["64 lowercase hex digits"],
        );
    }
}

// --- imported events -------------------------------------------------------

#[test]
fn imported_events_are_checked_like_commands() {
    let mut data = common::new_ticket_data();
    data.title = " padded ".into();
    assert_invalid(
        EventKind::Created(Box::new(data)).validate(),
        "title",
        &["surrounding spaces"],
    );
    let mut data = common::new_ticket_data();
    data.category = "Bad Key".into();
    assert_invalid(
        EventKind::Created(Box::new(data)).validate(),
        "category",
        &[],
    );
    assert_invalid(
        EventKind::TagAdded {
            tag: "two words".into(),
        }
        .validate(),
        "tag",
        &[],
    );
    assert_invalid(
        EventKind::Commented {
            visibility: Visibility::Reply,
            body: " ".into(),
        }
        .validate(),
        "comment",
        &[],
    );
    assert!(EventKind::Created(Box::new(common::new_ticket_data()))
        .validate()
        .is_ok());
}
