// The one door from the UI to the Rust side. Components call `backend()`;
// tests and a web build can install another implementation with `setBackend`.
import { invoke } from "@tauri-apps/api/core";
import type {
  AppInfo, Attachment, Directory, Event, ImportReport, LinkKind, ListPage, ListRequest, SavedView,
  NewTicketRequest, Settings, Ticket, TicketDetail, TicketUpdate, SyncView, ConnectForm,
} from "./bindings";
import type { AgendaItem, NotificationSettings } from "./time";

export interface Backend {
  appInfo(): Promise<AppInfo>;
  saveSettings(settings: Settings): Promise<AppInfo>;
  listTickets(request: Partial<ListRequest>): Promise<ListPage>;
  ticketDetail(reference: string): Promise<TicketDetail>;
  createTicket(input: Partial<NewTicketRequest>): Promise<Ticket>;
  updateTicket(reference: string, update: TicketUpdate): Promise<Ticket>;
  addComment(reference: string, body: string, internal: boolean): Promise<Event>;
  attachFile(reference: string, path: string): Promise<Attachment>;
  /// A file from the file picker: its bytes go as the raw request body.
  attachUpload(reference: string, name: string, bytes: Uint8Array): Promise<Attachment>;
  linkTicket(reference: string, kind: LinkKind, target: string): Promise<Ticket>;
  savedViews(): Promise<SavedView[]>;
  /// Replaces all saved views, all or nothing.
  saveViews(views: SavedView[]): Promise<SavedView[]>;
  openAttachment(sha256: string): Promise<void>;
  directory(): Promise<Directory>;
  loadDemo(tickets: number): Promise<ImportReport>;
  /// Tells the Rust side the first list is painted; returns the milliseconds since the process started.
  uiReady(): Promise<number>;
  /// Four-eyes confirmation of the ticket's deadline by the local user.
  confirmDue(reference: string): Promise<void>;
  /// Open tickets with a deadline in the next `days` days (and overdue ones).
  agenda(days: number): Promise<AgendaItem[]>;
  /// The firm's time settings (calendar, SLA policies, reminders…) as pretty JSON.
  timeSettings(): Promise<string>;
  /// Saves the time settings; returns them as saved, pretty-printed.
  saveTimeSettings(json: string): Promise<string>;
  notificationSettings(): Promise<NotificationSettings>;
  saveNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings>;
  /// The date a deadline falls on once rolled over to the next working day.
  effectiveDeadline(date: string): Promise<string>;
  /// Whether Guichet starts with the session; setting it answers the new state.
  autostart(): Promise<boolean>;
  setAutostart(enabled: boolean): Promise<boolean>;
  /// Shared mode: local or shared, online/offline, changes waiting.
  syncStatus(): Promise<SyncView>;
  /// First start: keep the tickets on this PC only.
  chooseLocal(): Promise<void>;
  /// First start: make this PC a replica of the firm's server.
  connectServer(form: ConnectForm): Promise<SyncView>;
  signIn(password: string, remember: boolean): Promise<SyncView>;
  signOut(): Promise<SyncView>;
  changePassword(password: string): Promise<SyncView>;
}

/// Fills the fields a request may leave out, so the Rust side always gets a whole one.
export function fullListRequest(r: Partial<ListRequest>): ListRequest {
  return {
    view: null, text: null, statuses: [], priorities: [], assignee: null, team: null,
    category: null, requester: null, tag: null, due_from: null, due_to: null, sort: null,
    limit: 100, offset: 0, ...r,
  };
}

export const tauriBackend: Backend = {
  appInfo: () => invoke("app_info"),
  saveSettings: (settings) => invoke("save_settings", { settings }),
  listTickets: (request) => invoke("list_tickets", { request: fullListRequest(request) }),
  ticketDetail: (reference) => invoke("ticket_detail", { reference }),
  createTicket: (input) => invoke("create_ticket", { input }),
  updateTicket: (reference, update) => invoke("update_ticket", { reference, update }),
  addComment: (reference, body, internal) => invoke("add_comment", { reference, body, internal }),
  attachFile: (reference, path) => invoke("attach_file", { reference, path }),
  attachUpload: (reference, name, bytes) =>
    invoke("attach_upload", bytes, { headers: { "x-reference": encodeURIComponent(reference), "x-name": encodeURIComponent(name) } }),
  linkTicket: (reference, kind, target) => invoke("link_ticket", { reference, kind, target }),
  savedViews: () => invoke("saved_views"),
  saveViews: (views) => invoke("save_views", { views }),
  openAttachment: (sha256) => invoke("open_attachment", { sha256 }),
  directory: () => invoke("directory"),
  loadDemo: (tickets) => invoke("load_demo", { tickets }),
  uiReady: () => invoke("ui_ready"),
  confirmDue: (reference) => invoke("confirm_due", { reference }),
  agenda: (days) => invoke("agenda", { days }),
  timeSettings: () => invoke("time_settings"),
  saveTimeSettings: (json) => invoke("save_time_settings", { json }),
  notificationSettings: () => invoke("notification_settings"),
  saveNotificationSettings: (settings) => invoke("save_notification_settings", { settings }),
  effectiveDeadline: (date) => invoke("effective_deadline", { date }),
  autostart: () => invoke("autostart"),
  setAutostart: (enabled) => invoke("set_autostart", { enabled }),
  syncStatus: () => invoke("sync_status"),
  chooseLocal: () => invoke("choose_local"),
  connectServer: (form) => invoke("connect_server", { form }),
  signIn: (password, remember) => invoke("sign_in", { password, remember }),
  signOut: () => invoke("sign_out"),
  changePassword: (password) => invoke("change_password", { password }),
};

let current: Backend = tauriBackend;

export function backend(): Backend {
  return current;
}

export function setBackend(b: Backend): void {
  current = b;
}

/// Errors from `invoke` arrive as the serialised ApiError; anything else is wrapped.
export function asApiError(e: unknown): { code: string; field: string | null; message: string } {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: string; field?: string | null; message: string };
    return { code: o.code, field: o.field ?? null, message: o.message };
  }
  return { code: "internal", field: null, message: String(e) };
}
