// Saved views, filters and per-category defaults: pure logic, unit-tested.
import type { ListRequest, NewTicketRequest, Priority, SavedView, Status } from "./bindings";
import type { MessageKey } from "./messages";

export const BUILTIN_VIEWS = ["mine", "unassigned", "overdue", "due-this-week", "waiting", "open", "all"] as const;
export type ViewName = (typeof BUILTIN_VIEWS)[number];

export function viewLabel(v: ViewName): MessageKey {
  return `view.${v}` as MessageKey;
}

export const STATUSES: Status[] = ["new", "open", "in_progress", "waiting", "resolved", "closed"];
export const PRIORITIES: Priority[] = ["low", "normal", "high", "urgent"];

/// What the user set in the filter bar; empty strings mean "any".
export interface Filters {
  text: string;
  status: Status | "";
  priority: Priority | "";
  category: string;
  assignee: string;
  team: string;
  requester: string;
  tag: string;
  dueFrom: string;
  dueTo: string;
  sort: "" | "updated" | "created" | "due" | "priority";
}

export function emptyFilters(): Filters {
  return { text: "", status: "", priority: "", category: "", assignee: "", team: "", requester: "", tag: "", dueFrom: "", dueTo: "", sort: "" };
}

export function activeFilterCount(f: Filters): number {
  const { text: _text, sort: _sort, ...rest } = f;
  return Object.values(rest).filter((v) => v !== "").length;
}

/// A search needs this many characters: one letter matches nearly every
/// ticket and would only slow the list down while the user types on.
export const MIN_SEARCH_CHARS = 2;

/// The search text a request carries, or null while it is too short.
export function searchText(text: string): string | null {
  const t = text.trim();
  return [...t].length >= MIN_SEARCH_CHARS ? t : null;
}

/// The list request for a view plus the filter bar, for one page.
export function buildRequest(view: ViewName, f: Filters, offset: number, limit: number): Partial<ListRequest> {
  const none = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    view: view === "all" ? null : view,
    text: searchText(f.text),
    statuses: f.status ? [f.status] : [],
    priorities: f.priority ? [f.priority] : [],
    category: none(f.category),
    assignee: none(f.assignee),
    team: none(f.team),
    requester: none(f.requester),
    tag: none(f.tag),
    due_from: none(f.dueFrom),
    due_to: none(f.dueTo),
    sort: f.sort === "" ? null : f.sort,
    offset,
    limit,
  };
}

/// Defaults the new-ticket form takes from the chosen category: deadlines are
/// urgent business, IT requests go to the IT team.
export function categoryDefaults(category: string): Partial<NewTicketRequest> {
  if (category === "admin/court-deadline" || category === "admin/tax-deadline") return { priority: "high" };
  if (category === "it" || category.startsWith("it/")) return { team: "IT", priority: "normal" };
  if (category === "hr" || category.startsWith("hr/")) return { priority: "normal" };
  return {};
}

/// Splits "a, b ,c" into tags, dropping empties.
export function parseTags(s: string): string[] {
  return s.split(",").map((t) => t.trim()).filter((t) => t !== "");
}

/// A saved view as the Rust side keeps it: the base view and the filter bar,
/// without the search text (a saved view is a place, not a query typed once).
export function toSavedView(name: string, view: ViewName, f: Filters): SavedView {
  const { text: _text, ...rest } = f;
  return { name: name.trim(), view, filters: JSON.stringify(rest) };
}

/// The view and filters a saved view restores; unknown or damaged parts fall
/// back to the defaults, so an old saved view never breaks the list.
export function fromSavedView(s: SavedView): { view: ViewName; filters: Filters } {
  const view = (BUILTIN_VIEWS as readonly string[]).includes(s.view) ? (s.view as ViewName) : "open";
  let parsed: Record<string, unknown> = {};
  try {
    const v = JSON.parse(s.filters);
    if (v && typeof v === "object" && !Array.isArray(v)) parsed = v;
  } catch {
    // keep the defaults
  }
  const filters = emptyFilters();
  for (const k of Object.keys(filters) as (keyof Filters)[]) {
    if (k !== "text" && typeof parsed[k] === "string") (filters as unknown as Record<string, string>)[k] = parsed[k] as string;
  }
  return { view, filters };
}
