// Saved views, filters and per-category defaults: pure logic, unit-tested.
import type { ListRequest, NewTicketRequest, Priority, Status } from "./bindings";
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

/// The list request for a view plus the filter bar, for one page.
export function buildRequest(view: ViewName, f: Filters, offset: number, limit: number): Partial<ListRequest> {
  const none = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    view: view === "all" ? null : view,
    text: none(f.text),
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
