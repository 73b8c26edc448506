// Test support for the browser tests: starts the real `scorejar serve` binary on a fresh data
// directory (SQLite, or a fresh PostgreSQL database), creates users through the real CLI, talks
// to the API with the bootstrap token, and launches Debian's Chromium through playwright-core.
// Every wait has a deadline; nothing sleeps blindly.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, mkdirSync, rmSync, existsSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const binary = process.env.SCOREJAR_BIN || path.join(repo, "target/debug/scorejar");
export const fixtures = path.resolve(repo, "../shared/fixtures/audio");
export const screenshots = path.join(repo, "target/web-screenshots");
const pgBase = process.env.SCOREJAR_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function waitFor(what, check, ms = 20000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A fresh PostgreSQL database on the local server; returns its URL and a dropper. */
function freshPostgres() {
  const name = `sjweb_${process.pid}_${Date.now()}`;
  const admin = new URL(pgBase);
  const psql = (sql) =>
    execFileSync("psql", [admin.toString(), "-v", "ON_ERROR_STOP=1", "-qc", sql], { stdio: "pipe" });
  psql(`CREATE DATABASE ${name}`);
  const url = new URL(pgBase);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Starts `scorejar serve`; resolves once /healthz answers, with the bootstrap token. */
export async function startServer({ backend = "sqlite", env: extraEnv = {} } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "scorejar-web-"));
  // The speech model the Rust tests install (target/models); without it the server installs
  // it on first need, into the same place.
  const models = path.join(repo, "target/models");
  mkdirSync(models, { recursive: true });
  symlinkSync(models, path.join(dataDir, "models"));
  const port = await freePort();
  const env = { ...process.env, RUST_LOG: "warn", NO_COLOR: "1", ...extraEnv };
  let pg = null;
  if (backend === "postgres") {
    pg = freshPostgres();
    env.DATABASE_URL = pg.url;
  }
  const child = spawn(binary, ["serve", "--data-dir", dataDir, "--bind", `127.0.0.1:${port}`], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  await waitFor("the server to answer /healthz", async () => {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    const response = await fetch(`${base}/healthz`);
    return response.ok;
  });
  const token = await waitFor("the bootstrap token", () => out.match(/sj_[A-Za-z0-9_-]+/)?.[0]);
  const account = out.match(/`default` account \(([^)]+)\)/)[1];
  return {
    base,
    token,
    account,
    dataDir,
    env,
    /** What the server has written so far (its warnings and errors), for failure messages. */
    log: () => out,
    async api(method, route, body) {
      const response = await fetch(base + route, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async upload(form) {
      const response = await fetch(`${base}/api/v1/upload`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      return { status: response.status, body: await response.json() };
    },
    /** Creates a user with the real CLI; `extra` adds flags (`--role AGENT --agent <id>`). */
    createUser(email, password, extra = []) {
      execFileSync(
        binary,
        ["users", "create", "--data-dir", dataDir, "--account", account, "--email", email, "--password", password, ...extra],
        { env, stdio: "pipe" },
      );
    },
    async stop() {
      child.kill("SIGTERM");
      await waitFor("the server to stop", () => child.exitCode !== null || child.signalCode !== null, 10000).catch(
        () => child.kill("SIGKILL"),
      );
      rmSync(path.join(dataDir, "models"), { force: true });
      rmSync(dataDir, { recursive: true, force: true });
      if (pg) pg.drop();
    },
  };
}

/** Debian's Chromium, headless (its own sandbox cannot start as root in a container). */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.SCOREJAR_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
  });
}

/** Signs in through the form. */
export async function signIn(page, server, email, password) {
  await page.goto(`${server.base}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** axe-core's serious and critical violations on the page. */
export async function accessibilityProblems(page) {
  const source = readFileSync(path.join(repo, "web-tests/node_modules/axe-core/axe.min.js"), "utf8");
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(source);
  const result = await page.evaluate(() => globalThis.axe.run({ resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

export async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

/** A support call with its transcript given (times per turn), scored by a rules scorecard. */
export async function uploadScoredCall(server, scorecardId, sourceIdentifier) {
  const audio = readFileSync(path.join(fixtures, "support_call_mono16k.wav"));
  const segments = [
    [0.0, 5.5, "agent", "Thank you for calling Brightline support, my name is Sarah. How can I help you today?"],
    [6.0, 11.5, "customer", "Hi, I was charged twice for my internet bill this month, and I would like a refund please."],
    [12.0, 16.5, "agent", "I am sorry about that. Can you please confirm the full name on the account?"],
    [17.0, 19.5, "customer", "Sure, the account is under the name John Miller."],
    [20.0, 27.0, "agent", "Thank you, John. I can see the duplicate payment. I will issue a refund today, and it should appear within a week."],
    [27.5, 29.0, "customer", "Great, thanks for your help."],
  ].map(([start, end, speaker, text]) => ({ start, end, speaker, text }));
  const form = new FormData();
  form.append("file", new Blob([audio], { type: "audio/wav" }), "support_call.wav");
  form.append(
    "payload",
    JSON.stringify({
      sourceIdentifier,
      direction: "INBOUND",
      timestamp: "2026-06-23T14:30:00Z",
      agent: { name: "Sarah Agent", email: "sarah@example.com" },
      customer: { name: "John Miller" },
      transcript: { text: "", segments },
      evaluation: { scorecardId },
    }),
  );
  const { status, body } = await server.upload(form);
  if (status !== 200) throw new Error(`upload failed: ${status} ${JSON.stringify(body)}`);
  return body.interactionId;
}

export const rulesCard = {
  name: "Support QA",
  status: "ACTIVE",
  model: "rules",
  passingScore: 60,
  sections: [
    {
      name: "Call",
      questions: [
        {
          id: "greet",
          text: "Did the agent greet the caller?",
          type: "SINGLE",
          answers: [{ label: "Yes", points: 2 }, { label: "No", points: 0 }],
          rules: { if: { phrase: "thank you for calling", by: "AGENT", within: { from: 0, to: 30 } }, then: "Yes", else: "No" },
        },
        {
          id: "empathy",
          text: "Did the agent apologise?",
          type: "SINGLE",
          answers: [{ label: "Yes", points: 1 }, { label: "No", points: 0 }],
          rules: { if: { phrase: "i am sorry", by: "AGENT" }, then: "Yes", else: "No" },
        },
      ],
    },
  ],
};
