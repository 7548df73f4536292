import { describe, expect, it } from "vitest";
import { formatMinutes, remainingText, slaStateLabel, groupAgenda, isOverdue, todayIso, kindLabel, ticketTime, formatDay, type AgendaItem, type TargetView } from "../src/lib/time";
import type { TicketDetail } from "../src/lib/bindings";

describe("business time", () => {
  it("formats minutes as hours and minutes in each language", () => {
    expect(formatMinutes(135, "en")).toBe("2 h 15 min");
    expect(formatMinutes(60, "en")).toBe("1 h");
    expect(formatMinutes(45, "fr")).toBe("45 min");
    expect(formatMinutes(0, "en")).toBe("0 min");
    expect(formatMinutes(-90, "de")).toBe("1 Std. 30 Min.");
    expect(formatMinutes(120, "de")).toBe("2 Std.");
  });

  const target = (state: string, target_minutes: number, elapsed_minutes: number): TargetView => ({ state, target_minutes, elapsed_minutes, due_at: null });

  it("tells the time left, or by how much a target is breached", () => {
    expect(remainingText(target("running", 240, 105), "en")).toBe("2 h 15 min left");
    expect(remainingText(target("warning", 60, 50), "fr")).toBe("reste 10 min");
    expect(remainingText(target("breached", 480, 540), "en")).toBe("breached by 1 h");
    expect(remainingText(target("breached", 480, 540), "de")).toBe("um 1 Std. überschritten");
    expect(remainingText(target("breached", 480, 480), "en")).toBe("breached by 0 min");
    expect(remainingText(target("met", 480, 100), "en")).toBe("");
    expect(remainingText(target("met_late", 480, 600), "en")).toBe("");
  });

  it("labels each state with words and an icon", () => {
    expect(slaStateLabel("running", "en")).toContain("On time");
    expect(slaStateLabel("warning", "fr")).toContain("Menacé");
    expect(slaStateLabel("met_late", "de")).toContain("Verspätet eingehalten");
    expect(slaStateLabel("breached", "en")).toMatch(/^\S+ Breached$/);
    expect(slaStateLabel("odd", "en")).toContain("odd");
  });

  it("reads the time of a detail whether or not the bindings know it", () => {
    expect(ticketTime({} as TicketDetail)).toBeNull();
    const time = { sla: null, deadline: null };
    expect(ticketTime({ time } as unknown as TicketDetail)).toBe(time);
  });
});

describe("overdue rows", () => {
  it("takes today's local date", () => {
    expect(todayIso(new Date(2027, 0, 5, 23, 59))).toBe("2027-01-05");
  });

  it("marks open tickets due before today", () => {
    expect(isOverdue("2027-01-04", "open", "2027-01-05")).toBe(true);
    expect(isOverdue("2027-01-05", "open", "2027-01-05")).toBe(false);
    expect(isOverdue(null, "open", "2027-01-05")).toBe(false);
    expect(isOverdue("2027-01-04", "closed", "2027-01-05")).toBe(false);
    expect(isOverdue("2027-01-04", "resolved", "2027-01-05")).toBe(false);
  });
});

describe("agenda", () => {
  const item = (reference: string, due: string, effective: string): AgendaItem =>
    ({ reference, title: reference, due, effective, status: "open", assignee: null, overdue: false });

  it("groups by effective date, days in order, items in the order received", () => {
    const days = groupAgenda([
      item("A", "2027-03-06", "2027-03-08"), // a Saturday, moved to Monday
      item("B", "2027-03-01", "2027-03-01"),
      item("C", "2027-03-08", "2027-03-08"),
    ]);
    expect(days.map((d) => d.date)).toEqual(["2027-03-01", "2027-03-08"]);
    expect(days[1].items.map((i) => i.reference)).toEqual(["A", "C"]);
    expect(groupAgenda([])).toEqual([]);
  });

  it("heads each day in the UI's language", () => {
    expect(formatDay("en", "2027-03-08")).toContain("Monday");
    expect(formatDay("fr", "2027-03-08")).toContain("lundi");
    expect(formatDay("de", "2027-03-08")).toContain("Montag");
  });
});

describe("notification kinds", () => {
  it("are translated, and an unknown one shows as it is", () => {
    expect(kindLabel("sla_breach", "fr")).toBe("Délai de traitement dépassé");
    expect(kindLabel("summary", "de")).toBe("Tägliche Zusammenfassung");
    expect(kindLabel("carrier_pigeon", "en")).toBe("carrier_pigeon");
  });
});
