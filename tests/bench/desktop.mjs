// The desktop app's benchmark: the release build on a store of 100,000
// tickets, in a real window under Xvfb, driven through tauri-driver.
//   start-up: process start to the first list painted (the app's own count,
//             reported by the UI once the rows are painted), over several cold starts;
//   list updates: from a saved view's click, or a key typed in the search box,
//             to its rows painted (the UI's own count, window.__guichetPerf);
//   memory:   resident memory (RSS and PSS) of the app and its WebKit
//             processes, idle after opening 20 tickets.
// Run by scripts/bench-desktop.sh, which builds and prepares the store.
import { readFileSync } from "node:fs";
import path from "node:path";
import { App, Keys, sleep } from "../e2e/webdriver.mjs";

const APP = process.env.GUICHET_APP;
const DATA = process.env.GUICHET_BENCH_DATA;
const STARTS = Number(process.env.GUICHET_BENCH_STARTS ?? 5);
const env = {
  GUICHET_DATA_DIR: DATA,
  XDG_CONFIG_HOME: path.join(DATA, "..", "config"),
  LANG: "fr_FR.UTF-8",
  LC_ALL: "",
  WEBKIT_DISABLE_COMPOSITING_MODE: "1",
};

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const summary = (xs) => `n=${xs.length} median ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

async function started(app) {
  return app.until("the first painted list", () => app.exec("return window.__guichetPerf && window.__guichetPerf.startupMs"), 60000);
}

async function updatesSoFar(app) {
  return app.exec("return window.__guichetPerf.updates.length");
}

const fetchTimes = [];

/// Empties the search box as a user does (an input event, which WebDriver's
/// clear does not send).
const emptySearch = (app) => app.exec("const s = document.querySelector('#search'); s.value = ''; s.dispatchEvent(new Event('input', { bubbles: true }));");

/// Does `action`, then waits for the list update it causes and returns its time.
async function timed(app, action) {
  const before = await updatesSoFar(app);
  await action();
  await app.until("the list update", async () => (await updatesSoFar(app)) > before, 30000);
  await sleep(50);
  const ups = await app.exec("return window.__guichetPerf.updates");
  fetchTimes.push(...ups.slice(before).map((u) => u.fetchMs));
  return ups.slice(before).map((u) => u.ms);
}

function memory(pids) {
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const pid of pids) {
    let comm;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (!/^(guichet-desktop|WebKitWebProces|WebKitNetworkPr|WebKitWebProcess|WebKitNetworkProcess)/.test(comm)) continue;
    const roll = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(roll)?.[1] ?? 0);
    rss += kb("Rss");
    pss += kb("Pss");
    names.push(`${comm} ${(kb("Rss") / 1024).toFixed(0)}/${(kb("Pss") / 1024).toFixed(0)}`);
  }
  return { rssMB: rss / 1024, pssMB: pss / 1024, names };
}

const startups = [];
for (let i = 0; i < STARTS; i++) {
  const app = await App.launch({ application: APP, env });
  try {
    startups.push(await started(app));
    console.log(`start ${i + 1}: ${startups.at(-1)} ms to the first painted list (${(await app.text("[data-testid=list-count]")).trim()})`);
  } finally {
    await app.quit();
  }
}

const app = await App.launch({ application: APP, env });
try {
  await started(app);
  const views = ["unassigned", "overdue", "due-this-week", "waiting", "mine", "open", "all"];
  const viewTimes = [];
  for (let round = 0; round < 4; round++) {
    for (const v of views) {
      if (round === 0 && v === "open") continue; // already shown at start
      viewTimes.push(...(await timed(app, async () => (await app.find(`[data-view="${v}"]`)).click())));
    }
  }
  console.log(`switch a saved view: ${summary(viewTimes)}`);
  console.log(`  of which the page's arrival from Rust: ${summary(fetchTimes.splice(0))}`);

  await (await app.find('[data-view="open"]')).click();
  await sleep(500);
  const search = await app.find("#search");
  const typeTimes = [];
  for (const word of ["frist", "delai", "mandant", "bail", "kundigung"]) {
    if (((await search.prop("value")) ?? "").length >= 2) await timed(app, () => emptySearch(app));
    else await emptySearch(app);
    await sleep(300);
    // The first letter sends no search (two are needed), so it changes nothing to time.
    await search.type(word[0]);
    await sleep(200);
    for (const ch of word.slice(1)) typeTimes.push(...(await timed(app, () => search.type(ch))));
  }
  console.log(`type a key in the search box: ${summary(typeTimes)}`);
  console.log(`  of which the page's arrival from Rust: ${summary(fetchTimes.splice(0))}`);
  await timed(app, () => emptySearch(app));
  await sleep(500);

  // Open 20 tickets with the keyboard: j moves, Enter opens.
  const list = await app.find("[role=listbox]");
  let last = "";
  for (let i = 0; i < 20; i++) {
    await list.type("j");
    await list.type(Keys.Enter);
    last = await app.until(`ticket ${i + 1} open`, async () => {
      const refs = await app.findAll("[data-testid=detail-ref]");
      const ref = refs.length ? (await refs[0].text()).trim() : "";
      return ref && ref !== last ? ref : false;
    });
    await sleep(150);
  }
  await sleep(5000);
  const mem = memory(app.processes());
  console.log(`memory idle after opening 20 tickets: RSS ${mem.rssMB.toFixed(0)} MB, PSS ${mem.pssMB.toFixed(0)} MB (RSS/PSS MB: ${mem.names.join(", ")})`);
  console.log(`cold start to first painted list: ${summary(startups)}`);
  console.log(
    JSON.stringify({ startup_ms: startups, view_switch_ms: viewTimes, search_key_ms: typeTimes, rss_mb: mem.rssMB, pss_mb: mem.pssMB }),
  );
} finally {
  await app.quit();
}
