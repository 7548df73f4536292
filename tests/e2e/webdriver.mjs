// A small W3C WebDriver client over fetch, enough to drive the real Guichet
// window through tauri-driver and WebKitWebDriver. Node 20 has fetch, so the
// end-to-end suite needs no npm package and no downloaded browser.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

async function call(base, method, route, body, timeout = 60000) {
  const res = await fetch(base + route, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeout),
  }).catch((e) => {
    throw new Error(`WebDriver ${method} ${route}: ${e.name === "TimeoutError" ? `no answer within ${timeout} ms` : e.message}`);
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = json.value ?? {};
    const err = new Error(`WebDriver ${method} ${route}: ${v.error ?? res.status}: ${v.message ?? ""}`);
    err.webdriver = v.error;
    throw err;
  }
  return json.value;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, "127.0.0.1", () => { s.end(); r(true); });
      s.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on ${port} within ${ms} ms`);
}

/// The pids of every process below `root` (tauri-driver → WebKitWebDriver →
/// the app → WebKit's processes), from /proc.
export function descendants(root) {
  const parent = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(d), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  let frontier = [root];
  while (frontier.length) {
    const next = [];
    for (const [pid, ppid] of parent) if (frontier.includes(ppid)) next.push(pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// One running app: its own tauri-driver (with the environment the app gets,
/// such as its data directory and locale) and one WebDriver session.
export class App {
  static async launch({ application, env = {}, logFile }) {
    const port = await freePort();
    const nativePort = await freePort();
    const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = [];
    driver.stdout.on("data", (d) => log.push(String(d)));
    driver.stderr.on("data", (d) => log.push(String(d)));
    const app = new App(driver, `http://127.0.0.1:${port}`, log, logFile);
    try {
      // tauri-driver listens at once, but forwards to WebKitWebDriver, which
      // may not listen yet: a session asked for too early is refused.
      await waitForPort(port, 15000);
      await waitForPort(nativePort, 15000);
      // No browserName: tauri-driver picks the native driver itself.
      const ask = () => call(app.base, "POST", "/session", {
        capabilities: { alwaysMatch: { "tauri:options": { application } } },
      });
      let s;
      for (let attempt = 1; ; attempt++) {
        try {
          s = await ask();
          break;
        } catch (e) {
          if (attempt >= 3 || !/fetch failed|Connection refused/.test(e.message)) throw e;
          await sleep(1000);
        }
      }
      app.session = s.sessionId;
      return app;
    } catch (e) {
      await app.quit();
      throw new Error(`${e.message}\n--- tauri-driver output ---\n${log.join("")}`);
    }
  }

  constructor(driver, base, log, logFile) {
    this.driver = driver;
    this.base = base;
    this.log = log;
    this.logFile = logFile;
    this.session = null;
  }

  cmd(method, route, body, timeout) {
    return call(this.base, method, `/session/${this.session}${route}`, body, timeout);
  }

  /// The app's process and WebKit's, for the benchmark's memory figure.
  processes() {
    return descendants(this.driver.pid);
  }

  /// Waits until a CSS selector matches, and returns the first element.
  async find(css, { timeout = 10000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      try {
        const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
        return new Element(this, v[ELEMENT]);
      } catch (e) {
        if (e.webdriver !== "no such element" || Date.now() > end) {
          throw new Error(`${css}: ${e.message}`);
        }
        await sleep(100);
      }
    }
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((x) => new Element(this, x[ELEMENT]));
  }

  /// Runs a script in the page; `arguments` are passed through.
  exec(script, ...args) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /// Polls a predicate until it holds; the message names what was awaited.
  async until(what, predicate, timeout = 10000) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await predicate();
        if (last) return last;
      } catch (e) {
        last = e.message;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
      await sleep(100);
    }
  }

  async text(css) {
    return (await this.find(css)).text();
  }

  async screenshot(dir, name) {
    // WebKit answers a screenshot after its next presentation update; on an
    // idle page (no compositing under Xvfb) that update may never come. A
    // 1-pixel element that changes colour each frame for a few seconds makes
    // one, without changing what the picture shows.
    await this.exec(`
      const d = document.createElement("div");
      d.style.cssText = "position:fixed;left:0;bottom:0;width:1px;height:1px;pointer-events:none;opacity:0.01";
      document.body.appendChild(d);
      const end = performance.now() + 5000;
      const step = () => { d.style.background = d.style.background === "red" ? "blue" : "red";
        if (performance.now() < end) requestAnimationFrame(step); else d.remove(); };
      requestAnimationFrame(step);`);
    const png = await this.cmd("GET", "/screenshot", undefined, 20000);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    writeFileSync(file, Buffer.from(png, "base64"));
    return file;
  }

  async quit() {
    // The app must be gone before the next one starts: it is single-instance,
    // so a leftover would swallow the next launch.
    const tree = descendants(this.driver.pid);
    if (this.session) {
      await this.cmd("DELETE", "", undefined, 15000).catch(() => {});
      this.session = null;
    }
    if (this.driver.exitCode === null) {
      const gone = new Promise((r) => this.driver.once("exit", r));
      this.driver.kill("SIGTERM");
      await Promise.race([gone, sleep(5000)]);
      if (this.driver.exitCode === null) this.driver.kill("SIGKILL");
    }
    for (const pid of tree) if (alive(pid)) process.kill(pid, "SIGTERM");
    for (let i = 0; i < 50 && tree.some(alive); i++) await sleep(100);
    for (const pid of tree) if (alive(pid)) process.kill(pid, "SIGKILL");
    if (this.logFile) writeFileSync(this.logFile, this.log.join(""));
  }
}

export class Element {
  constructor(app, id) {
    this.app = app;
    this.id = id;
  }
  click() {
    return this.app.cmd("POST", `/element/${this.id}/click`, {});
  }
  type(text) {
    return this.app.cmd("POST", `/element/${this.id}/value`, { text });
  }
  clear() {
    return this.app.cmd("POST", `/element/${this.id}/clear`, {});
  }
  text() {
    return this.app.cmd("GET", `/element/${this.id}/text`);
  }
  attr(name) {
    return this.app.cmd("GET", `/element/${this.id}/attribute/${name}`);
  }
  prop(name) {
    return this.app.cmd("GET", `/element/${this.id}/property/${name}`);
  }
  displayed() {
    return this.app.cmd("GET", `/element/${this.id}/displayed`);
  }
}

/// WebDriver key codes for the keys the shortcuts use.
export const Keys = { Enter: "\uE007", Escape: "\uE00C", ArrowDown: "\uE015", ArrowUp: "\uE013" };
