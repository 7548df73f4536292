// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p guichet-desktop bindings`. Do not edit.

export type TicketId = string;

export type EventId = string;

export type UserId = string;

export type TeamId = string;

export type ContactId = string;

export type Hlc = string;

export type TicketRef = string;

export type Status = "new" | "open" | "in_progress" | "waiting" | "resolved" | "closed";

export type Priority = "low" | "normal" | "high" | "urgent";

export type LinkKind = "related" | "parent" | "child" | "duplicate_of";

export type Visibility = "reply" | "internal";

export type Field = "title" | "description" | "category" | "priority" | "status" | "assignee" | "team" | "requester" | "matter" | "due";

export type Party = { "kind": "user", "id": UserId } | { "kind": "contact", "id": ContactId };

export type Link = { kind: LinkKind, target: TicketId, };

export type Attachment = { sha256: string, name: string, size: number, mime: string, };

export type Ticket = { id: TicketId, reference: TicketRef, title: string, description: string, category: string, priority: Priority, status: Status, assignee: UserId | null, team: TeamId | null, requester: Party | null, matter: string | null, due: string | null, tags: Array<string>, watchers: Array<UserId>, links: Array<Link>, attachments: Array<Attachment>, comments: number, created_at: string, created_by: UserId, updated_at: string, 
/**
 * For each overwritten field, the clock of the event that last set it.
 */
clocks: Partial<Record<Field, string>>, };

export type Event = { id: EventId, ticket: TicketId, actor: UserId, hlc: Hlc, at: string, } & ({ "type": "created" } & NewTicketData | { "type": "changed" } & Change | { "type": "tag_added", tag: string, } | { "type": "tag_removed", tag: string, } | { "type": "watcher_added", user: UserId, } | { "type": "watcher_removed", user: UserId, } | { "type": "link_added", link: Link, } | { "type": "link_removed", link: Link, } | { "type": "commented", visibility: Visibility, body: string, } | { "type": "attachment_added", attachment: Attachment, } | { "type": "due_confirmed", due: string, } | { "type": "escalated", reason: EscalationReason, notified: Array<UserId>, });

export type EventKind = { "type": "created" } & NewTicketData | { "type": "changed" } & Change | { "type": "tag_added", tag: string, } | { "type": "tag_removed", tag: string, } | { "type": "watcher_added", user: UserId, } | { "type": "watcher_removed", user: UserId, } | { "type": "link_added", link: Link, } | { "type": "link_removed", link: Link, } | { "type": "commented", visibility: Visibility, body: string, } | { "type": "attachment_added", attachment: Attachment, } | { "type": "due_confirmed", due: string, } | { "type": "escalated", reason: EscalationReason, notified: Array<UserId>, };

export type NewTicketData = { reference: TicketRef, title: string, description: string, category: string, priority: Priority, status: Status, assignee: UserId | null, team: TeamId | null, requester: Party | null, matter: string | null, due: string | null, tags: Array<string>, };

export type Change = { "field": "title", old: string, new: string, } | { "field": "description", old: string, new: string, } | { "field": "category", old: string, new: string, } | { "field": "priority", old: Priority, new: Priority, } | { "field": "status", old: Status, new: Status, } | { "field": "assignee", old: UserId | null, new: UserId | null, } | { "field": "team", old: TeamId | null, new: TeamId | null, } | { "field": "requester", old: Party | null, new: Party | null, } | { "field": "matter", old: string | null, new: string | null, } | { "field": "due", old: string | null, new: string | null, };

export type User = { id: UserId, login: string, name: string, email: string | null, active: boolean, };

export type Team = { id: TeamId, name: string, members: Array<UserId>, 
/**
 * The team lead: the second person escalations reach.
 */
lead: UserId | null, };

export type Category = { key: string, parent: string | null, name_en: string, name_fr: string, name_de: string, confidential: boolean, };

export type TicketSummary = { id: string, reference: string, title: string, category: string, priority: Priority, status: Status, assignee: string | null, team: string | null, due: string | null, comments: number, updated_at: string, };

export type Comment = { event_id: string, visibility: Visibility, body: string, author: string, at: string, };

export type ImportReport = { categories: number, users: number, teams: number, contacts: number, tickets: number, events: number, 
/**
 * Events that were already in the store (same id) and were left alone.
 */
already_present: number, };

export type ApiError = { code: string, field: string | null, message: string, };

export type Settings = { 
/**
 * The local user's display name.
 */
name: string, 
/**
 * `fr`, `de`, `en`, or empty to follow the operating system.
 */
language: string, 
/**
 * `light`, `dark` or `system`.
 */
theme: string, };

export type AppInfo = { user: User, settings: Settings, os_language: string, replica: string, data_dir: string, };

export type ListRequest = { 
/**
 * mine, unassigned, overdue, due-this-week, waiting, open; empty for all.
 */
view: string | null, text: string | null, statuses: Array<Status>, priorities: Array<Priority>, 
/**
 * A login, `me`, or `none`.
 */
assignee: string | null, team: string | null, category: string | null, requester: string | null, tag: string | null, due_from: string | null, due_to: string | null, 
/**
 * updated, created, due, priority.
 */
sort: string | null, limit: number, offset: number, };

export type ListPage = { rows: Array<TicketSummary>, 
/**
 * All tickets the filters find, for the scroll bar; counted for the
 * first page only (offset 0), -1 for the others.
 */
total: number, 
/**
 * A text search with filters looked only at the newest matches (see
 * `guichet_store::TEXT_CANDIDATES`): the UI asks to refine it.
 */
capped: boolean, 
/**
 * Per row, its SLA badge: breached, warning, paused, or none (on time,
 * met, or no clock).
 */
sla: Array<string | null>, };

export type LinkView = { kind: LinkKind, reference: string, title: string, status: Status, };

export type SavedView = { name: string, view: string, filters: string, };

export type TicketDetail = { ticket: Ticket, comments: Array<Comment>, history: Array<Event>, 
/**
 * The statuses the workflow allows next.
 */
next_statuses: Array<Status>, 
/**
 * The ticket's links, with the other ticket's reference, title and status.
 */
links: Array<LinkView>, 
/**
 * Its SLA clocks and deadline, in business time.
 */
time: TicketTime, 
/**
 * Field changes made at the same time on two PCs (sync conflicts).
 */
conflicts: Array<ConflictMark>, 
/**
 * Attachments whose file is not on this PC yet (shared mode: it is
 * downloaded by the sync engine), by hash.
 */
files_waiting: Array<string>, };

export type NewTicketRequest = { title: string, description: string, category: string, priority: Priority | null, assignee: string | null, team: string | null, requester: string | null, matter: string | null, due: string | null, tags: Array<string>, };

export type TicketUpdate = { "field": "title", "value": string } | { "field": "description", "value": string } | { "field": "category", "value": string } | { "field": "priority", "value": Priority } | { "field": "status", "value": Status } | { "field": "assignee", "value": string } | { "field": "team", "value": string } | { "field": "requester", "value": string } | { "field": "matter", "value": string } | { "field": "due", "value": string };

export type Directory = { users: Array<User>, teams: Array<Team>, categories: Array<Category>, };

export type EscalationReason = "first_response_warning" | "first_response_breached" | "resolution_warning" | "resolution_breached" | "deadline_missed";

export type TargetView = { 
/**
 * running, paused, warning, breached, met, met_late
 */
state: string, target_minutes: number, elapsed_minutes: number, 
/**
 * When it breaches if nothing happens (while running), RFC 3339.
 */
due_at: string | null, };

export type SlaView = { first_response: TargetView, resolution: TargetView, };

export type DeadlineView = { due: string, effective: string, 
/**
 * The due date fell on a weekend or holiday and moved.
 */
rolled: boolean, overdue: boolean, 
/**
 * The category asks for a second person's confirmation.
 */
four_eyes: boolean, set_by: string, confirmed_by: string | null, 
/**
 * The local user may confirm it now.
 */
can_confirm: boolean, };

export type TicketTime = { sla: SlaView | null, deadline: DeadlineView | null, };

export type AgendaItem = { reference: string, title: string, due: string, effective: string, status: Status, assignee: string | null, overdue: boolean, };

export type NotificationSettings = { 
/**
 * The kinds switched on.
 */
kinds: Array<string>, 
/**
 * All kinds there are.
 */
all_kinds: Array<string>, 
/**
 * Quiet hours as HH:MM, both or neither.
 */
quiet_start: string | null, quiet_end: string | null, 
/**
 * Paused (do not disturb) until then, RFC 3339.
 */
paused_until: string | null, };

export type ConflictSide = "kept" | "overwritten";

export type ConflictMark = { event: EventId, side: ConflictSide, };

export type SyncView = { 
/**
 * `unset` (first start: not chosen yet), `local` or `shared`.
 */
mode: string, 
/**
 * `starting`, `syncing`, `online`, `offline`, `logged_out` (shared only).
 */
state: string | null, 
/**
 * When offline: since when (RFC 3339); when online: the last round.
 */
since: string | null, 
/**
 * Local changes waiting for the server.
 */
pending: number, 
/**
 * Changes the server refused, with its reasons.
 */
refused: Array<string>, 
/**
 * The server (without password) and the login, in shared mode.
 */
server: string | null, login: string | null, };

export type ConnectForm = { 
/**
 * `host[:port]/database`, or a `postgres://` URL without password
 * (`?sslmode=verify-full&sslrootcert=…` for TLS).
 */
server: string, login: string, password: string, 
/**
 * Keep the password in the OS keychain.
 */
remember: boolean, };
