// Service levels, deadlines, the agenda and notification settings: the types
// the Rust side sends (until bindings.ts is regenerated with them) and the
// pure helpers that shape them for display, unit-tested.
import type { Status, TicketDetail } from "./bindings";
import { translate, type Lang } from "./i18n.svelte";
import type { MessageKey } from "./messages";

export interface TargetView { state: string /* running|paused|warning|breached|met|met_late */; target_minutes: number; elapsed_minutes: number; due_at: string | null /* RFC 3339 */ }
export interface SlaView { first_response: TargetView; resolution: TargetView }
export interface DeadlineView { due: string /* YYYY-MM-DD as entered */; effective: string /* after rollover to the next working day */; rolled: boolean; overdue: boolean; four_eyes: boolean /* category needs a 2nd person's confirmation */; set_by: string /* name */; confirmed_by: string | null /* name */; can_confirm: boolean }
export interface TicketTime { sla: SlaView | null; deadline: DeadlineView | null }
export interface AgendaItem { reference: string; title: string; due: string; effective: string; status: Status; assignee: string | null; overdue: boolean }
export interface NotificationSettings { kinds: string[] /* enabled */; all_kinds: string[] /* assigned, reply, note, mention, reminder, sla_warning, sla_breach, deadline_missed, escalation, summary */; quiet_start: string | null /* HH:MM */; quiet_end: string | null; paused_until: string | null /* RFC 3339 */ }

/// The SLA and deadline of a ticket's detail. A narrow cast: it type-checks
/// whether or not bindings.ts already has `TicketDetail.time`.
export function ticketTime(d: TicketDetail): TicketTime | null {
  return (d as unknown as { time?: TicketTime | null }).time ?? null;
}

/// Business minutes as "2 h 15 min", "1 h", "45 min" (the sign is dropped).
export function formatMinutes(m: number, lang: Lang): string {
  const abs = Math.abs(Math.round(m));
  const h = Math.floor(abs / 60);
  const min = abs % 60;
  if (h === 0) return translate(lang, "time.minutes", { m: min });
  if (min === 0) return translate(lang, "time.hours", { h });
  return translate(lang, "time.hours_minutes", { h, m: min });
}

export const SLA_STATES = ["running", "paused", "warning", "breached", "met", "met_late"] as const;

/// The label of a target's state, with an icon so it never rests on colour alone.
export function slaStateLabel(state: string, lang: Lang): string {
  const icons: Record<string, string> = { running: "◷", paused: "⏸", warning: "⚠", breached: "✖", met: "✔", met_late: "✔" };
  const key = `sla.state.${state}` as MessageKey;
  const text = translate(lang, key);
  return `${icons[state] ?? "•"} ${text === key ? state : text}`;
}

/// "2 h 15 min left" or "breached by 1 h" while a target runs; nothing once met.
export function remainingText(t: TargetView, lang: Lang): string {
  if (t.state === "met" || t.state === "met_late") return "";
  const left = t.target_minutes - t.elapsed_minutes;
  if (left < 0 || t.state === "breached") return translate(lang, "sla.over", { time: formatMinutes(Math.min(left, 0), lang) });
  return translate(lang, "sla.left", { time: formatMinutes(left, lang) });
}

/// Today's date in local time as YYYY-MM-DD.
export function todayIso(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/// A list row is overdue when its due date is before today and it is still open.
export function isOverdue(due: string | null, status: Status, today: string): boolean {
  return !!due && due < today && status !== "resolved" && status !== "closed";
}

export interface AgendaDay { date: string; items: AgendaItem[] }

/// The agenda grouped by effective date, the days in order, the items of a
/// day in the order the Rust side sent them.
export function groupAgenda(items: AgendaItem[]): AgendaDay[] {
  const byDate = new Map<string, AgendaItem[]>();
  for (const it of items) {
    const day = byDate.get(it.effective);
    if (day) day.push(it);
    else byDate.set(it.effective, [it]);
  }
  return [...byDate.keys()].sort().map((date) => ({ date, items: byDate.get(date)! }));
}

/// A day heading in the UI's language, e.g. "Monday 1 March 2027".
export function formatDay(lang: Lang, iso: string): string {
  const locales: Record<Lang, string> = { en: "en-GB", fr: "fr-FR", de: "de-DE" };
  return new Intl.DateTimeFormat(locales[lang], { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(new Date(iso + "T00:00:00"));
}

/// The label of a notification kind; an unknown kind shows as it is.
export function kindLabel(kind: string, lang: Lang): string {
  const key = `notify.kind.${kind}` as MessageKey;
  const s = translate(lang, key);
  return s === key ? kind : s;
}
