// The current language and the translation and formatting functions.
import { de, en, fr, type Catalog, type MessageKey } from "./messages";
import type { ApiError } from "./bindings";

export type Lang = "fr" | "de" | "en";
const catalogs: Record<Lang, Catalog> = { en, fr, de };
const locales: Record<Lang, string> = { en: "en-GB", fr: "fr-FR", de: "de-DE" };

export const i18n = $state({ lang: "en" as Lang });

/// Picks the UI language: the user's choice, else the system's if offered, else English.
export function chooseLang(setting: string, system: string): Lang {
  for (const l of [setting, system]) {
    const two = (l ?? "").slice(0, 2).toLowerCase();
    if (two === "fr" || two === "de" || two === "en") return two;
  }
  return "en";
}

export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogs[lang][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, p) => (p in params ? String(params[p]) : `{${p}}`));
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return translate(i18n.lang, key, params);
}

export function formatDate(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return "";
  const d = iso.length === 10 ? new Date(iso + "T00:00:00") : new Date(iso);
  return new Intl.DateTimeFormat(locales[lang], { year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}

export function formatDateTime(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(locales[lang]).format(n);
}

/// An error from the backend as a sentence in the UI's language.
export function errorText(lang: Lang, e: ApiError): string {
  const fieldKey = `field.${e.field}` as MessageKey;
  const known = !!e.field && fieldKey in en;
  if (e.code === "empty" && known) {
    return translate(lang, "error.empty", { field: translate(lang, fieldKey) });
  }
  if (e.code === "transition") {
    return translate(lang, "error.transition");
  }
  // The store words an unknown name as "field: 'value' is unknown; …".
  const value = /'([^']*)'/.exec(e.message)?.[1];
  if (e.code === "unknown" && known && value !== undefined) {
    const field = translate(lang, fieldKey);
    return translate(lang, "error.unknown", { field: field.charAt(0).toLowerCase() + field.slice(1), value });
  }
  if (e.code === "login" || e.code === "offline") {
    return translate(lang, `error.${e.code}` as MessageKey);
  }
  if (e.code === "forbidden") {
    return translate(lang, "error.forbidden", { message: e.message });
  }
  return translate(lang, "error.generic", { message: e.message });
}
