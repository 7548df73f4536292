import { describe, expect, it } from "vitest";
import { asApiError, backend, fullListRequest, setBackend, tauriBackend, type Backend } from "../src/lib/backend";
import { describeEvent } from "../src/lib/timeline";
import type { Event } from "../src/lib/bindings";

describe("backend interface", () => {
  it("can be swapped, for tests and a web build", () => {
    const fake = { ...tauriBackend, appInfo: async () => ({ replica: "TEST" }) } as unknown as Backend;
    setBackend(fake);
    expect(backend()).toBe(fake);
    setBackend(tauriBackend);
    expect(backend()).toBe(tauriBackend);
  });

  it("completes list requests", () => {
    const r = fullListRequest({ view: "mine" });
    expect(r.view).toBe("mine");
    expect(r.statuses).toEqual([]);
    expect(r.limit).toBe(100);
  });

  it("reads the serialised error of a command, and wraps anything else", () => {
    expect(asApiError({ code: "invalid", field: "title", message: "m" })).toEqual({ code: "invalid", field: "title", message: "m" });
    expect(asApiError("boom")).toEqual({ code: "internal", field: null, message: "boom" });
  });
});

describe("timeline", () => {
  const base = { id: "e", ticket: "t", actor: "u", hlc: "0", at: "2026-11-28T10:00:00Z" };
  const name = (id: string | null) => (id === "u" ? "Anne" : id === "v" ? "Jonas" : "nobody");
  const cat = (k: string) => k;

  it("tells replies, internal notes, status changes, assignments and attachments apart by label", () => {
    const reply = describeEvent({ ...base, type: "commented", visibility: "reply", body: "Bonjour" } as Event, "fr", name, cat);
    const note = describeEvent({ ...base, type: "commented", visibility: "internal", body: "interne" } as Event, "fr", name, cat);
    const status = describeEvent({ ...base, type: "changed", field: "status", old: "new", new: "open" } as Event, "de", name, cat);
    const assign = describeEvent({ ...base, type: "changed", field: "assignee", old: "u", new: "v" } as Event, "en", name, cat);
    const att = describeEvent({ ...base, type: "attachment_added", attachment: { sha256: "x", name: "acte.pdf", size: 3, mime: "application/pdf" } } as Event, "en", name, cat);
    expect(reply).toMatchObject({ kind: "reply", body: "Bonjour" });
    expect(reply.label).toContain("Réponse");
    expect(note).toMatchObject({ kind: "internal", body: "interne" });
    expect(note.label).toContain("Note interne");
    expect(status.label).toContain("Neu → Offen");
    expect(assign.label).toContain("Anne → Jonas");
    expect(att.label).toContain("acte.pdf");
    expect(new Set([reply.kind, note.kind, status.kind, assign.kind, att.kind]).size).toBe(5);
  });

  it("describes a confirmed deadline and an escalation, in every language", () => {
    const confirmed = { ...base, type: "due_confirmed", due: "2027-03-31" } as unknown as Event;
    expect(describeEvent(confirmed, "en", name, cat)).toMatchObject({ kind: "deadline", body: null });
    expect(describeEvent(confirmed, "en", name, cat).label).toContain("Deadline 31/03/2027 confirmed");
    expect(describeEvent(confirmed, "fr", name, cat).label).toContain("Échéance du 31/03/2027 confirmée");
    expect(describeEvent(confirmed, "de", name, cat).label).toContain("Frist 31.03.2027 bestätigt");

    const escalated = { ...base, type: "escalated", reason: "resolution_breached", notified: ["u", "v"] } as unknown as Event;
    const en = describeEvent(escalated, "en", name, cat);
    expect(en.kind).toBe("escalation");
    expect(en.label).toContain("Escalated: resolution target breached; notified: Anne, Jonas");
    expect(describeEvent(escalated, "fr", name, cat).label).toContain("Escaladé : délai de résolution dépassé ; personnes prévenues : Anne, Jonas");
    expect(describeEvent(escalated, "de", name, cat).label).toContain("Eskaliert: Lösungsfrist überschritten; benachrichtigt: Anne, Jonas");

    const missed = { ...base, type: "escalated", reason: "deadline_missed", notified: [] } as unknown as Event;
    expect(describeEvent(missed, "en", name, cat).label).toContain("Escalated: deadline missed");
    expect(describeEvent(missed, "en", name, cat).label).not.toContain("notified");
    const odd = { ...base, type: "escalated", reason: "something_new", notified: ["v"] } as unknown as Event;
    expect(describeEvent(odd, "de", name, cat).label).toContain("Eskaliert: something_new; benachrichtigt: Jonas");
  });
});
