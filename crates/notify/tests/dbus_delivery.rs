//! Real delivery over D-Bus: a private session bus (`dbus-daemon`), on it
//! python-dbusmock's `notification_daemon` template as the notification
//! server, and `guichet_notify::deliver` talking to it through notify-rust.
//! The mock reports what it received (`org.freedesktop.DBus.Mock.GetCalls`)
//! and emits the signals a user's click would (`EmitSignal`).
//!
//! Needs the Debian packages `dbus` (dbus-daemon) and `python3-dbusmock`
//! (for `/usr/bin/python3`, or the Python named by `GUICHET_TEST_PYTHON`);
//! it fails, naming the package, when one is missing.
//!
//! Everything is in one #[test] because `DBUS_SESSION_BUS_ADDRESS` is
//! process-wide.

#![cfg(all(unix, not(target_os = "macos")))]

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use guichet_notify::{deliver, render, Lang, Notice, NoticeKind, Rendered, Urgency};
use zbus::{OwnedVariant as OwnedValue, Variant as Value};

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
const MOCK: &str = "org.freedesktop.DBus.Mock";
const TITLE: &str = "Müller & Söhne <GmbH> — Jahresabschluss";
const TITLE_ESCAPED: &str = "Müller &amp; Söhne &lt;GmbH&gt; — Jahresabschluss";

/// The bus and the mock server, killed when dropped (also on panic).
struct Daemons {
    bus: Child,
    mock: Option<Child>,
    dir: tempfile::TempDir,
}

impl Drop for Daemons {
    fn drop(&mut self) {
        if let Some(mut mock) = self.mock.take() {
            let _ = mock.kill();
            let _ = mock.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

impl Daemons {
    fn mock_log(&self) -> String {
        let read = |f: &str| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default();
        format!(
            "dbusmock stderr:\n{}\ndbusmock log:\n{}",
            read("mock.err"),
            read("mock.log")
        )
    }

    fn stop_mock(&mut self) {
        if let Some(mut mock) = self.mock.take() {
            mock.kill().unwrap();
            mock.wait().unwrap();
        }
    }
}

/// Starts a private bus with a minimal configuration (no service
/// activation, so nothing but the mock can answer) and the mock server on
/// it; returns them and the bus address.
fn start_daemons() -> (Daemons, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
            dir.path().join("bus").display()
        ),
    )
    .unwrap();
    let mut bus = match Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(File::create(dir.path().join("bus.err")).unwrap())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => panic!(
            "cannot start dbus-daemon ({e}): install the Debian package `dbus` \
             (apt-get install -y dbus)"
        ),
    };
    let mut address = String::new();
    BufReader::new(bus.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    let address = address.trim().to_string();
    if address.is_empty() {
        let _ = bus.kill();
        let _ = bus.wait();
        panic!(
            "dbus-daemon printed no address; its stderr:\n{}",
            std::fs::read_to_string(dir.path().join("bus.err")).unwrap_or_default()
        );
    }
    let mut daemons = Daemons {
        bus,
        mock: None,
        dir,
    };

    let python = std::env::var("GUICHET_TEST_PYTHON").unwrap_or("/usr/bin/python3".into());
    let probe = Command::new(&python)
        .args(["-c", "import dbusmock"])
        .stderr(Stdio::null())
        .status();
    if !matches!(probe, Ok(s) if s.success()) {
        panic!(
            "{python} cannot import dbusmock: install the Debian package `python3-dbusmock` \
             (apt-get install -y python3-dbusmock), or name another Python in GUICHET_TEST_PYTHON"
        );
    }
    let dir = daemons.dir.path().to_path_buf();
    daemons.mock = Some(
        Command::new(&python)
            .args(["-m", "dbusmock", "--template", "notification_daemon", "-l"])
            .arg(dir.join("mock.log"))
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(dir.join("mock.err")).unwrap())
            .spawn()
            .expect("start dbusmock"),
    );
    (daemons, address)
}

/// Waits until something owns `org.freedesktop.Notifications`.
fn wait_for_server(conn: &zbus::Connection, daemons: &mut Daemons) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let owned: bool = zbus::block_on(conn.call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "NameHasOwner",
            &(NAME,),
        ))
        .unwrap()
        .body()
        .deserialize()
        .unwrap();
        if owned {
            return;
        }
        if let Some(status) = daemons.mock.as_mut().unwrap().try_wait().unwrap() {
            panic!(
                "dbusmock exited ({status}) before owning {NAME}\n{}",
                daemons.mock_log()
            );
        }
        if Instant::now() > deadline {
            panic!("{NAME} not owned after 15 s\n{}", daemons.mock_log());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

type Call = (u64, String, Vec<OwnedValue>);

fn notify_calls(conn: &zbus::Connection) -> Vec<Vec<OwnedValue>> {
    let calls: Vec<Call> =
        zbus::block_on(conn.call_method(Some(NAME), PATH, Some(MOCK), "GetCalls", &()))
            .unwrap()
            .body()
            .deserialize()
            .unwrap();
    calls
        .into_iter()
        .filter(|(_, method, _)| method == "Notify")
        .map(|(_, _, args)| args)
        .collect()
}

/// What the server received in one Notify call.
#[derive(Debug, PartialEq)]
struct Received {
    app: String,
    replaces: u32,
    summary: String,
    body: String,
    actions: Vec<String>,
    urgency: u8,
}

fn received(args: Vec<OwnedValue>) -> Received {
    assert_eq!(args.len(), 8, "Notify(susssasa{{sv}}i) has 8 arguments");
    let mut a = args.into_iter();
    let mut next = || a.next().unwrap();
    let app = String::try_from(next()).unwrap();
    let replaces = u32::try_from(next()).unwrap();
    let _icon = next();
    let summary = String::try_from(next()).unwrap();
    let body = String::try_from(next()).unwrap();
    let actions = Vec::<String>::try_from(next()).unwrap();
    let hints = HashMap::<String, OwnedValue>::try_from(next()).unwrap();
    let urgency = u8::try_from(
        hints
            .get("urgency")
            .expect("urgency hint")
            .try_clone()
            .unwrap(),
    )
    .unwrap();
    Received {
        app,
        replaces,
        summary,
        body,
        actions,
        urgency,
    }
}

fn expected(r: &Rendered) -> Received {
    Received {
        app: "Guichet".into(),
        replaces: 0,
        summary: r.summary.clone(),
        body: r.body.replace(TITLE, TITLE_ESCAPED),
        actions: r
            .actions
            .iter()
            .flat_map(|(id, label)| [id.clone(), label.clone()])
            .collect(),
        urgency: match r.urgency {
            Urgency::Low => 0,
            Urgency::Normal => 1,
            Urgency::Critical => 2,
        },
    }
}

fn emit(conn: &zbus::Connection, signal: &str, signature: &str, args: Vec<Value<'_>>) {
    zbus::block_on(conn.call_method(
        Some(NAME),
        PATH,
        Some(MOCK),
        "EmitSignal",
        &(NAME, signal, signature, args),
    ))
    .unwrap();
}

/// Clicks `action` on notification `id` (re-emitting until a callback
/// answers: the waiting thread subscribes shortly after `deliver` returns)
/// and returns which notice's callback answered, with what.
fn click(
    conn: &zbus::Connection,
    rx: &mpsc::Receiver<(&'static str, String)>,
    id: u32,
    action: &str,
) -> (&'static str, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        emit(
            conn,
            "ActionInvoked",
            "us",
            vec![Value::from(id), Value::from(action)],
        );
        if let Ok(got) = rx.recv_timeout(Duration::from_millis(250)) {
            return got;
        }
    }
    panic!("no on_action callback within 10 s for ActionInvoked({id}, {action:?})");
}

fn notice(key: &str, kind: NoticeKind) -> Notice {
    let reference = match kind {
        NoticeKind::Summary { .. } => None,
        _ => Some("K7QX-42".to_string()),
    };
    Notice {
        key: key.into(),
        kind,
        reference,
        title: TITLE.into(),
    }
}

#[test]
fn delivers_over_dbus_and_reports_clicks() {
    let (mut daemons, address) = start_daemons();
    // notify-rust (zbus) finds the session bus through this variable.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    let conn = zbus::block_on(zbus::Connection::session()).expect("connect to the private bus");
    wait_for_server(&conn, &mut daemons);

    // 1. Every kind, in all three languages: what the server receives.
    let date = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
    let kinds = vec![
        NoticeKind::Assigned,
        NoticeKind::Reply,
        NoticeKind::Note,
        NoticeKind::Mention,
        NoticeKind::Reminder {
            days_before: 2,
            deadline: date,
        },
        NoticeKind::SlaWarning {
            target: "first_response".into(),
        },
        NoticeKind::SlaBreach {
            target: "resolution".into(),
        },
        NoticeKind::DeadlineMissed { deadline: date },
        NoticeKind::Escalation {
            reason: "48 h".into(),
        },
        NoticeKind::Summary { count: 7 },
    ];
    let mut sent = Vec::new();
    for kind in &kinds {
        for lang in Lang::ALL {
            let r = render(&notice("k", kind.clone()), lang);
            let id = deliver(&r, "Guichet", |_| {}).expect("deliver");
            sent.push((id, r));
        }
    }
    let ids: Vec<u32> = sent.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        (1..=sent.len() as u32).collect::<Vec<_>>(),
        "ids from the mock"
    );

    let calls = notify_calls(&conn);
    assert_eq!(calls.len(), sent.len(), "one Notify call per deliver");
    let got: Vec<Received> = calls.into_iter().map(received).collect();
    for (g, (_, r)) in got.iter().zip(&sent) {
        assert_eq!(*g, expected(r), "{:?}", r.kind);
    }
    // A few literally, so the test does not only compare render with itself.
    assert_eq!(
        got[1],
        Received {
            app: "Guichet".into(),
            replaces: 0,
            summary: "K7QX-42 vous a été attribué".into(),
            body: TITLE_ESCAPED.into(),
            actions: vec![
                "default".into(),
                "Ouvrir".into(),
                "open".into(),
                "Ouvrir".into()
            ],
            urgency: 1,
        }
    );
    assert_eq!(got[2].summary, "K7QX-42 wurde Ihnen zugewiesen");
    assert_eq!(got[2].actions, ["default", "Öffnen", "open", "Öffnen"]);
    let missed_de = &got[7 * 3 + 2];
    assert_eq!(missed_de.summary, "K7QX-42: Frist versäumt (14.03.2026)");
    assert_eq!(missed_de.urgency, 2);
    let escalation_en = &got[8 * 3];
    assert_eq!(escalation_en.body, format!("{TITLE_ESCAPED}\nReason: 48 h"));
    let summary_fr = &got[9 * 3 + 1];
    assert_eq!(summary_fr.summary, "7 nouvelles notifications");
    assert_eq!(
        summary_fr.actions,
        ["default", "Afficher", "open_list", "Afficher"]
    );
    assert_eq!(summary_fr.urgency, 0);

    // 2. Clicks reach the callback of the clicked notification only.
    let (tx, rx) = mpsc::channel::<(&'static str, String)>();
    let deliver_tagged = |tag: &'static str, kind: NoticeKind, lang: Lang| {
        let tx = tx.clone();
        deliver(
            &render(&notice(tag, kind), lang),
            "Guichet",
            move |action| {
                tx.send((tag, action)).unwrap();
            },
        )
        .expect("deliver")
    };
    let closed = deliver_tagged("closed", NoticeKind::Note, Lang::De);
    let a = deliver_tagged("a", NoticeKind::Assigned, Lang::En);
    let b = deliver_tagged("b", NoticeKind::Reply, Lang::Fr);
    let c = deliver_tagged("c", NoticeKind::Summary { count: 3 }, Lang::De);

    // Closing a notification ("__closed") calls nothing, and a later click
    // on it finds no one waiting.
    for _ in 0..5 {
        emit(
            &conn,
            "NotificationClosed",
            "uu",
            vec![Value::from(closed), Value::from(2u32)],
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(rx.recv_timeout(Duration::from_millis(300)).ok(), None);

    assert_eq!(click(&conn, &rx, b, "open"), ("b", "open".to_string()));
    assert_eq!(
        click(&conn, &rx, c, "open_list"),
        ("c", "open_list".to_string())
    );
    assert_eq!(
        click(&conn, &rx, a, "default"),
        ("a", "default".to_string())
    );
    emit(
        &conn,
        "ActionInvoked",
        "us",
        vec![Value::from(closed), Value::from("open")],
    );
    // Each callback ran once: a, b and c's threads are done, "closed"'s too.
    assert_eq!(rx.recv_timeout(Duration::from_secs(1)).ok(), None);

    // 3. Without a server, deliver says so instead of pretending.
    daemons.stop_mock();
    let r = render(&notice("gone", NoticeKind::Assigned), Lang::En);
    let err = deliver(&r, "Guichet", |_| {}).expect_err("no server, no delivery");
    assert!(
        err.to_string()
            .starts_with("the notification could not be shown"),
        "{err}"
    );
}
