// End-to-end flows of the real Guichet binary in a real window (Xvfb),
// driven through tauri-driver and WebKitWebDriver. Each test has its own
// empty data directory and configuration; each saves a screenshot of its end
// state under test-artifacts/e2e/.
//
// Run by ./test.sh; alone: GUICHET_APP=<binary> GUICHET_CLI=<binary> node --test tests/e2e/
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import net from "node:net";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { App, Keys, sleep } from "./webdriver.mjs";

const APP = process.env.GUICHET_APP;
const CLI = process.env.GUICHET_CLI;
const ARTIFACTS = path.resolve(process.env.GUICHET_ARTIFACTS ?? "test-artifacts/e2e");
if (!APP || !CLI) throw new Error("set GUICHET_APP and GUICHET_CLI to the desktop and command-line binaries");
mkdirSync(ARTIFACTS, { recursive: true });

/// A fresh home for one test: data directory, configuration, log.
function sandbox(name) {
  const root = mkdtempSync(path.join(os.tmpdir(), `guichet-e2e-${name}-`));
  return {
    root,
    data: path.join(root, "data"),
    env: (lang) => ({
      GUICHET_DATA_DIR: path.join(root, "data"),
      XDG_CONFIG_HOME: path.join(root, "config"),
      XDG_DATA_HOME: path.join(root, "share"),
      XDG_CACHE_HOME: path.join(root, "cache"),
      LANG: lang,
      LC_ALL: "",
      LC_MESSAGES: "",
      USER: "tester",
      WEBKIT_DISABLE_COMPOSITING_MODE: "1",
    }),
  };
}

/// The command line prepares what a flow needs that is not its subject.
function cli(box, ...args) {
  return execFileSync(CLI, ["--data-dir", box.data, ...args], { encoding: "utf8", env: { ...process.env, USER: "tester" } });
}

async function withApp(name, lang, box, flow, extraEnv = {}) {
  const app = await App.launch({ application: APP, env: { ...box.env(lang), ...extraEnv }, logFile: path.join(ARTIFACTS, `${name}.driver.log`) });
  try {
    await firstStart(app);
    await flow(app);
  } finally {
    await app.screenshot(ARTIFACTS, name).catch((e) => console.error(`screenshot ${name}: ${e.message}`));
    await app.quit();
  }
}

/// Past the first-start choice (an empty data directory asks where the
/// tickets live): this PC only.
async function firstStart(app) {
  const which = await app.until("the list or the first-start choice", async () => {
    if ((await app.findAll("[data-testid=list-count]")).length) return "list";
    if ((await app.findAll("[data-testid=choose-local]")).length) return "welcome";
    return null;
  }, 30000);
  if (which === "welcome") {
    await (await app.find("[data-testid=choose-local]")).click();
    await app.find("[data-testid=list-count]", { timeout: 30000 });
  }
}

const count = async (app) => (await app.text("[data-testid=list-count]")).trim();
const rowRefs = (app) => app.exec("return [...document.querySelectorAll('.row[data-ref]')].map(r => r.dataset.ref)");
const timelineKinds = (app) => app.exec("return [...document.querySelectorAll('[data-testid=timeline] li')].map(li => li.dataset.kind)");

/// Picks an option of a <select> the way a user does: click the option.
async function choose(app, selectCss, value) {
  const opt = await app.find(`${selectCss} option[value="${value}"]`);
  await opt.click();
}

test("create a ticket, find it by full-text search with and without accents, open it, change its status", async () => {
  const box = sandbox("create-search-status");
  await withApp("create-search-status", "en_GB.UTF-8", box, async (app) => {
    assert.equal(await count(app), "0 tickets");
    await (await app.find("[data-testid=new-ticket]")).click();
    await (await app.find("[data-testid=nt-title]")).type("Délai de réponse au tribunal");
    await (await app.find("[data-testid=nt-description]")).type("Mémoire en réplique à déposer avant l'audience");
    await (await app.find("[data-testid=nt-submit]")).click();
    const ref = await app.until("the new ticket's detail", async () => (await app.text("[data-testid=detail-ref]")).trim());
    assert.match(ref, /^[0-9A-Z]{4}-1$/);
    await app.until("the list to show 1 ticket", async () => (await count(app)) === "1 ticket");

    const search = await app.find("#search");
    for (const q of ["delai", "délai", "REPLIQUE", "tribun"]) {
      await search.clear();
      await search.type(q);
      await app.until(`search "${q}" to find ${ref}`, async () => JSON.stringify(await rowRefs(app)) === JSON.stringify([ref]));
    }
    await search.clear();
    await search.type("Kündigung");
    await app.until("a search without match to show nothing", async () => (await count(app)) === "0 tickets");
    await search.clear();
    await search.type("délai");
    await app.until("the ticket back in the list", async () => (await rowRefs(app)).length === 1);

    // Close the detail, then open the ticket from the list.
    await (await app.find("[data-testid=detail] button.close")).click();
    await app.until("the detail to close", async () => (await app.findAll("[data-testid=detail]")).length === 0);
    await (await app.find(`.row[data-ref="${ref}"]`)).click();
    assert.equal((await app.text("[data-testid=detail-ref]")).trim(), ref);
    assert.equal(await (await app.find("[data-testid=detail-title]")).prop("value"), "Délai de réponse au tribunal");

    const statusChanges = async () => (await timelineKinds(app)).filter((k) => k === "status").length;
    await choose(app, "[data-testid=detail-status]", "open");
    await app.until("the change to open in the timeline", async () => (await statusChanges()) === 1);
    await choose(app, "[data-testid=detail-status]", "in_progress");
    await app.until("the change to in progress in the timeline", async () => (await statusChanges()) === 2);
    assert.equal(await (await app.find("[data-testid=detail-status]")).prop("value"), "in_progress");
    await app.until("the list row to show the new status", async () => (await app.text(`.row[data-ref="${ref}"] .c-status`)).trim() === "In progress");
  });
  // What the window did is in the store: the command line sees it.
  const shown = JSON.parse(cli(box, "--json", "ticket", "list"));
  assert.equal(shown.length, 1);
  assert.equal(shown[0].status, "in_progress");
});

test("assign, reassign in two keystrokes, reply and internal note in the timeline", async () => {
  const box = sandbox("assign-comment");
  cli(box, "init");
  cli(box, "user", "add", "marie", "Marie Dupont");
  cli(box, "ticket", "new", "--title", "Kündigungsschutzklage vorbereiten", "--category", "client");
  await withApp("assign-comment", "en_GB.UTF-8", box, async (app) => {
    await app.until("one ticket", async () => (await rowRefs(app)).length === 1);
    const [ref] = await rowRefs(app);
    // Keyboard: j selects the first row, Enter opens it.
    const list = await app.find("[role=listbox]");
    await list.type("j");
    await list.type(Keys.Enter);
    await app.until("the detail", async () => (await app.text("[data-testid=detail-ref]")).trim() === ref);

    await choose(app, "[data-testid=detail-assignee]", "marie");
    await app.until("assigned to marie", async () => (await (await app.find("[data-testid=detail-assignee]")).prop("value")) === "marie");
    // Reassign to me: select the row (j) and press a. Two keystrokes.
    await (await app.find("[role=listbox]")).type("j");
    await (await app.find("[role=listbox]")).type("a");
    await app.until("reassigned to me", async () => (await (await app.find("[data-testid=detail-assignee]")).prop("value")) === "tester");

    await (await app.find("[data-testid=comment-box]")).type("Bonjour, nous avons bien reçu votre dossier.");
    await (await app.find("[data-testid=send-reply]")).click();
    await app.until("the reply in the timeline", async () => (await timelineKinds(app)).includes("reply"));
    await (await app.find("[data-testid=comment-box]")).type("Frist prüfen: drei Wochen ab Zugang.");
    await (await app.find("[data-testid=send-note]")).click();
    await app.until("the note in the timeline", async () => (await timelineKinds(app)).includes("internal"));

    const kinds = await timelineKinds(app);
    assert.equal(kinds.filter((k) => k === "assignment").length, 2, `both assignments kept: ${kinds}`);
    const texts = await app.exec("return [...document.querySelectorAll('[data-testid=timeline] li')].map(li => li.textContent)");
    assert.ok(texts.some((t) => t.includes("bien reçu votre dossier")));
    assert.ok(texts.some((t) => t.includes("drei Wochen")));
    // Reply and internal note are told apart without colour: their labels differ.
    const labels = await app.exec("return [...document.querySelectorAll('[data-testid=timeline] li')].map(li => li.dataset.kind + ':' + li.querySelector('.ev-label').textContent)");
    const reply = labels.find((l) => l.startsWith("reply:"));
    const note = labels.find((l) => l.startsWith("internal:"));
    assert.notEqual(reply.split(":")[1], note.split(":")[1]);
  });
  const history = JSON.parse(cli(box, "--json", "ticket", "history", JSON.parse(cli(box, "--json", "ticket", "list"))[0].reference));
  assert.ok(history.length >= 5, `history has ${history.length} events`);
});

test("link two tickets, follow the link, attach a file through the file picker", async () => {
  const box = sandbox("links-files");
  cli(box, "init");
  cli(box, "ticket", "new", "--title", "Succession Martin", "--category", "client");
  cli(box, "ticket", "new", "--title", "Inventaire du mobilier", "--category", "client");
  const rows = JSON.parse(cli(box, "--json", "ticket", "list"));
  const parent = rows.find((r) => r.title === "Succession Martin").reference;
  const child = rows.find((r) => r.title === "Inventaire du mobilier").reference;
  const file = path.join(box.root, "Mémoire final.txt");
  writeFileSync(file, "Conclusions en réponse\n");
  await withApp("links-files", "en_GB.UTF-8", box, async (app) => {
    await (await app.find(`.row[data-ref="${parent}"]`)).click();
    await app.until("the detail", async () => (await app.text("[data-testid=detail-ref]")).trim() === parent);
    // A reference that does not exist is refused, and says which.
    await (await app.find("[data-testid=link-target]")).type("ZZZZ-999");
    await (await app.find("[data-testid=link-add]")).click();
    assert.match(await app.text("[data-testid=detail-error]"), /ZZZZ-999/);
    await (await app.find("[data-testid=link-target]")).clear();
    await (await app.find("[data-testid=link-target]")).type(child);
    await (await app.find("[data-testid=link-add]")).click();
    await app.until("the link shown", async () => (await app.text("[data-testid=links]")).includes("Inventaire du mobilier"));

    await (await app.find("[data-testid=file-picker]")).type(file);
    await app.until("the attachment listed", async () => (await app.text("[data-testid=attachments]")).includes("Mémoire final.txt"));
    assert.ok((await timelineKinds(app)).includes("attachment"));

    // A reply drafted on one ticket does not follow to the next one opened.
    await (await app.find("[data-testid=comment-box]")).type("Brouillon pour la succession");
    await (await app.find("[data-testid=links] button.link")).click();
    await app.until("the linked ticket opened", async () => (await app.text("[data-testid=detail-ref]")).trim() === child);
    assert.equal(await app.exec("return document.querySelector('[data-testid=comment-box]').value"), "");
  });
  const shown = JSON.parse(cli(box, "--json", "ticket", "show", parent));
  assert.equal(shown.ticket.attachments.length, 1);
  assert.equal(shown.ticket.attachments[0].name, "Mémoire final.txt");
  assert.equal(shown.ticket.attachments[0].size, Buffer.byteLength("Conclusions en réponse\n"));
  assert.equal(shown.ticket.links.length, 1);
});

test("a long list draws only the rows in view and fetches the rest as it scrolls", async () => {
  const box = sandbox("long-list");
  cli(box, "init");
  cli(box, "demo", "--tickets", "450", "--events", "2");
  await withApp("long-list", "en_GB.UTF-8", box, async (app) => {
    await (await app.find("[data-view=all]")).click();
    await app.until("the whole list counted", async () => (await count(app)) === "450 tickets");
    const layout = () => app.exec(`const s = document.querySelector('[role=listbox]');
      return { height: s.clientHeight, window: window.innerHeight, scroll: s.scrollHeight, rows: document.querySelectorAll('.row').length };`);
    const before = await layout();
    assert.ok(before.height < before.window, `the scroller is ${before.height}px high in a ${before.window}px window`);
    assert.ok(before.scroll > before.window * 5, `the scroll area (${before.scroll}px) spans the whole list`);
    assert.ok(before.rows <= 60, `${before.rows} rows drawn`);
    // Scrolled to the end, the last page is fetched and drawn.
    await app.exec("const s = document.querySelector('[role=listbox]'); s.scrollTop = s.scrollHeight;");
    await app.until("the last rows", async () => (await app.exec("return document.querySelector('#row-449 .c-ref')?.textContent ?? ''")).trim() !== "");
    assert.ok((await layout()).rows <= 60);
  });
});

test("saved views filter the list", async () => {
  const box = sandbox("views");
  cli(box, "init");
  cli(box, "user", "add", "marie", "Marie Dupont");
  cli(box, "ticket", "new", "--title", "Mine", "--category", "client", "--assignee", "tester");
  cli(box, "ticket", "new", "--title", "Hers", "--category", "client", "--assignee", "marie");
  cli(box, "ticket", "new", "--title", "Nobody's", "--category", "it");
  cli(box, "ticket", "new", "--title", "Waiting one", "--category", "client", "--assignee", "tester");
  const waiting = JSON.parse(cli(box, "--json", "ticket", "search", "Waiting"))[0].reference;
  cli(box, "ticket", "status", waiting, "open");
  cli(box, "ticket", "status", waiting, "waiting");
  await withApp("views", "en_GB.UTF-8", box, async (app) => {
    await app.until("four open tickets", async () => (await count(app)) === "4 tickets");
    const titles = () => app.exec("return [...document.querySelectorAll('.row[data-ref] .c-title')].map(e => e.textContent.trim()).sort()");
    await (await app.find("[data-view=unassigned]")).click();
    await app.until("Unassigned", async () => JSON.stringify(await titles()) === JSON.stringify(["Nobody's"]));
    await (await app.find("[data-view=mine]")).click();
    await app.until("My tickets", async () => JSON.stringify(await titles()) === JSON.stringify(["Mine", "Waiting one"]));
    await (await app.find("[data-view=waiting]")).click();
    await app.until("Waiting", async () => JSON.stringify(await titles()) === JSON.stringify(["Waiting one"]));
    assert.equal(await (await app.find("[data-view=waiting]")).attr("aria-current"), "page");

    // A view of one's own: Unassigned saved under a name; an empty name is refused.
    await (await app.find("[data-view=unassigned]")).click();
    await (await app.find("[data-testid=save-view]")).click();
    await (await app.find("[data-testid=view-save]")).click();
    assert.match(await app.text("[data-testid=view-error]"), /name/i);
    await (await app.find("[data-testid=view-name]")).type("À répartir");
    await (await app.find("[data-testid=view-save]")).click();
    await app.until("the saved view listed", async () => (await app.text("[data-testid=saved-views]")).includes("À répartir"));
    await (await app.find("[data-view=open]")).click();
    await app.until("All open", async () => (await count(app)) === "4 tickets");
    await (await app.find('[data-saved-view="À répartir"]')).click();
    await app.until("the saved view's tickets", async () => JSON.stringify(await titles()) === JSON.stringify(["Nobody's"]));
  });
  // Saved views are kept in the store, so they survive a restart.
  await withApp("views-restart", "en_GB.UTF-8", box, async (app) => {
    await app.until("the saved view after a restart", async () => (await app.text("[data-testid=saved-views]")).includes("À répartir"));
  });
});

test("an empty title is refused beside the field and nothing typed is lost", async () => {
  const box = sandbox("empty-title");
  await withApp("empty-title", "en_GB.UTF-8", box, async (app) => {
    await (await app.find("[data-testid=new-ticket]")).click();
    await (await app.find("[data-testid=nt-description]")).type("Le client demande une copie du bail.");
    await (await app.find("[data-testid=nt-submit]")).click();
    const err = await app.text("[data-testid=nt-title-error]");
    assert.match(err, /title/i);
    assert.equal(await (await app.find("[data-testid=nt-title]")).attr("aria-invalid"), "true");
    assert.equal(await (await app.find("[data-testid=nt-description]")).prop("value"), "Le client demande une copie du bail.");
    assert.equal(await count(app), "0 tickets");
    // Fixing the field then creates the ticket with what was typed before.
    await (await app.find("[data-testid=nt-title]")).type("Copie du bail");
    await (await app.find("[data-testid=nt-submit]")).click();
    await app.until("the ticket created", async () => (await count(app)) === "1 ticket");
  });
  const [row] = JSON.parse(cli(box, "--json", "ticket", "list"));
  const shown = JSON.parse(cli(box, "--json", "ticket", "show", row.reference));
  const t = shown.ticket ?? shown;
  assert.equal(t.title, "Copie du bail");
  assert.equal(t.description, "Le client demande une copie du bail.");
});

test("the UI speaks German from the OS locale", async () => {
  const box = sandbox("german");
  await withApp("german", "de_DE.UTF-8", box, async (app) => {
    await app.until("the German UI", async () => (await app.exec("return document.documentElement.lang")) === "de");
    assert.match(await app.text("[data-testid=new-ticket]"), /Neues Ticket/);
    assert.equal((await app.text("[data-view=open]")).trim(), "Alle offenen");
    assert.equal(await count(app), "0 Tickets");
    await (await app.find("[data-testid=new-ticket]")).click();
    await (await app.find("[data-testid=nt-submit]")).click();
    assert.match(await app.text("[data-testid=nt-title-error]"), /Titel/);
  });
});

test("the UI switches to French in the settings and stays French after a restart", async () => {
  const box = sandbox("french");
  await withApp("french-switch", "en_GB.UTF-8", box, async (app) => {
    await app.until("the English UI", async () => (await app.exec("return document.documentElement.lang")) === "en");
    await (await app.find("[data-testid=open-settings]")).click();
    await choose(app, "[data-testid=settings-language]", "fr");
    await (await app.find("[data-testid=settings-save]")).click();
    await app.until("French labels", async () => (await app.text("[data-testid=new-ticket]")).includes("Nouveau ticket"));
  });
  await withApp("french", "en_GB.UTF-8", box, async (app) => {
    await app.until("French after restart", async () => (await app.exec("return document.documentElement.lang")) === "fr");
    assert.equal((await app.text("[data-view=open]")).trim(), "Tous les ouverts");
    await sleep(100);
  });
});

/// The desktop app's own process among those tauri-driver started.
function appPid(app) {
  return app.processes().find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith("guichet-deskt");
    } catch {
      return false;
    }
  });
}

/// What the notification server of the test's D-Bus session (python-dbusmock)
/// received, as its log's lines.
function notifications() {
  const log = process.env.GUICHET_NOTIFY_LOG;
  if (!log) throw new Error("GUICHET_NOTIFY_LOG is not set: run through tests/e2e/run.sh");
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.includes("Notify")) : [];
}

test("closing the window keeps Guichet running in the tray, with a first-time hint as a desktop notification", async () => {
  const box = sandbox("close-to-tray");
  await withApp("close-to-tray", "fr_FR.UTF-8", box, async (app) => {
    const pid = appPid(app);
    assert.ok(pid, "the app's process is found");
    const logDir = path.join(box.root, "share", "eu.guichet.desktop", "logs");
    await app.until("the tray to be ready (app log)", async () => {
      const files = existsSync(logDir) ? readdirSync(logDir) : [];
      return files.some((f) => readFileSync(path.join(logDir, f), "utf8").includes("tray ready"));
    }, 20000);
    const before = notifications().length;
    // The window's close button: the same request the window manager sends.
    await app.exec("window.__TAURI_INTERNALS__.invoke('plugin:window|close', { label: 'main' }); return true;");
    await app.until("the close-to-tray hint to reach the notification server", async () => {
      const got = notifications().slice(before);
      return got.some((l) => l.includes("Guichet reste ouvert")) && got;
    }, 20000);
    await sleep(1500);
    assert.ok(existsSync(`/proc/${pid}`), "the app still runs after its window was closed");
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2];
    assert.notEqual(state, "Z", "the app is not a zombie");
  });
});

/// Makes the test's notification server report a click on action `action`
/// of notifications 1..`upTo` (python-dbusmock's EmitSignal): only the
/// notifications still waiting for an answer react.
function clickNotifications(upTo, action = "open") {
  const script = `
import dbus, sys
o = dbus.SessionBus().get_object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
for i in range(1, int(sys.argv[1]) + 1):
    o.EmitSignal("org.freedesktop.Notifications", "ActionInvoked", "us", [dbus.UInt32(i), sys.argv[2]],
                 dbus_interface="org.freedesktop.DBus.Mock")
`;
  execFileSync("/usr/bin/python3", ["-c", script, String(upTo), action]);
}

test("a missed deadline arrives as a desktop notification whose Open action opens the ticket", async () => {
  const box = sandbox("deadline-notification");
  cli(box, "init", "--login", "tester");
  // Five days ago: even rolled over a weekend and a holiday, the deadline
  // is missed, and recently enough to be escalated (not a stale one).
  const past = new Date(Date.now() - 5 * 86400000);
  const due = `${past.getFullYear()}-${String(past.getMonth() + 1).padStart(2, "0")}-${String(past.getDate()).padStart(2, "0")}`;
  const created = JSON.parse(cli(box, "--json", "ticket", "new", "--title", "Conclusions en réponse",
    "--category", "client/advice", "--assignee", "me", "--due", due));
  const ref = created.reference;
  assert.match(ref, /^[0-9A-Z]{4}-1$/);
  const before = notifications().length;
  await withApp("deadline-notification", "en_GB.UTF-8", box, async (app) => {
    const got = await app.until("the missed-deadline notification", async () => {
      const lines = notifications().slice(before).filter((l) => l.includes(ref));
      return lines.length > 0 && lines;
    }, 30000);
    assert.match(got[0], /missed|deadline/i, got[0]);
    assert.ok(got[0].includes("Conclusions en réponse"), got[0]);
    // The escalation is in the ticket's history.
    const history = cli(box, "ticket", "history", ref);
    assert.match(history, /escalated/i, history);
    // Clicking Open brings the ticket up in the window.
    await app.until("the ticket to open from the notification", async () => {
      clickNotifications(notifications().length + 5);
      await sleep(500);
      return (await app.text("[data-testid=detail-ref]").catch(() => "")).trim() === ref;
    }, 20000);
  });
});

test("settings: bad quiet hours and bad time settings are refused beside the field, typed text kept; autostart writes the session entry", async () => {
  const box = sandbox("deadline-settings");
  mkdirSync(path.join(box.root, "home"), { recursive: true });
  await withApp("deadline-settings", "en_GB.UTF-8", box, async (app) => {
    await (await app.find("[data-testid=open-settings]")).click();
    await (await app.find("[data-testid=quiet-start]")).type("25:99");
    await (await app.find("[data-testid=quiet-end]")).type("07:00");
    await (await app.find("[data-testid=notify-save]")).click();
    await app.until("the quiet-hours error beside its field", async () =>
      (await app.exec("return document.querySelector('[data-testid=quiet-start]').parentElement.querySelector('.field-error')?.textContent ?? ''")).includes("25:99"));

    await app.until("the time settings", async () => (await app.exec("return document.querySelector('[data-testid=time-json]')?.value ?? ''")).includes("warn_percent"));
    await app.exec(`const t = document.querySelector('[data-testid=time-json]');
      t.value = t.value.replace(/"warn_percent": \\d+/, '"warn_percent": 150');
      t.dispatchEvent(new Event('input', { bubbles: true })); return true;`);
    await (await app.find("[data-testid=time-save]")).click();
    const err = await app.until("the time settings refusal", async () => (await app.text("[data-testid=time-error]")).trim());
    assert.match(err, /warn_percent/);
    assert.match(await app.exec("return document.querySelector('[data-testid=time-json]').value"), /"warn_percent": 150/);

    // The autostart entry goes under the home directory (~/.config/autostart
    // on Linux): this flow gets a home of its own.
    const dir = path.join(box.root, "home", ".config", "autostart");
    await (await app.find("[data-testid=autostart]")).click();
    await app.until("the autostart entry", async () => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".desktop")));
    const entry = readFileSync(path.join(dir, readdirSync(dir).find((f) => f.endsWith(".desktop"))), "utf8");
    assert.match(entry, /Exec=.*guichet-desktop/, entry);
    await (await app.find("[data-testid=autostart]")).click();
    await app.until("the autostart entry to go", async () => !readdirSync(dir).some((f) => f.endsWith(".desktop")));
  }, { HOME: path.join(box.root, "home") });
});

// ---------------------------------------------------------------------
// Shared mode: two desktop apps, two users, one PostgreSQL.

const PW = "correct-horse-battery";

/// A TCP proxy in front of the server: `offline()` cuts every connection
/// and refuses new ones, as a laptop leaving the office network.
function startProxy(host, port) {
  const sockets = new Set();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const up = net.connect(port, host);
    sockets.add(client);
    sockets.add(up);
    client.pipe(up);
    up.pipe(client);
    const end = () => { client.destroy(); up.destroy(); sockets.delete(client); sockets.delete(up); };
    client.on("error", end); up.on("error", end); client.on("close", end); up.on("close", end);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    port: server.address().port,
    offline() { down = true; for (const s of sockets) s.destroy(); sockets.clear(); },
    online() { down = false; },
    close() { this.offline(); server.close(); },
  })));
}

async function connectApp(app, server, login, remember) {
  await (await app.find("[data-testid=choose-shared]", { timeout: 30000 })).click();
  await (await app.find("[data-testid=connect-server]")).type(server);
  await (await app.find("[data-testid=connect-login]")).type(login);
  await (await app.find("[data-testid=connect-password]")).type(PW);
  if (!remember) await (await app.find("#w-password ~ label input[type=checkbox], [data-testid=connect-form] input[type=checkbox]")).click();
  await (await app.find("[data-testid=connect-submit]")).click();
  await app.find("[data-testid=list-count]", { timeout: 30000 });
  await app.until(`${login} online`, async () => (await app.exec("return document.querySelector('[data-testid=sync-status]')?.dataset.state")) === "online", 20000);
}

const syncState = (app) => app.exec("return document.querySelector('[data-testid=sync-status]')?.dataset.state");
const replies = (app) => app.exec("return [...document.querySelectorAll('[data-testid=timeline] li[data-kind=reply] .ev-body')].map(e => e.textContent)");
const conflictSides = (app) => app.exec("return [...document.querySelectorAll('[data-testid=conflict]')].map(e => e.dataset.side).sort()");

test("two desktop apps on one PostgreSQL: one goes offline, both edit and ann attaches a file, it comes back, both show the same ticket, every comment, the conflict and the file", async () => {
  const SUPER = process.env.DATABASE_URL;
  if (!SUPER) throw new Error("DATABASE_URL must name a PostgreSQL superuser URL (./test.sh starts a private server)");
  const u = new URL(SUPER);
  const db = `guichet_e2e_${process.pid}_${Date.now() % 100000}`;
  const pfx = `e${Date.now() % 1000000}`;
  const superDb = `postgres://${u.username}@${u.host}/${db}`;
  execFileSync("psql", [SUPER, "-qc", `CREATE DATABASE ${db}`]);
  const run = (args, input = "") => execFileSync(CLI, args, { input, encoding: "utf8", env: { ...process.env, PGPASSWORD: PW } });
  run(["admin", "init", "--database-url", superDb, "--admin", `${pfx}_admin`, "--name", "Ada Admin", "--password-stdin"], PW + "\n");
  const adminUrl = `postgres://${pfx}_admin@${u.host}/${db}`;
  run(["admin", "user", "add", `${pfx}_ann`, "--name", "Ann Avocate", "--password-stdin", "--database-url", adminUrl], PW + "\n");
  run(["admin", "user", "add", `${pfx}_bob`, "--name", "Bob Berater", "--password-stdin", "--database-url", adminUrl], PW + "\n");
  run(["admin", "team", "add", "Tax", "--database-url", adminUrl]);
  run(["admin", "team", "member", "Tax", `${pfx}_ann`, "--database-url", adminUrl]);
  run(["admin", "team", "member", "Tax", `${pfx}_bob`, "--database-url", adminUrl]);

  const proxy = await startProxy(u.hostname, Number(u.port || 5432));
  // Bob's app runs in a D-Bus session of its own, as another person's
  // desktop would (and so that the single-instance lock is his own).
  const bus = spawnSync("dbus-daemon", ["--session", "--fork", "--print-address=1", "--print-pid=1"], { encoding: "utf8" });
  const [busAddress, busPid] = bus.stdout.trim().split("\n");
  const boxA = sandbox("shared-ann");
  const boxB = sandbox("shared-bob");
  const A = await App.launch({ application: APP, env: boxA.env("en_GB.UTF-8"), logFile: path.join(ARTIFACTS, "shared-ann.driver.log") });
  let B;
  try {
    B = await App.launch({ application: APP, env: { ...boxB.env("en_GB.UTF-8"), DBUS_SESSION_BUS_ADDRESS: busAddress }, logFile: path.join(ARTIFACTS, "shared-bob.driver.log") });
    // Ann's password goes to the keychain; Bob's is not kept.
    await connectApp(A, `127.0.0.1:${proxy.port}/${db}`, `${pfx}_ann`, true);
    await connectApp(B, `${u.host}/${db}`, `${pfx}_bob`, false);

    // Ann creates a ticket for the Tax team: it reaches Bob's window.
    await (await A.find("[data-testid=new-ticket]")).click();
    await (await A.find("[data-testid=nt-title]")).type("Déclaration de TVA");
    await choose(A, "#nt-team", "Tax");
    await (await A.find("[data-testid=nt-submit]")).click();
    const ref = await A.until("the new ticket's detail", async () => (await A.text("[data-testid=detail-ref]")).trim());
    await B.until("the ticket in bob's list", async () => (await rowRefs(B)).includes(ref), 15000);

    // Ann's laptop leaves the network.
    proxy.offline();
    await A.until("ann offline", async () => (await syncState(A)) === "offline", 90000);
    const title = await A.find("[data-testid=detail-title]");
    await title.clear();
    await title.type("Déclaration de TVA (Ann)\uE007");
    await (await A.find("[data-testid=comment-box]")).type("Écrit hors ligne par Ann");
    await (await A.find("[data-testid=send-reply]")).click();
    // Offline, Ann attaches a file: its bytes go up once she is back.
    const statement = path.join(boxA.root, "Relevé bancaire.txt");
    writeFileSync(statement, "Solde au 30 septembre : 12 345,67 €\n".repeat(20000));
    await (await A.find("[data-testid=file-picker]")).type(statement);
    await A.until("ann's attachment listed", async () => (await A.text("[data-testid=attachments]")).includes("Relevé bancaire.txt"));
    await A.until("ann's changes waiting", async () => (await A.findAll("[data-testid=sync-pending]")).length === 1);

    await (await B.find(`.row[data-ref="${ref}"]`)).click();
    const titleB = await B.find("[data-testid=detail-title]");
    await titleB.clear();
    await titleB.type("Déclaration de TVA (Bob)\uE007");
    await (await B.find("[data-testid=comment-box]")).type("Réponse de Bob en ligne");
    await (await B.find("[data-testid=send-reply]")).click();
    await B.until("bob's reply in his timeline", async () => (await replies(B)).length === 1);

    // Back in the office: everything meets.
    proxy.online();
    await A.until("ann online with nothing waiting", async () => (await syncState(A)) === "online" && (await A.findAll("[data-testid=sync-pending]")).length === 0, 90000);
    for (const [who, app] of [["ann", A], ["bob", B]]) {
      await app.until(`${who}: both replies`, async () => (await replies(app)).length === 2, 20000);
      await app.until(`${who}: the conflict marked on both title changes`, async () => JSON.stringify(await conflictSides(app)) === JSON.stringify(["kept", "overwritten"]), 20000);
    }
    const tA = await (await A.find("[data-testid=detail-title]")).prop("value");
    const tB = await (await B.find("[data-testid=detail-title]")).prop("value");
    assert.equal(tA, tB, "both windows show the same title");
    assert.equal(tA, "Déclaration de TVA (Bob)", "the later change wins");
    assert.deepEqual((await replies(A)).sort(), (await replies(B)).sort());
    // Ann's file reached Bob's PC, byte for byte, and opens there.
    await B.until("bob: the attachment, on his PC", async () => (await B.text("[data-testid=attachments]")).includes("Relevé bancaire.txt") && (await B.findAll("[data-testid=file-waiting]")).length === 0, 30000);
    const blobs = (dir) => readdirSync(path.join(dir, "attachments"), { recursive: true }).filter((f) => /[0-9a-f]{64}$/.test(f));
    const bobs = blobs(boxB.data);
    assert.equal(bobs.length, 1, `one file in bob's data directory: ${bobs}`);
    assert.deepEqual(readFileSync(path.join(boxB.data, "attachments", bobs[0])), readFileSync(statement));
  } finally {
    for (const [name, app] of [["shared-ann", A], ["shared-bob", B]]) {
      if (!app) continue;
      await app.screenshot(ARTIFACTS, name).catch(() => {});
      await app.quit();
    }
    proxy.close();
    try { process.kill(Number(busPid)); } catch { /* gone */ }
    spawnSync("psql", [SUPER, "-qc", `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`]);
    for (const r of ["admin", "ann", "bob"]) spawnSync("psql", [SUPER, "-qc", `DROP ROLE IF EXISTS "${pfx}_${r}"`]);
    for (const g of ["owner", "users", "admins", "provisioner"]) spawnSync("psql", [SUPER, "-qc", `DROP ROLE IF EXISTS "${db}_${g}"`]);
  }
});
