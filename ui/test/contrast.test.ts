// Sufficient contrast: every pair of theme colours that carries text meets
// WCAG AA (4.5:1) in the light and the dark theme, read from app.css itself.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const css = readFileSync(fileURLToPath(new URL("../src/app.css", import.meta.url)), "utf8");

function theme(selector: string): Record<string, string> {
  const start = css.indexOf(selector + " {");
  expect(start, `${selector} in app.css`).toBeGreaterThanOrEqual(0);
  const body = css.slice(start, css.indexOf("}", start));
  const vars: Record<string, string> = {};
  for (const m of body.matchAll(/--([a-z-]+):\s*(#[0-9a-fA-F]{6})/g)) vars[m[1]] = m[2];
  return vars;
}

function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// Text colour on background colour, as the stylesheet uses them.
const PAIRS: [string, string][] = [
  ["fg", "bg"], ["fg", "panel"], ["muted", "bg"], ["muted", "panel"],
  ["accent-fg", "accent"], ["accent", "bg"], ["danger", "bg"],
  ["fg", "note"], ["fg", "reply"],
  // The overdue badge on the open row; the assignee in the agenda's open item.
  ["danger", "reply"], ["muted", "reply"],
];

describe("theme contrast", () => {
  it("computes WCAG contrast", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 1);
  });

  for (const [name, selector] of [["light", ":root"], ["dark", ':root[data-theme="dark"]']]) {
    it(`keeps text at 4.5:1 or more in the ${name} theme`, () => {
      const v = theme(selector);
      for (const [fg, bg] of PAIRS) {
        expect(v[fg], `--${fg}`).toBeDefined();
        expect(v[bg], `--${bg}`).toBeDefined();
        const ratio = contrast(v[fg], v[bg]);
        expect(ratio, `--${fg} on --${bg}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }
});
