//! The commands the UI calls, and the plain data types that cross the
//! boundary (their TypeScript declarations are generated, see `bindings`).
//! Each command is a thin call into `guichet-store`; errors cross as one
//! [`ApiError`] with a stable code and the field concerned.

use guichet_domain::{
    parse_date, Category, Edit, Event, LinkKind, NewTicket, Party, Priority, Status, Team, Ticket,
    User, UserId, Visibility,
};
use guichet_store::{Comment, Error, ImportReport, ListQuery, Sort, Store, TicketSummary, View};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::State;
use ts_rs::TS;

pub struct AppState {
    pub store: Store,
    pub data_dir: PathBuf,
    /// Wakes the scheduler to plan again after a change.
    pub replan: std::sync::Arc<tokio::sync::Notify>,
    /// The open tickets' SLA clocks, as the scheduler last computed them.
    pub sla: crate::schedule::SlaBoard,
    /// The sync engine, in shared mode.
    pub sync: std::sync::Arc<crate::shared::SyncHandle>,
}

impl AppState {
    /// After a write: the scheduler plans again, the sync engine pushes.
    pub fn changed(&self) {
        self.replan.notify_one();
        self.sync.wake();
    }
}

/// An error as the UI sees it: `code` is stable (the UI translates by it),
/// `field` names the form field to show it beside, `message` is the English
/// sentence for anything the catalog does not know.
#[derive(Debug, Serialize, TS)]
pub struct ApiError {
    pub code: String,
    pub field: Option<String>,
    pub message: String,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let field = match &e {
            Error::Invalid(d) => Some(d.field().to_string()),
            Error::Unknown { field, .. } | Error::Conflict { field, .. } => Some(field.to_string()),
            Error::Attachment(_) => Some("attachment".into()),
            _ => None,
        };
        let detail = match &e {
            Error::Invalid(guichet_domain::DomainError::Invalid { problem, .. }) => {
                Some(problem.clone())
            }
            _ => None,
        };
        let code = match (&e, detail.as_deref()) {
            (Error::Invalid(_), Some("must not be empty")) => "empty".to_string(),
            (Error::Invalid(guichet_domain::DomainError::Transition { .. }), _) => {
                "transition".to_string()
            }
            _ => e.code().to_string(),
        };
        ApiError {
            code,
            field,
            message: e.to_string(),
        }
    }
}

impl From<guichet_domain::DomainError> for ApiError {
    fn from(e: guichet_domain::DomainError) -> Self {
        Error::Invalid(e).into()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The language the operating system asks for, as `fr`, `de`, `en` or other.
pub(crate) fn os_language() -> String {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .map(|v| v.chars().take(2).collect::<String>().to_lowercase())
        .unwrap_or_else(|| "en".into())
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Settings {
    /// The local user's display name.
    pub name: String,
    /// `fr`, `de`, `en`, or empty to follow the operating system.
    pub language: String,
    /// `light`, `dark` or `system`.
    pub theme: String,
}

#[derive(Debug, Serialize, TS)]
pub struct AppInfo {
    pub user: User,
    pub settings: Settings,
    pub os_language: String,
    pub replica: String,
    pub data_dir: String,
}

async fn me(store: &Store) -> ApiResult<UserId> {
    Ok(store.local_user().await?)
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> ApiResult<AppInfo> {
    let store = &state.store;
    let user = store.user(&me(store).await?.to_string()).await?;
    let settings = Settings {
        name: user.name.clone(),
        language: store.setting("ui.language").await?.unwrap_or_default(),
        theme: store
            .setting("ui.theme")
            .await?
            .unwrap_or_else(|| "system".into()),
    };
    Ok(AppInfo {
        user,
        settings,
        os_language: os_language(),
        replica: store.replica().await?.to_string(),
        data_dir: state.data_dir.display().to_string(),
    })
}

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> ApiResult<AppInfo> {
    let store = &state.store;
    if !["", "fr", "de", "en"].contains(&settings.language.as_str()) {
        return Err(guichet_domain::DomainError::invalid(
            "language",
            format!("'{}' is not offered", settings.language),
            "fr, de, en, or empty to follow the system",
        )
        .into());
    }
    if !["light", "dark", "system"].contains(&settings.theme.as_str()) {
        return Err(guichet_domain::DomainError::invalid(
            "theme",
            format!("'{}' is not offered", settings.theme),
            "light, dark, system",
        )
        .into());
    }
    store.rename_user(me(store).await?, &settings.name).await?;
    store.set_setting("ui.language", &settings.language).await?;
    store.set_setting("ui.theme", &settings.theme).await?;
    app_info(state).await
}

/// What the list asks for: a saved view and/or filters, and a page.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct ListRequest {
    /// mine, unassigned, overdue, due-this-week, waiting, open; empty for all.
    pub view: Option<String>,
    pub text: Option<String>,
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    /// A login, `me`, or `none`.
    pub assignee: Option<String>,
    pub team: Option<String>,
    pub category: Option<String>,
    pub requester: Option<String>,
    pub tag: Option<String>,
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    /// updated, created, due, priority.
    pub sort: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Serialize, TS)]
pub struct ListPage {
    pub rows: Vec<TicketSummary>,
    /// All tickets the filters find, for the scroll bar; counted for the
    /// first page only (offset 0), -1 for the others.
    pub total: i64,
    /// A text search with filters looked only at the newest matches (see
    /// `guichet_store::TEXT_CANDIDATES`): the UI asks to refine it.
    pub capped: bool,
    /// Per row, its SLA badge: breached, warning, paused, or none (on time,
    /// met, or no clock).
    pub sla: Vec<Option<String>>,
}

async fn user_key(store: &Store, field: &'static str, s: &str) -> ApiResult<Option<UserId>> {
    Ok(store
        .resolve_user(field, s, "a user's login, me or none")
        .await?)
}

#[tauri::command]
pub async fn list_tickets(state: State<'_, AppState>, request: ListRequest) -> ApiResult<ListPage> {
    let store = &state.store;
    let started = std::time::Instant::now();
    let me = me(store).await?;
    let today = chrono::Local::now().date_naive();
    let mut q = match request.view.as_deref().filter(|v| !v.is_empty()) {
        // Overdue in business time: a deadline that rolls over a weekend or
        // holiday is not overdue before the working day it rolls to.
        Some("overdue") => {
            let cal = crate::schedule::firm_calendar(store).await.ok();
            View::parse("overdue")?.query(me, crate::schedule::overdue_cutoff(cal.as_ref(), today))
        }
        // Due this week in business time: effective deadlines from today to
        // the week's last working day (a Saturday deadline that rolls to
        // next Monday is next week's).
        Some("due-this-week") => {
            let cal = crate::schedule::firm_calendar(store).await.ok();
            let mut q = View::parse("due-this-week")?.query(me, today);
            let (from, to) = crate::schedule::this_week(cal.as_ref(), today);
            q.due_from = Some(from);
            q.due_to = Some(to);
            q
        }
        Some(v) => View::parse(v)?.query(me, today),
        None => ListQuery::default(),
    };
    q.text = request.text.filter(|t| !t.trim().is_empty());
    if !request.statuses.is_empty() {
        q.statuses = request.statuses;
    }
    if !request.priorities.is_empty() {
        q.priorities = request.priorities;
    }
    if let Some(a) = request.assignee.as_deref().filter(|a| !a.is_empty()) {
        q.assignee = Some(user_key(store, "assignee", a).await?);
    }
    if let Some(t) = request.team.as_deref().filter(|t| !t.is_empty()) {
        q.team = Some(unknown_team(store, t).await?);
    }
    q.category = request.category.filter(|c| !c.is_empty());
    if let Some(r) = request.requester.as_deref().filter(|r| !r.is_empty()) {
        q.requester = Some(match store.user(r).await {
            Ok(u) => u.id.to_string(),
            Err(_) => store
                .contact(r)
                .await
                .map_err(|_| Error::Unknown {
                    field: "requester",
                    value: r.into(),
                    accepted: "a user's login or a contact's name".into(),
                })?
                .id
                .to_string(),
        });
    }
    q.tag = request.tag.filter(|t| !t.is_empty());
    if let Some(d) = request.due_from.as_deref().filter(|d| !d.is_empty()) {
        q.due_from = Some(parse_date("due_from", d)?);
    }
    if let Some(d) = request.due_to.as_deref().filter(|d| !d.is_empty()) {
        q.due_to = Some(parse_date("due_to", d)?);
    }
    if let Some(s) = request.sort.as_deref() {
        q.sort = match s {
            "created" => Sort::Created,
            "due" => Sort::Due,
            "priority" => Sort::Priority,
            _ => q.sort,
        };
    }
    q.limit = request.limit;
    q.offset = request.offset;
    let prepared = started.elapsed();
    let rows = store.list(&q).await?;
    let listed = started.elapsed();
    let (total, capped) = if q.offset == 0 {
        let capped = match &q.text {
            Some(t) => store.text_capped(t).await?,
            _ => false,
        };
        (store.count(&q).await?, capped)
    } else {
        (-1, false)
    };
    // Timings only: no filter values, no text.
    tracing::debug!(
        prepare_ms = prepared.as_secs_f64() * 1e3,
        list_ms = (listed - prepared).as_secs_f64() * 1e3,
        count_ms = (started.elapsed() - listed).as_secs_f64() * 1e3,
        rows = rows.len(),
        "list page"
    );
    let now = chrono::Utc::now();
    let sla = match state.sla.read() {
        Ok(board) => rows
            .iter()
            .map(|r| {
                let id = r.id.parse::<guichet_domain::TicketId>().ok()?;
                crate::schedule::badge(board.get(&id)?, now).map(str::to_owned)
            })
            .collect(),
        Err(_) => vec![None; rows.len()],
    };
    Ok(ListPage {
        rows,
        total,
        capped,
        sla,
    })
}

#[derive(Debug, Serialize, TS)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub comments: Vec<Comment>,
    pub history: Vec<Event>,
    /// The statuses the workflow allows next.
    pub next_statuses: Vec<Status>,
    /// The ticket's links, with the other ticket's reference, title and status.
    pub links: Vec<LinkView>,
    /// Its SLA clocks and deadline, in business time.
    pub time: crate::time_api::TicketTime,
    /// Field changes made at the same time on two PCs (sync conflicts).
    pub conflicts: Vec<ConflictMark>,
    /// Attachments whose file is not on this PC yet (shared mode: it is
    /// downloaded by the sync engine), by hash.
    pub files_waiting: Vec<String>,
}

/// A change of the timeline that took part in a sync conflict.
#[derive(Debug, Serialize, TS)]
pub struct ConflictMark {
    pub event: guichet_domain::EventId,
    pub side: guichet_domain::ConflictSide,
}

#[derive(Debug, Serialize, TS)]
pub struct LinkView {
    pub kind: LinkKind,
    pub reference: String,
    pub title: String,
    pub status: Status,
}

#[tauri::command]
pub async fn ticket_detail(
    state: State<'_, AppState>,
    reference: String,
) -> ApiResult<TicketDetail> {
    let store = &state.store;
    let ticket = store.ticket(&reference).await?;
    let mut links = Vec::with_capacity(ticket.links.len());
    for l in &ticket.links {
        let other = store.ticket(&l.target.to_string()).await?;
        links.push(LinkView {
            kind: l.kind,
            reference: other.reference.to_string(),
            title: other.title,
            status: other.status,
        });
    }
    let history = store.history(&reference).await?;
    let time = crate::time_api::ticket_time(
        store,
        me(store).await?,
        &ticket,
        &history,
        chrono::Utc::now(),
    )
    .await;
    let conflicts = guichet_domain::conflicts(&history)
        .into_iter()
        .map(|(event, side)| ConflictMark { event, side })
        .collect();
    let files_waiting = ticket
        .attachments
        .iter()
        .filter(|a| !store.blob_path(&a.sha256).is_file())
        .map(|a| a.sha256.clone())
        .collect();
    Ok(TicketDetail {
        conflicts,
        files_waiting,
        links,
        next_statuses: store.workflow().next(ticket.status),
        comments: store.comments(&reference).await?,
        history,
        ticket,
        time,
    })
}

/// The new-ticket form as typed; names of people and teams, dates as text.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct NewTicketRequest {
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: Option<Priority>,
    pub assignee: Option<String>,
    pub team: Option<String>,
    pub requester: Option<String>,
    pub matter: Option<String>,
    pub due: Option<String>,
    pub tags: Vec<String>,
}

async fn requester(store: &Store, s: &str) -> ApiResult<Option<Party>> {
    Ok(store
        .resolve_requester(s, "a user's login or a contact's name")
        .await?)
}

async fn team_key(store: &Store, s: Option<&str>) -> ApiResult<Option<guichet_domain::TeamId>> {
    match s.map(str::trim) {
        None | Some("") | Some("none") => Ok(None),
        Some(t) => Ok(Some(unknown_team(store, t).await?)),
    }
}

/// A team by name; an unknown one is refused naming the field.
async fn unknown_team(store: &Store, name: &str) -> ApiResult<guichet_domain::TeamId> {
    store.team(name).await.map(|t| t.id).map_err(|e| match e {
        Error::NotFound { .. } => Error::Unknown {
            field: "team",
            value: name.into(),
            accepted: "the name of a team".into(),
        }
        .into(),
        other => other.into(),
    })
}

#[tauri::command]
pub async fn create_ticket(
    state: State<'_, AppState>,
    input: NewTicketRequest,
) -> ApiResult<Ticket> {
    let store = &state.store;
    let due = match input.due.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(parse_date("due", d)?),
    };
    let new = NewTicket {
        title: input.title,
        description: input.description,
        category: input.category,
        priority: input.priority,
        assignee: user_key(store, "assignee", input.assignee.as_deref().unwrap_or("")).await?,
        team: team_key(store, input.team.as_deref()).await?,
        requester: requester(store, input.requester.as_deref().unwrap_or("")).await?,
        matter: input.matter,
        due,
        tags: input.tags,
    };
    let t = store.create_ticket(me(store).await?, new).await?;
    // After the write: the scheduler's round must see it.
    state.changed();
    Ok(t)
}

/// One field changed from the detail view.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum TicketUpdate {
    Title(String),
    Description(String),
    Category(String),
    Priority(Priority),
    Status(Status),
    /// A login, `me`, or `none`.
    Assignee(String),
    Team(String),
    Requester(String),
    Matter(String),
    /// YYYY-MM-DD, or empty to clear.
    Due(String),
}

#[tauri::command]
pub async fn update_ticket(
    state: State<'_, AppState>,
    reference: String,
    update: TicketUpdate,
) -> ApiResult<Ticket> {
    let store = &state.store;
    let edit = match update {
        TicketUpdate::Title(v) => Edit::Title(v),
        TicketUpdate::Description(v) => Edit::Description(v),
        TicketUpdate::Category(v) => Edit::Category(v),
        TicketUpdate::Priority(v) => Edit::Priority(v),
        TicketUpdate::Status(v) => Edit::Status(v),
        TicketUpdate::Assignee(v) => Edit::Assignee(user_key(store, "assignee", &v).await?),
        TicketUpdate::Team(v) => Edit::Team(team_key(store, Some(&v)).await?),
        TicketUpdate::Requester(v) => Edit::Requester(requester(store, &v).await?),
        TicketUpdate::Matter(v) => Edit::Matter(Some(v)),
        TicketUpdate::Due(v) if v.trim().is_empty() => Edit::Due(None),
        TicketUpdate::Due(v) => Edit::Due(Some(parse_date("due", &v)?)),
    };
    let t = store
        .edit_ticket(me(store).await?, &reference, vec![edit])
        .await?;
    state.changed();
    Ok(t)
}

#[tauri::command]
pub async fn add_comment(
    state: State<'_, AppState>,
    reference: String,
    body: String,
    internal: bool,
) -> ApiResult<Event> {
    let store = &state.store;
    let visibility = if internal {
        Visibility::Internal
    } else {
        Visibility::Reply
    };
    let e = store
        .comment(me(store).await?, &reference, visibility, &body)
        .await?;
    state.changed();
    Ok(e)
}

#[tauri::command]
pub async fn attach_file(
    state: State<'_, AppState>,
    reference: String,
    path: String,
) -> ApiResult<guichet_domain::Attachment> {
    let store = &state.store;
    Ok(store
        .attach(me(store).await?, &reference, std::path::Path::new(&path))
        .await?)
}

/// A view the user saved: a built-in view plus the filter bar's settings
/// (kept as the UI's JSON, which the Rust side checks is an object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SavedView {
    pub name: String,
    pub view: String,
    pub filters: String,
}

const BUILTIN_VIEWS: [&str; 7] = [
    "mine",
    "unassigned",
    "overdue",
    "due-this-week",
    "waiting",
    "open",
    "all",
];

/// Checks a list of saved views: names present, at most 60 characters,
/// unique (ignoring case); a known built-in view; filters a JSON object.
pub fn check_saved_views(views: &[SavedView]) -> Result<(), guichet_domain::DomainError> {
    use guichet_domain::DomainError;
    let mut seen = std::collections::HashSet::new();
    for v in views {
        let name = v.name.trim();
        if name.is_empty() {
            return Err(DomainError::invalid(
                "view_name",
                "must not be empty",
                "1 to 60 characters",
            ));
        }
        if name.chars().count() > 60 {
            return Err(DomainError::invalid(
                "view_name",
                format!("is {} characters long", name.chars().count()),
                "1 to 60 characters",
            ));
        }
        if !seen.insert(name.to_lowercase()) {
            return Err(DomainError::invalid(
                "view_name",
                format!("'{name}' is already used"),
                "a name no other saved view has",
            ));
        }
        if !BUILTIN_VIEWS.contains(&v.view.as_str()) {
            return Err(DomainError::invalid(
                "view",
                format!("'{}' is not a view", v.view),
                BUILTIN_VIEWS.join(", "),
            ));
        }
        if !matches!(
            serde_json::from_str::<serde_json::Value>(&v.filters),
            Ok(serde_json::Value::Object(_))
        ) {
            return Err(DomainError::invalid(
                "filters",
                "is not a JSON object",
                "the filter bar's settings as a JSON object",
            ));
        }
    }
    Ok(())
}

#[tauri::command]
pub async fn saved_views(state: State<'_, AppState>) -> ApiResult<Vec<SavedView>> {
    let raw = state.store.setting("ui.saved_views").await?;
    // A damaged setting loses the saved views, not the app.
    Ok(raw
        .and_then(|r| serde_json::from_str(&r).ok())
        .unwrap_or_default())
}

/// Replaces the saved views with `views`, all or nothing.
#[tauri::command]
pub async fn save_views(
    state: State<'_, AppState>,
    views: Vec<SavedView>,
) -> ApiResult<Vec<SavedView>> {
    check_saved_views(&views)?;
    let views: Vec<SavedView> = views
        .into_iter()
        .map(|v| SavedView {
            name: v.name.trim().to_string(),
            ..v
        })
        .collect();
    let json = serde_json::to_string(&views).map_err(|e| ApiError {
        code: "internal".into(),
        field: None,
        message: e.to_string(),
    })?;
    state.store.set_setting("ui.saved_views", &json).await?;
    Ok(views)
}

/// Links the ticket to another one (related, parent, child, duplicate of).
#[tauri::command]
pub async fn link_ticket(
    state: State<'_, AppState>,
    reference: String,
    kind: LinkKind,
    target: String,
) -> ApiResult<Ticket> {
    let store = &state.store;
    if target.trim().is_empty() {
        return Err(guichet_domain::DomainError::invalid(
            "link",
            "no ticket given",
            "another ticket's reference, such as K7QX-42",
        )
        .into());
    }
    let t = store
        .link(me(store).await?, &reference, kind, target.trim(), true)
        .await?;
    state.changed();
    Ok(t)
}

/// Attaches a file chosen in the UI's file picker: the bytes arrive as the
/// raw request body, the ticket and the file name in headers (the name
/// percent-encoded). They go through a private temporary file into the same
/// content-addressed store as a dropped file, with the same size limit.
#[tauri::command]
pub async fn attach_upload(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> ApiResult<guichet_domain::Attachment> {
    let bad = |problem: &str| -> ApiError {
        guichet_domain::DomainError::invalid(
            "attachment",
            problem,
            "a file's bytes with x-reference and x-name headers",
        )
        .into()
    };
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(bad("the file's bytes are missing"));
    };
    let header = |k: &str| {
        request
            .headers()
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(percent_decode)
    };
    let reference = header("x-reference").ok_or_else(|| bad("no ticket given"))?;
    let raw_name = header("x-name").unwrap_or_default();
    let name = std::path::Path::new(&raw_name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| bad("the file has no name"))?;
    let store = &state.store;
    let max = store.attachment_max_bytes().await?;
    if bytes.len() as u64 > max {
        return Err(Error::Attachment(format!(
            "'{name}' is {} bytes; the limit is {max} bytes",
            bytes.len()
        ))
        .into());
    }
    let actor = me(store).await?;
    let dir = state
        .data_dir
        .join("tmp")
        .join(format!("upload-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let path = dir.join(&name);
    let result = async {
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        store.attach(actor, &reference, &path).await
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(result?)
}

// A SHA-256 as the store names blobs: 64 lowercase hexadecimal characters.
use guichet_store::is_sha256;

/// Decodes `%XX` escapes (as `encodeURIComponent` writes them); a `%` not
/// followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Opens an attachment with the system's viewer.
#[tauri::command]
pub async fn open_attachment(state: State<'_, AppState>, sha256: String) -> ApiResult<()> {
    // Checked before it becomes part of a path: anything but a hash could
    // point the system's opener at any file on the PC.
    if !is_sha256(&sha256) {
        return Err(guichet_domain::DomainError::invalid(
            "attachment",
            "is not an attachment's hash",
            "64 lowercase hexadecimal characters",
        )
        .into());
    }
    let path = state.store.blob_path(&sha256);
    if !path.exists() {
        return Err(guichet_domain::DomainError::invalid(
            "attachment",
            "is not on this PC yet",
            "a file already downloaded (the sync downloads it when the server is reachable)",
        )
        .into());
    }
    tauri_plugin_opener::open_path(&path, None::<&str>).map_err(|e| ApiError {
        code: "io".into(),
        field: None,
        message: e.to_string(),
    })
}

#[derive(Debug, Serialize, TS)]
pub struct Directory {
    pub users: Vec<User>,
    pub teams: Vec<Team>,
    pub categories: Vec<Category>,
}

#[tauri::command]
pub async fn directory(state: State<'_, AppState>) -> ApiResult<Directory> {
    let store = &state.store;
    Ok(Directory {
        users: store.users().await?,
        teams: store.teams().await?,
        categories: store.categories().await?,
    })
}

#[tauri::command]
pub async fn load_demo(state: State<'_, AppState>, tickets: u32) -> ApiResult<ImportReport> {
    let data = guichet_store::demo_jsonl(2026, tickets.min(200_000) as usize, 8);
    let report = state
        .store
        .import(&mut &data[..], guichet_store::Format::Jsonl)
        .await?;
    state.changed();
    Ok(report)
}

/// When `main` started, for the start-up figure of the benchmark.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The UI calls this once its first list is painted: the answer (and the
/// log line) is the start-up time in milliseconds since `main` began.
#[tauri::command]
pub fn ui_ready() -> u64 {
    let ms = STARTED
        .get()
        .map(|t| t.elapsed().as_millis() as u64)
        .unwrap_or(0);
    tracing::info!(startup_ms = ms, "first list painted");
    ms
}

#[cfg(test)]
mod tests {
    use super::{check_saved_views, percent_decode, SavedView};

    fn view(name: &str, base: &str, filters: &str) -> SavedView {
        SavedView {
            name: name.into(),
            view: base.into(),
            filters: filters.into(),
        }
    }

    #[test]
    fn saved_views_are_checked() {
        assert!(check_saved_views(&[
            view(
                "Fristen Steuer",
                "open",
                r#"{"category":"admin/tax-deadline"}"#
            ),
            view("Mes urgents", "mine", r#"{"priority":"urgent"}"#),
        ])
        .is_ok());
        let field = |vs: &[SavedView]| check_saved_views(vs).unwrap_err().field().to_string();
        assert_eq!(field(&[view("  ", "open", "{}")]), "view_name");
        assert_eq!(field(&[view(&"x".repeat(61), "open", "{}")]), "view_name");
        assert_eq!(
            field(&[view("A", "open", "{}"), view("a", "mine", "{}")]),
            "view_name"
        );
        assert_eq!(field(&[view("A", "everything", "{}")]), "view");
        assert_eq!(field(&[view("A", "open", "[1]")]), "filters");
        assert_eq!(field(&[view("A", "open", "{oops")]), "filters");
    }

    #[test]
    fn only_a_hash_names_an_attachment() {
        use super::is_sha256;
        assert!(is_sha256(&"ab".repeat(32)));
        assert!(!is_sha256(&"AB".repeat(32)));
        assert!(!is_sha256(&format!("/{}", "a".repeat(63))));
        assert!(!is_sha256(&"../".repeat(22)[..64]));
        assert!(!is_sha256("€"));
        assert!(!is_sha256(""));
    }

    #[test]
    fn percent_decoding_of_file_names() {
        assert_eq!(
            percent_decode("M%C3%A9moire%20final.pdf"),
            "Mémoire final.pdf"
        );
        assert_eq!(percent_decode("plain.txt"), "plain.txt");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zz"), "a%zz");
        assert_eq!(percent_decode("%41"), "A");
        assert_eq!(percent_decode("%é"), "%é");
    }
}
