// bench/web: see ./run for what it measures. Prints one line per figure.
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import {
  startServer,
  launchBrowser,
  signIn,
  rulesCard,
  waitFor,
  binary,
} from "../../web-tests/support.mjs";

const TOTAL = Number(process.argv[2] || 10000);
const EMAIL = "bench@example.com";
const PASSWORD = "bench password 1";

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (v) => `${v.toFixed(1)} ms`;

async function seed(server, total, scorecardId) {
  const started = performance.now();
  let next = 0;
  const words = ["refund", "billing", "delivery", "password", "upgrade", "cancel", "invoice", "router"];
  async function worker() {
    while (next < total) {
      const n = next++;
      const topic = words[n % words.length];
      const { status, body } = await server.api("POST", "/api/v1/upload", {
        sourceIdentifier: `bench-${n}`,
        direction: n % 3 ? "INBOUND" : "OUTBOUND",
        timestamp: new Date(Date.UTC(2026, 0, 1) + n * 60000).toISOString(),
        agent: { name: `Agent ${n % 40}`, email: `agent${n % 40}@example.com` },
        customer: { name: `Customer ${n}` },
        tags: [topic],
        evaluation: { scorecardId },
        transcript: {
          text: `Agent: Thank you for calling, how can I help?\nCustomer: I have a question about my ${topic}.\nAgent: Let me look at your ${topic} right away.`,
        },
      });
      if (status !== 200) throw new Error(`seeding: ${status} ${JSON.stringify(body)}`);
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker));
  return (performance.now() - started) / 1000;
}

/** Time to first byte and to the whole body of `url`, over `n` sequential requests. */
async function timeRequests(url, cookie, n) {
  const first = [];
  const whole = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const response = await fetch(url, { headers: { cookie } });
    const reader = response.body.getReader();
    let chunk = await reader.read();
    first.push(performance.now() - t0);
    let size = 0;
    while (!chunk.done) {
      size += chunk.value.length;
      chunk = await reader.read();
    }
    whole.push(performance.now() - t0);
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    bytes = size;
  }
  return { first, whole, bytes };
}

async function sessionCookie(server) {
  const response = await fetch(`${server.base}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD }),
    redirect: "manual",
  });
  const cookie = response.headers.get("set-cookie");
  if (!cookie) throw new Error(`sign-in failed: ${response.status}`);
  return cookie.split(";")[0];
}

async function hourLongCall(server) {
  const card = await server.api("POST", "/api/v1/scorecards", { ...rulesCard, name: "Bench QA" });
  const segments = [];
  for (let i = 0; i < 900; i++) {
    const speaker = i % 2 ? "customer" : "agent";
    const text = i === 4
      ? "I am sorry about the wait, let me check that for you."
      : `Line ${i}: ${speaker === "agent" ? "thank you for calling, let me look into your account details" : "I would like to know why my bill went up this month"}.`;
    segments.push({ start: i * 4, end: i * 4 + 3.5, speaker, text });
  }
  const { status, body } = await server.api("POST", "/api/v1/upload", {
    sourceIdentifier: "bench-hour-call",
    direction: "INBOUND",
    timestamp: "2026-12-01T10:00:00Z",
    agent: { name: "Sarah Agent" },
    duration: 3600000,
    transcript: { text: "", segments },
    evaluation: { scorecardId: card.body.id },
  });
  if (status !== 200) throw new Error(`hour call: ${status} ${JSON.stringify(body)}`);
  const id = body.interactionId;
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const { body: now } = await server.api("GET", `/api/v1/interactions/${id}`);
    if (now.evaluations?.[0]?.status === "COMPLETED") return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the hour-long call was not evaluated within a minute");
}

const server = await startServer({
  env: { SCOREJAR_HTTP__RATE_LIMIT__PER_TOKEN_PER_SEC: "0", SCOREJAR_HTTP__RATE_LIMIT__PER_IP_PER_SEC: "0" },
});
try {
  server.createUser(EMAIL, PASSWORD);
  // Every seeded chat is evaluated by a rules scorecard, so the dashboard has as many
  // evaluations as the list has interactions; credits enough for all of them.
  execFileSync(binary, ["credits", "add", "--data-dir", server.dataDir, "--account", server.account, "--amount", String(TOTAL * 10)], {
    env: server.env,
    stdio: "pipe",
  });
  const card = await server.api("POST", "/api/v1/scorecards", rulesCard);
  const seconds = await seed(server, TOTAL, card.body.id);
  console.log(`seeded ${TOTAL} interactions in ${seconds.toFixed(1)} s (${(TOTAL / seconds).toFixed(0)}/s over HTTP)`);
  await waitFor(
    "every seeded evaluation to complete",
    async () => {
      for (const status of ["QUEUED", "PROCESSING"]) {
        const { body } = await server.api("GET", `/api/v1/interactions?limit=1&evaluationStatus=${status}`);
        if (body.data.length > 0) return false;
      }
      return true;
    },
    600000,
  );
  const cookie = await sessionCookie(server);

  for (const [label, path] of [
    ["interaction list, first page of 50", "/interactions"],
    ["interaction list, search q=refund", "/interactions?q=refund"],
    ["interaction list, type=CHAT&direction=OUTBOUND", "/interactions?type=CHAT&direction=OUTBOUND"],
    ["dashboard, 90 days, every scorecard", "/dashboard?days=90"],
  ]) {
    await timeRequests(server.base + path, cookie, 10); // warm-up
    const { first, whole, bytes } = await timeRequests(server.base + path, cookie, 200);
    console.log(
      `${label} (${TOTAL} stored): first byte p50 ${ms(percentile(first, 50))}, p95 ${ms(percentile(first, 95))}; ` +
        `whole page p50 ${ms(percentile(whole, 50))}, p95 ${ms(percentile(whole, 95))}; ${(bytes / 1024).toFixed(1)} KiB`,
    );
  }

  const callId = await hourLongCall(server);
  const browser = await launchBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, server, EMAIL, PASSWORD);
  await page.waitForURL(`${server.base}/interactions`);
  const interactive = [];
  const loaded = [];
  for (let i = 0; i < 22; i++) {
    await page.goto(`${server.base}/interactions/${callId}`, { waitUntil: "load" });
    const timing = await page.evaluate(() => {
      const [nav] = performance.getEntriesByType("navigation");
      return { interactive: nav.domInteractive, load: nav.loadEventEnd };
    });
    if (i >= 2) {
      interactive.push(timing.interactive);
      loaded.push(timing.load);
    }
  }
  const lines = await page.locator(".transcript .line").count();
  console.log(
    `one-hour call page (${lines} lines, scored) in headless Chromium: interactive p50 ${ms(percentile(interactive, 50))}, ` +
      `p95 ${ms(percentile(interactive, 95))}; loaded p50 ${ms(percentile(loaded, 50))}, p95 ${ms(percentile(loaded, 95))}`,
  );
  const assets = await page.evaluate(() =>
    [...document.querySelectorAll('link[rel=stylesheet], script[src]')].map((e) => e.href || e.src),
  );
  let raw = 0;
  let gzipped = 0;
  for (const url of assets) {
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    raw += body.length;
    gzipped += gzipSync(body).length;
  }
  console.log(`JavaScript and CSS shipped: ${assets.length} files, ${(raw / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
  await browser.close();
} finally {
  await server.stop();
}
