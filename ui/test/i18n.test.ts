import { describe, expect, it } from "vitest";
import { de, en, fr } from "../src/lib/messages";
import { chooseLang, translate, formatDate, formatNumber, errorText } from "../src/lib/i18n.svelte";

describe("message catalogs", () => {
  it("have the same keys in French, German and English, none empty", () => {
    const keys = Object.keys(en).sort();
    expect(Object.keys(fr).sort()).toEqual(keys);
    expect(Object.keys(de).sort()).toEqual(keys);
    for (const cat of [en, fr, de]) for (const v of Object.values(cat)) expect(v.trim()).not.toBe("");
  });

  it("keep the same placeholders in every language", () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      expect(holes(fr[k]), k).toEqual(holes(en[k]));
      expect(holes(de[k]), k).toEqual(holes(en[k]));
    }
  });
});

describe("language choice", () => {
  it("prefers the setting, then the system, then English", () => {
    expect(chooseLang("de", "fr_FR.UTF-8")).toBe("de");
    expect(chooseLang("", "fr_FR.UTF-8")).toBe("fr");
    expect(chooseLang("", "it_IT")).toBe("en");
    expect(chooseLang("", "")).toBe("en");
  });
});

describe("translate and format", () => {
  it("fills placeholders", () => {
    expect(translate("fr", "ticket.created", { reference: "K7QX-1" })).toBe("K7QX-1 créé");
    expect(translate("de", "list.count", { count: 3 })).toBe("3 Tickets");
  });

  it("formats dates and numbers per locale", () => {
    expect(formatDate("fr", "2027-03-31")).toBe("31/03/2027");
    expect(formatDate("de", "2027-03-31")).toBe("31.03.2027");
    expect(formatDate("en", "2027-03-31")).toBe("31/03/2027");
    expect(formatNumber("de", 100000)).toBe("100.000");
    expect(formatNumber("fr", 100000).replace(/\s/g, " ")).toBe("100 000");
    expect(formatDate("fr", null)).toBe("");
  });

  it("turns an empty-field error into a sentence in the UI's language", () => {
    const e = { code: "empty", field: "title", message: "title: must not be empty; accepted: 1 to 200 characters" };
    expect(errorText("fr", e)).toBe("Le titre ne doit pas être vide.");
    expect(errorText("de", e)).toBe("Der Titel darf nicht leer sein.");
    expect(errorText("en", { code: "unknown", field: "category", message: "category: 'x' is unknown" })).toBe("Not found — category: 'x'.");
  });

  it("translates a refused status change and an unknown name; anything else keeps the store's words", () => {
    const transition = { code: "transition", field: "status", message: "status: cannot go from new to closed" };
    expect(errorText("de", transition)).toBe("Dieser Statuswechsel ist vom aktuellen Status aus nicht erlaubt.");
    expect(errorText("fr", transition)).toBe("Ce changement de statut n'est pas permis depuis le statut actuel.");
    const team = { code: "unknown", field: "team", message: "team: 'Steuer' is unknown; accepted: the name of a team" };
    expect(errorText("de", team)).toBe("Nicht gefunden – das Team: „Steuer“.");
    expect(errorText("fr", team)).toBe("Introuvable — l'équipe : « Steuer ».");
    const odd = { code: "unknown", field: "nonsense", message: "nonsense: 'x' is unknown" };
    expect(errorText("de", odd)).toBe("nonsense: 'x' is unknown");
    expect(errorText("de", { code: "io", field: null, message: "disk full" })).toBe("disk full");
  });
});
