//! The TypeScript declarations of every type that crosses into the UI,
//! generated from the Rust types into `ui/src/lib/bindings.ts`. The test
//! fails when the committed file is stale; `UPDATE_BINDINGS=1 cargo test -p
//! guichet-desktop bindings` rewrites it.

use crate::api::*;
use crate::shared::*;
use crate::time_api::*;
use guichet_domain::*;
use guichet_store::{Comment, ImportReport, TicketSummary};
use ts_rs::{Config, TS};

fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from("// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p guichet-desktop bindings`. Do not edit.\n\n");
    macro_rules! decl {
        ($($t:ty),* $(,)?) => {
            $(
                out.push_str("export ");
                out.push_str(&<$t as TS>::decl(&cfg));
                out.push_str("\n\n");
            )*
        };
    }
    decl!(
        TicketId,
        EventId,
        UserId,
        TeamId,
        ContactId,
        Hlc,
        TicketRef,
        Status,
        Priority,
        LinkKind,
        Visibility,
        Field,
        Party,
        Link,
        Attachment,
        Ticket,
        Event,
        EventKind,
        NewTicketData,
        Change,
        User,
        Team,
        Category,
        TicketSummary,
        Comment,
        ImportReport,
        ApiError,
        Settings,
        AppInfo,
        ListRequest,
        ListPage,
        LinkView,
        SavedView,
        TicketDetail,
        NewTicketRequest,
        TicketUpdate,
        Directory,
        EscalationReason,
        TargetView,
        SlaView,
        DeadlineView,
        TicketTime,
        AgendaItem,
        NotificationSettings,
        ConflictSide,
        ConflictMark,
        SyncView,
        ConnectForm,
    );
    out.trim_end().to_string() + "\n"
}

#[test]
fn bindings_are_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/lib/bindings.ts");
    let want = typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "ui/src/lib/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p guichet-desktop bindings` and commit it");
}
