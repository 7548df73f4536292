// Service levels, deadlines, the agenda and notification settings: the types
// the Rust side sends (generated into bindings.ts) and the pure helpers that
// shape them for display, unit-tested.
import type { AgendaItem, DeadlineView, NotificationSettings, SlaView, Status, TargetView, TicketDetail, TicketTime } from "./bindings";
export type { AgendaItem, DeadlineView, NotificationSettings, SlaView, TargetView, TicketTime };
import { translate, type Lang } from "./i18n.svelte";
import type { MessageKey } from "./messages";


/// The SLA and deadline of a ticket's detail (absent in an older backend).
export function ticketTime(d: TicketDetail): TicketTime | null {
  return d.time ?? null;
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
