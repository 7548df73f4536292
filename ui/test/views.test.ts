import { describe, expect, it } from "vitest";
import { buildRequest, emptyFilters, activeFilterCount, categoryDefaults, parseTags, BUILTIN_VIEWS, toSavedView, fromSavedView } from "../src/lib/views";
import { visibleWindow, pagesFor, moveSelection, scrollToShow, MAX_WINDOW_ROWS } from "../src/lib/virtual";

describe("views and filters", () => {
  it("offers the built-in views", () => {
    expect(BUILTIN_VIEWS).toEqual(["mine", "unassigned", "overdue", "due-this-week", "waiting", "open", "all"]);
  });

  it("turns a view and filters into a list request", () => {
    const f = { ...emptyFilters(), text: " délai ", status: "waiting" as const, assignee: "me", dueTo: "2027-01-31" };
    const r = buildRequest("mine", f, 200, 100);
    expect(r.view).toBe("mine");
    expect(r.text).toBe("délai");
    expect(r.statuses).toEqual(["waiting"]);
    expect(r.assignee).toBe("me");
    expect(r.due_to).toBe("2027-01-31");
    expect(r.due_from).toBeNull();
    expect(r.offset).toBe(200);
    expect(r.limit).toBe(100);
    expect(buildRequest("all", emptyFilters(), 0, 50).view).toBeNull();
  });

  it("sends no search text until it has two characters", () => {
    expect(buildRequest("open", { ...emptyFilters(), text: " d " }, 0, 100).text).toBeNull();
    expect(buildRequest("open", { ...emptyFilters(), text: "dé" }, 0, 100).text).toBe("dé");
    expect(buildRequest("open", { ...emptyFilters(), text: "   " }, 0, 100).text).toBeNull();
  });

  it("counts active filters but not the search text or sort", () => {
    expect(activeFilterCount(emptyFilters())).toBe(0);
    expect(activeFilterCount({ ...emptyFilters(), text: "x", sort: "due" })).toBe(0);
    expect(activeFilterCount({ ...emptyFilters(), tag: "tva", team: "IT" })).toBe(2);
  });

  it("gives per-category defaults", () => {
    expect(categoryDefaults("admin/court-deadline").priority).toBe("high");
    expect(categoryDefaults("it/hardware").team).toBe("IT");
    expect(categoryDefaults("client")).toEqual({});
  });

  it("saves a view without its search text and restores it", () => {
    const f = { ...emptyFilters(), text: "délai", priority: "urgent" as const, category: "admin/court-deadline", sort: "due" as const };
    const saved = toSavedView("  Fristen ", "mine", f);
    expect(saved.name).toBe("Fristen");
    expect(saved.view).toBe("mine");
    expect(JSON.parse(saved.filters).text).toBeUndefined();
    const back = fromSavedView(saved);
    expect(back.view).toBe("mine");
    expect(back.filters).toEqual({ ...f, text: "" });
  });

  it("restores a damaged saved view as the defaults", () => {
    expect(fromSavedView({ name: "x", view: "gone", filters: "{oops" })).toEqual({ view: "open", filters: emptyFilters() });
    expect(fromSavedView({ name: "x", view: "waiting", filters: '{"priority":3,"tag":"tva"}' }).filters).toEqual({ ...emptyFilters(), tag: "tva" });
  });

  it("parses tags", () => {
    expect(parseTags(" tva, frist ,, ")).toEqual(["tva", "frist"]);
  });
});

describe("virtualised list", () => {
  it("draws only the rows in view, with overscan", () => {
    expect(visibleWindow(0, 360, 36, 100_000, 5)).toEqual({ first: 0, last: 15 });
    expect(visibleWindow(36_000, 360, 36, 100_000, 5)).toEqual({ first: 995, last: 1015 });
    expect(visibleWindow(0, 360, 36, 3, 5)).toEqual({ first: 0, last: 3 });
  });

  it("fetches the pages a window spans", () => {
    expect(pagesFor({ first: 95, last: 205 }, 100)).toEqual([0, 1, 2]);
    expect(pagesFor({ first: 0, last: 0 }, 100)).toEqual([]);
  });

  it("moves the selection within bounds", () => {
    expect(moveSelection(-1, 1, 10)).toBe(0);
    expect(moveSelection(-1, -1, 10)).toBe(9);
    expect(moveSelection(9, 1, 10)).toBe(9);
    expect(moveSelection(0, -1, 10)).toBe(0);
    expect(moveSelection(3, 1, 0)).toBe(-1);
  });

  it("scrolls just enough to show the selection", () => {
    expect(scrollToShow(0, 100, 360, 36)).toBe(0);
    expect(scrollToShow(20, 0, 360, 36)).toBe(21 * 36 - 360);
    expect(scrollToShow(5, 0, 360, 36)).toBe(0);
  });
});

describe("the virtual window under a broken layout", () => {
  it("never spans more than MAX_WINDOW_ROWS rows, even if the scroller reports its whole content height", () => {
    const total = 100_000;
    const w = visibleWindow(0, total * 36, 36, total);
    expect(w.last - w.first).toBeLessThanOrEqual(MAX_WINDOW_ROWS);
    expect(pagesFor(w, 100).length).toBeLessThanOrEqual(3);
  });
});
