// How each event of a ticket's history reads in the timeline. Replies,
// internal notes, status changes, assignments and attachments are told apart
// by a label (and an icon), not by colour alone.
import type { Event } from "./bindings";
import { formatDate, translate, type Lang } from "./i18n.svelte";
import type { MessageKey } from "./messages";

export type EventClass = "created" | "reply" | "internal" | "status" | "assignment" | "attachment" | "change" | "tag" | "deadline" | "escalation" | "other";

export interface Described {
  kind: EventClass;
  label: string;
  body: string | null;
}

export function describeEvent(ev: Event, lang: Lang, userName: (id: string | null) => string, catName: (key: string) => string): Described {
  const tr = (k: MessageKey, p: Record<string, string> = {}) => translate(lang, k, p);
  // Kinds bindings.ts may not know yet: read through a narrow cast, which
  // type-checks before and after the bindings are regenerated.
  const x = ev as unknown as { type: string; due?: string; reason?: string; notified?: string[] };
  if (x.type === "due_confirmed") {
    return { kind: "deadline", label: "✔ " + tr("timeline.due_confirmed", { due: formatDate(lang, x.due) || "—" }), body: null };
  }
  if (x.type === "escalated") {
    const key = `escalation.${x.reason}` as MessageKey;
    const reasonText = translate(lang, key);
    const reason = reasonText === key ? String(x.reason ?? "") : reasonText;
    const names = (x.notified ?? []).map((id) => userName(id));
    return {
      kind: "escalation",
      label: "⚑ " + (names.length ? tr("timeline.escalated", { reason, names: names.join(", ") }) : tr("timeline.escalated_plain", { reason })),
      body: null,
    };
  }
  switch (ev.type) {
    case "created":
      return { kind: "created", label: "✚ " + tr("timeline.created"), body: null };
    case "commented":
      return ev.visibility === "internal"
        ? { kind: "internal", label: "🔒 " + tr("timeline.internal"), body: ev.body }
        : { kind: "reply", label: "💬 " + tr("timeline.reply"), body: ev.body };
    case "changed":
      if (ev.field === "status") {
        return { kind: "status", label: "⇄ " + tr("timeline.status", { old: tr(`status.${ev.old}` as MessageKey), new: tr(`status.${ev.new}` as MessageKey) }), body: null };
      }
      if (ev.field === "assignee") {
        return { kind: "assignment", label: "👤 " + tr("timeline.assignee", { old: userName(ev.old), new: userName(ev.new) }), body: null };
      }
      if (ev.field === "priority") {
        return { kind: "change", label: "✎ " + tr("timeline.field", { field: tr("ticket.priority"), old: tr(`priority.${ev.old}` as MessageKey), new: tr(`priority.${ev.new}` as MessageKey) }), body: null };
      }
      if (ev.field === "category") {
        return { kind: "change", label: "✎ " + tr("timeline.field", { field: tr("ticket.category"), old: catName(ev.old), new: catName(ev.new) }), body: null };
      }
      return { kind: "change", label: "✎ " + tr("timeline.field", { field: fieldName(lang, ev.field), old: show(ev.old), new: show(ev.new) }), body: null };
    case "tag_added":
      return { kind: "tag", label: "🏷 " + tr("timeline.tag_added", { tag: ev.tag }), body: null };
    case "tag_removed":
      return { kind: "tag", label: "🏷 " + tr("timeline.tag_removed", { tag: ev.tag }), body: null };
    case "attachment_added":
      return { kind: "attachment", label: "📎 " + tr("timeline.attachment", { name: ev.attachment.name }), body: null };
    case "link_added":
    case "link_removed":
      return { kind: "other", label: "🔗 " + tr("timeline.link"), body: null };
    default:
      return { kind: "other", label: tr("timeline.watcher"), body: null };
  }
}

function fieldName(lang: Lang, field: string): string {
  const key = `ticket.${field}` as MessageKey;
  const s = translate(lang, key);
  return s === key ? field : s;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
