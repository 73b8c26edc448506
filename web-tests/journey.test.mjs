// The main journey through the web app in real headless Chromium, on SQLite and PostgreSQL:
// sign in, find a scored call, play it from an evidence quote, read an e-mail whose body holds
// markup, be refused a forged form post, pass axe-core, sign out.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer,
  launchBrowser,
  signIn,
  waitFor,
  accessibilityProblems,
  screenshot,
  uploadScoredCall,
  rulesCard,
  fixtures,
} from "./support.mjs";
import path from "node:path";
import { createServer } from "node:http";

/** A local webhook receiver: records each request (path and `webhook-id`), answers 200. */
async function startReceiver() {
  const hits = [];
  const http = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      hits.push({ path: req.url, id: req.headers["webhook-id"] });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { hits, host: `127.0.0.1:${http.address().port}`, close: () => http.close() };
}

/**
 * A stand-in of a paid language model's Chat Completions API: every request gets the same
 * answer to the one question the AI is asked (`q1`: "Yes", quoting line 5 of the call).
 */
async function startLanguageModel() {
  const requests = [];
  const answer = {
    q1: {
      answer: "Yes",
      explanation: "The agent promised the refund today.",
      evidence: [{ line: 5, quote: "I will issue a refund today" }],
    },
  };
  const http = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests.push({ path: req.url, body });
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          choices: [{ message: { role: "assistant", content: JSON.stringify(answer) }, finish_reason: "stop" }],
          usage: { prompt_tokens: 300, completion_tokens: 40 },
        }),
      );
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${http.address().port}/v1`;
  return {
    requests,
    providers: `[{name = "standin", base_url = "${base}", models = ["judge"]}]`,
    close: () => http.close(),
  };
}

const EMAIL = "reviewer@example.com";
const PASSWORD = "correct horse battery staple";

for (const backend of ["sqlite", "postgres"]) {
  describe(`the web app on ${backend}`, () => {
    let server;
    let browser;
    let callId;
    let mailId;
    // One signed-in session for the tests that are not about signing in: the sign-in form
    // allows five attempts a minute per e-mail, as it should.
    let session;
    let receiver;
    let model;
    const signedIn = () => browser.newContext({ storageState: session });

    before(async () => {
      receiver = await startReceiver();
      model = await startLanguageModel();
      server = await startServer({
        backend,
        env: {
          SCOREJAR_FETCH__ALLOWED_INTERNAL_HOSTS: `["${receiver.host}"]`,
          SCOREJAR_LLM__PROVIDERS: model.providers,
        },
      });
      server.createUser(EMAIL, PASSWORD);
      const card = await server.api("POST", "/api/v1/scorecards", rulesCard);
      assert.equal(card.status, 201, JSON.stringify(card.body));
      callId = await uploadScoredCall(server, card.body.id, "call-web-1");
      const mail = await server.api("POST", "/api/v1/upload", {
        sourceIdentifier: "mail-web-1",
        direction: "INBOUND",
        timestamp: "2026-06-24T09:00:00Z",
        email: {
          from: "casey@example.com",
          to: ["support@example.com"],
          subject: "<b>Refund</b> please",
          body: "Hello <script>window.pwned = true; alert('xss')</script> I want my money back.",
        },
      });
      assert.equal(mail.status, 200, JSON.stringify(mail.body));
      mailId = mail.body.interactionId;
      await waitFor("the call's evaluation to complete", async () => {
        const { body } = await server.api("GET", `/api/v1/interactions/${callId}`);
        return body.evaluations?.[0]?.status === "COMPLETED";
      });
      browser = await launchBrowser();
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, server, EMAIL, PASSWORD);
      await page.waitForURL(`${server.base}/interactions`);
      session = await context.storageState();
      await context.close();
    });

    after(async () => {
      model?.close();
      await browser?.close();
      await server?.stop();
      receiver?.close();
    });

    test("a signed-out visitor is sent to sign in, and a wrong password is refused", async () => {
      const page = await browser.newPage();
      await page.goto(`${server.base}/interactions`);
      assert.match(page.url(), /\/login\?next=%2Finteractions$/);
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-login`);
      await signIn(page, server, EMAIL, "wrong password");
      await page.getByText("Wrong e-mail or password.").waitFor();
      await page.close();
    });

    test("a reviewer signs in, finds the call and plays it from an evidence quote", async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await signIn(page, server, EMAIL, PASSWORD);
      await page.waitForURL(`${server.base}/interactions`);
      const row = page.getByRole("link", { name: "call-web-1" });
      await row.waitFor();
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-interactions`);

      await row.click();
      await page.waitForURL(`${server.base}/interactions/${callId}`);
      assert.equal(await page.locator(".transcript .line").count(), 6);
      assert.match(await page.locator(".evaluation .percentage").innerText(), /^100(\.0)? %$/);
      assert.match(await page.locator(".evaluation .score").innerText(), /passed/);
      const player = page.locator("#player");
      // The recording arrives through the session-authorised media route.
      await waitFor("the player to load the recording", () =>
        player.evaluate((p) => p.readyState >= 1 && Math.round(p.duration) === 29),
      );
      const quote = page.locator('.quote[data-line="3"]');
      assert.match(await quote.innerText(), /I am sorry/);
      await quote.click();
      const time = await player.evaluate((p) => p.currentTime);
      assert.ok(Math.abs(time - 12.0) < 0.1, `player at ${time}, expected 12 s`);
      await waitFor("line 3 to be highlighted", () => page.locator("#line-3.current").count());
      assert.equal(await page.locator(".line.current").count(), 1);
      // A line's own time button seeks too.
      await page.locator('#line-5 button.seek').click();
      assert.ok(Math.abs((await player.evaluate((p) => p.currentTime)) - 20.0) < 0.1);
      await waitFor("line 5 to be highlighted", () => page.locator("#line-5.current").count());
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-interaction`);

      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than a 390 px screen`);
      await screenshot(page, `${backend}-interaction-390`);
      await context.close();
    });

    test("overriding an answer rescores the call and keeps the engine's answer in view", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/interactions/${callId}`);
      const greet = page.locator(".answer", { hasText: "Did the agent greet the caller?" });
      await greet.locator("summary").click();
      await greet.getByLabel("Answer", { exact: true }).selectOption("No");
      // Without a reason the browser will not send the form; without the check, the server refuses.
      const { body: evaluation } = await server.api("GET", `/api/v1/interactions/${callId}`);
      const evaluationId = evaluation.evaluations[0].id;
      const csrf = await greet.locator('input[name="csrf"]').inputValue();
      const noReason = await context.request.post(
        `${server.base}/interactions/${callId}/evaluations/${evaluationId}/override`,
        { form: { csrf, questionId: "greet", answer: "No" }, maxRedirects: 0 },
      );
      assert.equal(noReason.status(), 400);
      await greet.getByLabel("Reason (required)").fill("The greeting came after the caller spoke.");
      await greet.getByRole("button", { name: "Save override" }).click();
      await page.waitForURL(new RegExp(`/interactions/${callId}#evaluation-`));
      assert.match(await page.locator(".evaluation .percentage").innerText(), /^33\.3 %$/);
      assert.match(await page.locator(".evaluation .score").innerText(), /failed/);
      const corrected = page.locator(".answer", { hasText: "Did the agent greet the caller?" });
      assert.match(await corrected.locator(".chosen").innerText(), /^No$/);
      assert.match(await corrected.innerText(), /reviewer/);
      assert.match(await corrected.locator(".engine-answer").innerText(), /Engine’s answer: Yes/);
      const { body: after } = await server.api("GET", `/api/v1/score-submissions/${evaluationId}`);
      assert.equal(after.passed, false);
      await context.close();
    });

    test("the dashboard counts the overridden call, its failing question and the reviewer's disagreement", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/dashboard`);
      // One evaluation so far: the call, overridden to 33.3 % and failed.
      assert.equal(await page.locator("#evaluation-count").innerText(), "1");
      assert.equal(await page.locator("#average-score").innerText(), "33.3%");
      assert.equal(await page.locator("#pass-rate").innerText(), "0%");
      assert.match(await page.locator("#by-scorecard").innerText(), /Support QA\s+1\s+33\.3%\s+0%/);
      assert.match(await page.locator("#by-agent").innerText(), /Sarah Agent\s+1/);
      // The overridden question fails; the apology still passes.
      const questions = page.locator("#questions li");
      assert.match(await questions.nth(0).innerText(), /Did the agent greet the caller\?[\s\S]*0% passed \(0 of 1\)/);
      assert.match(await questions.nth(1).innerText(), /Did the agent apologise\?[\s\S]*100% passed \(1 of 1\)/);
      assert.match(await page.locator("#volume").innerText(), /AUDIO\s+INBOUND\s+1/);
      // Charts are drawn on the server as SVG, one bar per day, the day's figure in its title.
      assert.equal(await page.locator("svg.chart").count(), 2);
      assert.equal(await page.locator("svg.chart").first().locator("g").count(), 30);
      assert.equal(await page.locator("svg.chart rect.bar").count(), 2);
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-dashboard`);

      // One scorecard: the reviewer kept none of the AI's answers to the greeting.
      await page.getByLabel("Scorecard", { exact: true }).selectOption({ label: "Support QA" });
      await page.getByLabel("Period", { exact: true }).selectOption("7");
      await page.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(/days=7/);
      assert.equal(await page.locator("svg.chart").first().locator("g").count(), 7);
      const agreement = page.locator("#agreement");
      assert.match(await agreement.innerText(), /Did the agent greet the caller\?\s+1\s+0%/);
      assert.match(await agreement.innerText(), /Did the agent apologise\?\s+1\s+100%/);
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the dashboard is ${overflow} px wider than a 390 px screen`);
      await screenshot(page, `${backend}-dashboard-390`);
      const bad = await context.request.get(`${server.base}/dashboard?days=12`);
      assert.equal(bad.status(), 400);

      // The list filters by evaluation: the failed call, and nothing scoring above 50 %.
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${server.base}/interactions`);
      await page.getByLabel("Result").selectOption("false");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/passed=false/);
      assert.deepEqual(await page.locator("table.list tbody a").allInnerTexts(), ["call-web-1"]);
      await page.getByLabel("Score from (%)").fill("50");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/scoreMin=50/);
      assert.equal(await page.locator("table.list tbody tr").count(), 0);
      await page.getByLabel("Metadata (key=value)").fill("no equals sign");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByText("write the metadata filter as key=value").waitFor();
      await context.close();
    });

    test("an admin creates an API token, shown once, that works until revoked", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/interactions`);
      await page.getByRole("link", { name: "API tokens" }).click();
      await page.waitForURL(`${server.base}/settings/tokens`);
      await page.getByLabel("Name").fill("ci-reader");
      await page.getByLabel("read", { exact: true }).check();
      await page.getByRole("button", { name: "Create token" }).click();
      const secret = await page.getByLabel("The new token").inputValue();
      assert.match(secret, /^sj_/);
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByText(/Copied|copy/).first().waitFor();
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-tokens`);
      const use = () =>
        fetch(`${server.base}/api/v1/interactions`, { headers: { authorization: `Bearer ${secret}` } });
      assert.equal((await use()).status, 200);
      const refused = await fetch(`${server.base}/api/v1/upload`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(refused.status, 403, "a read-only token cannot upload");

      // Shown once: reloading the page lists the token without its secret.
      await page.goto(`${server.base}/settings/tokens`);
      assert.equal(await page.getByLabel("The new token").count(), 0);
      assert.ok(!(await page.content()).includes(secret));
      const row = page.locator("tr", { hasText: "ci-reader" });
      await row.getByRole("button", { name: "Revoke ci-reader" }).click();
      await page.getByText("The token was revoked.").waitFor();
      assert.equal(await page.locator("tr", { hasText: "ci-reader" }).count(), 0);
      assert.equal((await use()).status, 401);
      await context.close();
    });

    test("a recording uploaded through the page is transcribed and evaluated", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/interactions`);
      await page.getByRole("link", { name: "Upload" }).click();
      await page.waitForURL(`${server.base}/interactions/new`);
      // Refused first: no source identifier. The API's message names the field; nothing is made.
      const count = async () => (await server.api("GET", "/api/v1/interactions?limit=100")).body.data.length;
      const before = await count();
      await page.getByLabel("When it happened (UTC)").fill("2026-06-26T10:00:00");
      await page.getByRole("button", { name: "Upload" }).click();
      await page.getByText(/sourceIdentifier/).waitFor();
      assert.equal(await count(), before);
      assert.deepEqual(await accessibilityProblems(page), []);
      await page.getByLabel("Recording (audio or video)").setInputFiles(path.join(fixtures, "support_call_mono16k.wav"));
      await page.getByLabel("Source identifier (your system's id for it)").fill("call-upload-1");
      await page.getByLabel("Agent name").fill("Sarah Agent");
      await page.getByLabel("Score with").selectOption({ label: "Support QA" });
      await page.getByRole("button", { name: "Upload" }).click();
      await page.waitForURL(/\/interactions\/[0-9a-f-]{36}$/);
      // The page refreshes itself until transcription and evaluation are done.
      await page.locator(".evaluation .percentage").waitFor({ timeout: 240000 });
      const text = (await page.locator(".transcript").innerText()).toLowerCase();
      // tiny.en hears "Thank you" as "And you" at the very start; the rest is what was said.
      assert.match(text, /for calling brightline support/);
      assert.match(text, /duplicate payment/);
      assert.match(await page.locator(".steps").innerText(), /Transcript: completed/);
      assert.equal(await page.getByText("Processing…").count(), 0);
      await screenshot(page, `${backend}-uploaded`);
      assert.equal(await count(), before + 1);
      await context.close();
    });

    test("search finds a phrase said in a call and marks it", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/interactions`);
      await page.getByLabel("Search what was said or written").fill('"duplicate payment"');
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/q=/);
      const rows = page.locator("table.list tbody tr");
      // The call given with its transcript, and (when the upload test ran) the same call
      // uploaded through the page and transcribed: nothing else says it.
      const found = await rows.locator("a").allInnerTexts();
      assert.ok(found.includes("call-web-1"), found.join(", "));
      assert.ok(found.every((s) => s.startsWith("call-")), found.join(", "));
      for (let i = 0; i < found.length; i++) {
        const marked = await rows.nth(i).locator("mark").allInnerTexts();
        assert.equal(marked.join(" ").toLowerCase(), "duplicate payment");
      }
      assert.deepEqual(await accessibilityProblems(page), []);
      await page.getByLabel("Search what was said or written").fill("nonexistentword");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByText("Nothing matches “nonexistentword”.").waitFor();
      await context.close();
    });

    test("a reviewer creates a scorecard with a rule, sees the API's error inline, and activates it", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/interactions`);
      await page.getByRole("link", { name: "Scorecards" }).click();
      await page.getByRole("link", { name: "New scorecard" }).click();
      await page.waitForURL(`${server.base}/scorecards/new`);
      const name = `Empathy check ${backend}`;
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Engine", { exact: false }).fill("rules");
      const sections = (then) =>
        JSON.stringify([
          {
            name: "Care",
            questions: [
              {
                id: "sorry",
                text: "Did the agent apologise?",
                type: "SINGLE",
                answers: [{ label: "Yes", points: 1 }, { label: "No", points: 0 }],
                rules: { if: { phrase: "i am sorry", by: "AGENT" }, then, else: "No" },
              },
            ],
          },
        ], null, 2);
      await page.getByLabel(/Sections, questions/).fill(sections("Maybe"));
      await page.getByRole("button", { name: "Create scorecard" }).click();
      const error = page.locator("#form-error");
      await error.waitFor();
      assert.match(await error.innerText(), /sections\[0\]\.questions\[0\]/);
      assert.equal(await page.getByLabel(/Sections, questions/).getAttribute("aria-invalid"), "true");
      assert.deepEqual(await accessibilityProblems(page), []);
      const before = await server.api("GET", "/api/v1/scorecards?limit=100");
      assert.ok(!before.body.data.some((c) => c.name === name), "a refused form creates nothing");

      await page.getByLabel(/Sections, questions/).fill(sections("Yes"));
      await page.getByRole("button", { name: "Create scorecard" }).click();
      await page.waitForURL(/\/scorecards\/[0-9a-f-]{36}\?saved=1$/);
      assert.equal(await page.getByLabel("Status").inputValue(), "DRAFT");
      const cardUrl = page.url().replace(/\?saved=1$/, "");

      // Tried on the call while still a draft: scored, nothing stored or charged.
      const balance = (await server.api("GET", "/api/v1/credits")).body.balance;
      await page.getByRole("link", { name: "Try it on an interaction" }).click();
      const choice = page.getByLabel("Interaction", { exact: true }).locator("option", { hasText: "call-web-1 ·" });
      await page.getByLabel("Interaction", { exact: true }).selectOption(await choice.getAttribute("value"));
      await page.getByRole("button", { name: "Try it" }).click();
      await page.waitForURL(/\/try\?interaction=/);
      assert.equal(await page.locator("#trial-score").innerText(), "100.0%");
      assert.match(await page.locator("#trial").innerText(), /Did the agent apologise\?: Yes[\s\S]*line 3: “I am sorry about that/);
      assert.deepEqual(await accessibilityProblems(page), []);
      assert.equal((await server.api("GET", "/api/v1/credits")).body.balance, balance);
      const { body: stillOne } = await server.api("GET", `/api/v1/interactions/${callId}`);
      assert.equal(stillOne.evaluations.length, 1, "a try stores no evaluation");

      await page.goto(cardUrl);
      await page.getByLabel("Status").selectOption("ACTIVE");
      await page.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/saved=1$/);
      assert.equal(await page.getByLabel("Status").inputValue(), "ACTIVE");
      await screenshot(page, `${backend}-scorecard`);
      // A change of what scores makes version 2; the versions page shows what changed.
      await page.getByLabel("Passing score (%)").fill("80");
      await page.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/saved=1$/);
      await page.getByRole("link", { name: "Versions and changes" }).click();
      const changes = page.locator("#changes");
      assert.match(await changes.innerText(), /passingScore\s+absent\s+80/);
      assert.equal(await changes.locator("tbody tr").count(), 1);
      assert.deepEqual(await accessibilityProblems(page), []);
      await page.goto(`${server.base}/interactions/new`);
      const offered = await page.getByLabel("Score with").locator("option").allInnerTexts();
      assert.ok(offered.includes(name), offered.join(", "));

      // Queued on the call from its page: the new evaluation fills in as the page refreshes.
      const credits = (await server.api("GET", "/api/v1/credits")).body.balance;
      await page.goto(`${server.base}/interactions/${callId}`);
      await page.getByLabel("Evaluate again with").selectOption({ label: name });
      await page.getByRole("button", { name: "Queue evaluation" }).click();
      const added = page.locator(".evaluation", { hasText: name });
      await added.locator(".percentage").waitFor({ timeout: 60000 });
      assert.match(await added.locator(".percentage").innerText(), /^100(\.0)? %$/);
      assert.ok((await server.api("GET", "/api/v1/credits")).body.balance < credits, "the evaluation is billed");
      await context.close();
    });

    test("a try asks the AI too when asked: scored by the worker, nothing stored or charged", async () => {
      const card = await server.api("POST", "/api/v1/scorecards", {
        name: `Refund check ${backend}`,
        model: "standin/judge",
        sections: [
          {
            name: "Call",
            questions: [
              {
                id: "sorry",
                text: "Did the agent apologise?",
                type: "SINGLE",
                answers: [{ label: "Yes", points: 1 }, { label: "No", points: 0 }],
                rules: { if: { phrase: "i am sorry", by: "AGENT" }, then: "Yes", else: "No" },
              },
              {
                id: "refund",
                text: "Did the agent promise when the refund arrives?",
                type: "SINGLE",
                answers: [{ label: "Yes", points: 2 }, { label: "No", points: 0 }],
              },
            ],
          },
        ],
      });
      assert.equal(card.status, 201, JSON.stringify(card.body));
      const balance = (await server.api("GET", "/api/v1/credits")).body.balance;
      const asked = model.requests.length;
      const evaluations = (await server.api("GET", `/api/v1/interactions/${callId}`)).body.evaluations.length;
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/scorecards/${card.body.id}/try?interaction=${callId}`);
      // The rules answer at once; the AI's question waits to be asked.
      assert.match(await page.locator("#trial").innerText(), /Did the agent promise when the refund arrives\?: left to the AI/);
      assert.equal(model.requests.length, asked, "a rules try asks no model");
      await page.getByRole("button", { name: "Ask the AI too" }).click();
      await page.waitForURL(/\/try\?trial=[0-9a-f-]{36}$/);
      // The page refreshes itself until the worker has scored it.
      await page
        .locator("#trial-score, #trial .error")
        .first()
        .waitFor({ timeout: 60000 })
        .catch((e) => assert.fail(`${e.message}\nserver: ${server.log().slice(-2000)}`));
      assert.equal(await page.locator("#trial .error").count(), 0, await page.locator("#trial").innerText());
      assert.equal(await page.locator("#trial-score").innerText(), "100.0%");
      const result = await page.locator("#trial").innerText();
      assert.match(result, /by standin\/judge/);
      assert.match(result, /Did the agent promise when the refund arrives\?: Yes[\s\S]*AI[\s\S]*line 5: “I will issue a refund today/);
      assert.match(result, /Did the agent apologise\?: Yes[\s\S]*RULES/);
      assert.equal(model.requests.length, asked + 1, "the model was asked once");
      assert.match(model.requests.at(-1).body, /Did the agent promise when the refund arrives/);
      assert.deepEqual(await accessibilityProblems(page), []);
      assert.equal((await server.api("GET", "/api/v1/credits")).body.balance, balance, "a try is free");
      const { body: call } = await server.api("GET", `/api/v1/interactions/${callId}`);
      assert.equal(call.evaluations.length, evaluations, "a try stores no evaluation");
      await context.close();
    });

    test("a reviewer adds a webhook action with a live payload preview, sees its secret once and rotates it", async () => {
      const { body: cards } = await server.api("GET", "/api/v1/scorecards?limit=100");
      const card = cards.data.find((c) => c.name === "Support QA");
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/scorecards/${card.id}`);
      await page.getByRole("link", { name: "Actions", exact: true }).click();
      await page.waitForURL(`${server.base}/scorecards/${card.id}/actions`);
      await page.getByLabel("Trigger").selectOption("FAILED");
      await page.getByLabel("Webhook URL").fill(`http://${receiver.host}/qa-alerts`);
      const preview = page.locator("#preview");
      // Not JSON yet: the preview says why; then it renders the sample event through it.
      await page.getByLabel(/Payload template/).fill('{"text": {{ data.interaction.sourceIdentifier }}');
      await waitFor("the preview to refuse the template", async () => /Not valid yet: action\.payload/.test(await preview.innerText()));
      await page.getByLabel(/Payload template/).fill('{"text": {{ ("Failed: " ~ data.interaction.sourceIdentifier) | tojson }}}');
      await waitFor("the preview to render the template", async () => /"text": "Failed: /.test(await preview.innerText()));
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-actions`);
      await page.getByRole("button", { name: "Add action" }).click();
      const secret = await page.locator("#action-secret").inputValue();
      assert.match(secret, /^whsec_/);
      assert.match(await page.locator("#actions").innerText(), /PASS_FAIL \(failed\)[\s\S]*WEBHOOK[\s\S]*qa-alerts/);
      const { body: listed } = await server.api("GET", `/api/v1/scorecards/${card.id}/actions`);
      const action = listed.data.find((a) => a.action.url?.endsWith("/qa-alerts"));
      assert.equal(action.trigger.type, "PASS_FAIL");
      assert.equal(action.secret, undefined, "the API never shows the secret again");
      // Shown once: a reload has no secret; rotating shows the next one, once.
      await page.goto(`${server.base}/scorecards/${card.id}/actions`);
      assert.equal(await page.locator("#action-secret").count(), 0);
      await page.getByRole("button", { name: "Rotate secret" }).click();
      const next = await page.locator("#action-secret").inputValue();
      assert.match(next, /^whsec_/);
      assert.notEqual(next, secret);
      // Turned off and on again with one button; changed in place through its edit form.
      await page.goto(`${server.base}/scorecards/${card.id}/actions`);
      await page.getByRole("button", { name: `Turn off the action for http://${receiver.host}/qa-alerts` }).click();
      await page.waitForURL(`${server.base}/scorecards/${card.id}/actions`);
      assert.match(await page.locator("#actions").innerText(), /qa-alerts[\s\S]*off/);
      const off = await server.api("GET", `/api/v1/scorecards/${card.id}/actions/${action.id}`);
      assert.equal(off.body.enabled, false);
      await page.getByRole("link", { name: `Edit the action for http://${receiver.host}/qa-alerts` }).click();
      assert.equal(await page.getByLabel("Trigger").inputValue(), "FAILED");
      assert.equal(await page.getByLabel("Webhook URL").inputValue(), `http://${receiver.host}/qa-alerts`);
      await page.getByLabel("Trigger").selectOption("PASSED");
      await page.getByRole("button", { name: "Save action" }).click();
      await page.waitForURL(`${server.base}/scorecards/${card.id}/actions`);
      const edited = await server.api("GET", `/api/v1/scorecards/${card.id}/actions/${action.id}`);
      assert.deepEqual(edited.body.trigger, { type: "PASS_FAIL", passed: true });
      assert.match(edited.body.action.payload, /Failed: /, "the template is kept");
      assert.equal(edited.body.enabled, false, "an edit leaves it off");
      await page.getByRole("button", { name: `Turn on the action for http://${receiver.host}/qa-alerts` }).click();
      await page.waitForURL(`${server.base}/scorecards/${card.id}/actions`);
      assert.match(await page.locator("#actions").innerText(), /PASS_FAIL \(passed\)[\s\S]*qa-alerts[\s\S]*on/);
      // A URL inside this network (not on the allow-list) is refused at save, naming the field.
      await page.goto(`${server.base}/scorecards/${card.id}/actions`);
      await page.getByLabel("Webhook URL").fill("http://10.0.0.1/hook");
      await page.getByRole("button", { name: "Add action" }).click();
      assert.match(await page.locator("#action-error").innerText(), /action\.url/);
      // Deleted: no more deliveries to it.
      await page.getByRole("button", { name: "Delete" }).click();
      await page.waitForURL(`${server.base}/scorecards/${card.id}/actions`);
      const { body: after } = await server.api("GET", `/api/v1/scorecards/${card.id}/actions`);
      assert.ok(!after.data.some((a) => a.id === action.id));
      await context.close();
    });

    test("a scorecard is built with the structured editor, which writes the JSON the API validates", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/scorecards/new`);
      const name = `Courtesy ${backend}`;
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Engine", { exact: false }).fill("rules");
      const editor = page.locator("#card-editor");
      // The new form's example comes as fields; emptying the JSON empties the editor.
      assert.ok(await editor.getByLabel("Section name").count() > 0);
      await page.getByLabel(/Sections, questions/).fill("[]");
      assert.equal(await editor.getByLabel("Section name").count(), 0);
      await editor.getByRole("button", { name: "Add section" }).click();
      await editor.getByLabel("Section name").fill("Courtesy");
      await editor.getByRole("button", { name: "Add question" }).click();
      await editor.getByLabel("Question", { exact: true }).fill("Did the agent thank the caller?");
      await editor.getByLabel("Id", { exact: true }).fill("thanks");
      await editor.getByLabel("Auto-fail").nth(1).check();
      await editor.getByLabel("Points (empty: N/A)").nth(0).fill("2");
      await editor.getByRole("button", { name: "Add answer" }).click();
      await editor.getByLabel("Answer", { exact: true }).nth(2).fill("Not a call");
      await editor.getByLabel(/^Rules/).fill('{"if": {"phrase": "thank you", "by": "AGENT"}, "then": "Yes", "else": "No"}');
      // The JSON field follows the fields.
      const json = JSON.parse(await page.getByLabel(/Sections, questions/).inputValue());
      assert.equal(json[0].questions[0].id, "thanks");
      assert.deepEqual(json[0].questions[0].answers, [
        { label: "Yes", points: 2 }, { label: "No", points: 0, autoFail: true }, { label: "Not a call", points: 0 }]);
      await editor.getByLabel("Points (empty: N/A)").nth(2).fill("");
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-scorecard-editor`);
      await page.getByRole("button", { name: "Create scorecard" }).click();
      await page.waitForURL(/\/scorecards\/[0-9a-f-]{36}\?saved=1$/);
      const id = page.url().match(/scorecards\/([0-9a-f-]{36})/)[1];
      const { body: saved } = await server.api("GET", `/api/v1/scorecards/${id}`);
      const question = saved.sections[0].questions[0];
      assert.equal(question.text, "Did the agent thank the caller?");
      assert.deepEqual(question.answers.map((a) => [a.label, a.points, a.autoFail]),
        [["Yes", 2, false], ["No", 0, true], ["Not a call", null, false]]);
      assert.equal(question.rules.then, "Yes");
      // Back on the page, the editor is built from what was saved.
      assert.equal(await page.locator("#card-editor").getByLabel("Question", { exact: true }).inputValue(), "Did the agent thank the caller?");
      await context.close();
    });

    test("the credits and the webhook delivery log show what happened, and a delivery is sent again", async () => {
      const endpoint = await server.api("POST", "/api/v1/webhook-endpoints", {
        url: `http://${receiver.host}/hook`,
        eventTypes: ["interaction.created"],
      });
      assert.equal(endpoint.status, 201, JSON.stringify(endpoint.body));
      const chat = await server.api("POST", "/api/v1/upload", {
        sourceIdentifier: `chat-hook-${backend}`,
        direction: "INBOUND",
        timestamp: "2026-06-27T09:00:00Z",
        transcript: { text: "Agent: Hello\nCustomer: Hi" },
      });
      assert.equal(chat.status, 200, JSON.stringify(chat.body));
      await waitFor("the webhook to arrive", () => receiver.hits.length === 1);
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/settings/credits`);
      const { body: credits } = await server.api("GET", "/api/v1/credits");
      assert.equal(await page.locator("#balance").innerText(), String(credits.balance));
      assert.ok((await page.locator("table.list tbody tr").count()) >= 2, "the ledger lists the grant and the charges");
      assert.deepEqual(await accessibilityProblems(page), []);

      await page.getByRole("link", { name: "Webhooks" }).click();
      await page.waitForURL(`${server.base}/settings/webhooks`);
      // The endpoint's URL is shown once as text (its edit form also names it, for screen readers).
      await page.locator("code", { hasText: `http://${receiver.host}/hook` }).waitFor();
      const delivery = page.locator(".delivery", { hasText: "interaction.created" });
      await waitFor("the delivery to be recorded as delivered", async () => {
        await page.reload();
        return /delivered/.test(await delivery.innerText());
      });
      await delivery.locator("summary").click();
      assert.match(await delivery.locator("table").innerText(), /200/);
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-webhooks`);
      await delivery.getByRole("button", { name: /Redeliver/ }).click();
      await waitFor("the redelivery to arrive", () => receiver.hits.length === 2);
      assert.equal(receiver.hits[1].id, receiver.hits[0].id, "the same webhook-id");
      await waitFor("the second attempt to be recorded", async () => {
        await page.reload();
        return /2 attempts/.test(await delivery.innerText());
      });
      await context.close();
    });

    test("an admin creates a webhook endpoint, sees its secret once, turns it off, rotates and deletes it", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/settings/webhooks`);
      await page.getByText("New endpoint").click();
      const create = page.locator("#new-endpoint");
      await create.getByLabel("URL", { exact: true }).fill("http://10.0.0.1/events");
      await create.getByRole("button", { name: "Create endpoint" }).click();
      assert.match(await page.locator("#endpoint-error").innerText(), /url/);
      const url = `http://${receiver.host}/crm-events`;
      await create.getByLabel("URL", { exact: true }).fill(url);
      await create.getByLabel("evaluation.completed").check();
      await create.getByLabel("Description").fill("CRM sync");
      await create.getByRole("button", { name: "Create endpoint" }).click();
      const secret = await page.locator("#endpoint-secret").inputValue();
      assert.match(secret, /^whsec_/);
      const row = page.locator("#endpoints li", { hasText: "crm-events" });
      assert.match(await row.innerText(), /enabled[\s\S]*evaluation\.completed[\s\S]*CRM sync/);
      assert.deepEqual(await accessibilityProblems(page), []);
      // Changed in place: every event now, a new description; the secret stays.
      await row.getByText("Edit").click();
      const change = page.getByRole("form", { name: `Edit ${url}` });
      await change.getByLabel("evaluation.completed").uncheck();
      await change.getByLabel(/Description/).fill("CRM sync v2");
      await change.getByRole("button", { name: `Save ${url}` }).click();
      await page.waitForURL(`${server.base}/settings/webhooks`);
      assert.match(await page.locator("#endpoints li", { hasText: "crm-events" }).innerText(), /every event · CRM sync v2/);
      assert.equal(await page.locator("#endpoint-secret").count(), 0);
      await page.getByRole("button", { name: `Disable ${url}` }).click();
      await page.waitForURL(`${server.base}/settings/webhooks`);
      assert.match(await page.locator("#endpoints li", { hasText: "crm-events" }).innerText(), /disabled/);
      const { body: listed } = await server.api("GET", "/api/v1/webhook-endpoints");
      const endpoint = listed.data.find((e) => e.url === url);
      assert.equal(endpoint.enabled, false);
      await page.getByRole("button", { name: `Rotate secret of ${url}` }).click();
      const next = await page.locator("#endpoint-secret").inputValue();
      assert.match(next, /^whsec_/);
      assert.notEqual(next, secret);
      await page.getByRole("button", { name: `Delete ${url}` }).click();
      await page.waitForURL(`${server.base}/settings/webhooks`);
      const { body: after } = await server.api("GET", "/api/v1/webhook-endpoints");
      assert.ok(!after.data.some((e) => e.id === endpoint.id));
      await context.close();
    });

    test("an e-mail body holding a script shows as text and never runs", async () => {
      const context = await signedIn();
      const page = await context.newPage();
      let dialogs = 0;
      page.on("dialog", (dialog) => {
        dialogs += 1;
        dialog.dismiss();
      });
      await page.goto(`${server.base}/interactions`);
      // The list's filter form narrows it to e-mails.
      await page.getByLabel("Type").selectOption("EMAIL");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/type=EMAIL/);
      const links = await page.locator("table.list tbody a").allInnerTexts();
      assert.deepEqual(links, ["mail-web-1"]);
      await page.getByRole("link", { name: "mail-web-1" }).click();
      await page.waitForURL(`${server.base}/interactions/${mailId}`);
      await page.getByText("<script>window.pwned = true; alert('xss')</script>", { exact: false }).waitFor();
      assert.equal(await page.evaluate(() => window.pwned), undefined);
      assert.equal(await page.locator("main script").count(), 0);
      assert.equal(await page.locator("main b").count(), 0, "the subject's <b> is text, not markup");
      assert.equal(dialogs, 0);
      await context.close();
    });

    test("a reviewer tags an interaction from its page and takes the tag off again", async () => {
      const created = await server.api("POST", "/api/v1/tags", { name: "Escalation" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/interactions/${mailId}`);
      await page.getByLabel("Add a tag").selectOption({ label: "Escalation" });
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await page.waitForURL(new RegExp(`/interactions/${mailId}#h-tags`));
      assert.match(await page.locator("#tags").innerText(), /Escalation/);
      const { body: tagged } = await server.api("GET", `/api/v1/interactions?tag=Escalation`);
      assert.deepEqual(tagged.data.map((i) => i.id), [mailId]);
      // Once carried, the tag is no longer offered.
      assert.equal(await page.locator("#add-tag option", { hasText: "Escalation" }).count(), 0);
      await page.getByRole("button", { name: "Remove tag Escalation" }).click();
      await page.waitForURL(new RegExp(`/interactions/${mailId}#h-tags`));
      assert.doesNotMatch(await page.locator("#tags").innerText(), /Escalation/);
      const { body: untagged } = await server.api("GET", `/api/v1/interactions/${mailId}`);
      assert.deepEqual(untagged.tags, []);
      await context.close();
    });

    test("an interaction's page shows what the scorecard's actions did there", async () => {
      const card = await server.api("POST", "/api/v1/scorecards", { ...rulesCard, name: "Auto-tagging QA" });
      assert.equal(card.status, 201, JSON.stringify(card.body));
      const action = await server.api("POST", `/api/v1/scorecards/${card.body.id}/actions`, {
        trigger: { type: "EVALUATION_COMPLETED" },
        action: { type: "ADD_TAG", tag: "Auto-reviewed" },
      });
      assert.equal(action.status, 201, JSON.stringify(action.body));
      const chat = await server.api("POST", "/api/v1/upload", {
        sourceIdentifier: `chat-actions-${backend}`,
        direction: "INBOUND",
        timestamp: "2026-06-28T09:00:00Z",
        transcript: { text: "Agent: Thank you for calling, this is Dana\nCustomer: Hi" },
        evaluation: { scorecardId: card.body.id },
      });
      assert.equal(chat.status, 200, JSON.stringify(chat.body));
      const id = chat.body.interactionId;
      await waitFor("the action to run", async () => {
        const { body } = await server.api("GET", `/api/v1/interactions/${id}/action-runs`);
        return body.data?.length === 1;
      });
      const context = await signedIn();
      const page = await context.newPage();
      await page.goto(`${server.base}/interactions/${id}`);
      assert.match(await page.locator(".action-run").innerText(), /add tag “Auto-reviewed”: done/);
      assert.match(await page.locator("#tags").innerText(), /Auto-reviewed/);
      assert.deepEqual(await accessibilityProblems(page), []);
      await context.close();
    });

    test("an AGENT sees only their own calls, and is refused another's page and recording", async () => {
      const { body: call } = await server.api("GET", `/api/v1/interactions/${callId}`);
      const agentEmail = `sarah-${backend}@example.com`;
      server.createUser(agentEmail, PASSWORD, ["--role", "AGENT", "--agent", call.agent.id]);
      const other = await server.api("POST", "/api/v1/upload", {
        sourceIdentifier: "call-someone-else",
        direction: "INBOUND",
        timestamp: "2026-06-25T09:00:00Z",
        agent: { name: "Eve Agent", email: "eve@example.com" },
        transcript: { text: "Agent: Hello\nCustomer: Hi" },
      });
      assert.equal(other.status, 200, JSON.stringify(other.body));
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, server, agentEmail, PASSWORD);
      await page.waitForURL(`${server.base}/interactions`);
      const links = await page.locator("table.list tbody a").allInnerTexts();
      assert.deepEqual(links, ["call-web-1"]);
      const refused = await page.goto(`${server.base}/interactions/${other.body.interactionId}`);
      assert.equal(refused.status(), 403);
      await page.getByText("another agent's").waitFor();
      const mail = await context.request.get(`${server.base}/interactions/${mailId}/media`);
      assert.equal(mail.status(), 403);
      const own = await page.goto(`${server.base}/interactions/${callId}`);
      assert.equal(own.status(), 200);
      // Their dashboard counts their own calls only: no one else's chat, no unassigned e-mail,
      // and no report on reviewers.
      await page.goto(`${server.base}/dashboard`);
      const agents = await page.locator("#by-agent tbody tr td:first-child").allInnerTexts();
      assert.deepEqual([...new Set(agents)], ["Sarah Agent"]);
      assert.doesNotMatch(await page.locator("#volume").innerText(), /CHAT|EMAIL/);
      assert.equal(await page.locator("#h-agreement").count(), 0);
      await context.close();
    });

    test("an admin invites a user, who sets a password with the one-time link, and later loses access", async () => {
      const admin = await signedIn();
      const page = await admin.newPage();
      await page.goto(`${server.base}/settings/users`);
      // An AGENT must be linked to their participant: refused, naming the field.
      const invitee = `vera-${backend}@example.com`;
      const inviteForm = () => page.getByRole("region", { name: "Invite someone" });
      await inviteForm().getByLabel("E-mail").fill(invitee);
      await inviteForm().getByLabel("Role").selectOption("AGENT");
      await inviteForm().getByRole("button", { name: "Invite" }).click();
      assert.match(await page.locator("#user-error").innerText(), /agent participant[\s\S]*\(agent\)/);
      await inviteForm().getByLabel("E-mail").fill(invitee);
      await inviteForm().getByLabel("Role").selectOption("VIEWER");
      await inviteForm().getByRole("button", { name: "Invite" }).click();
      const link = await page.locator("#password-link").inputValue();
      assert.match(link, /\/set-password\/sjp_/);
      assert.deepEqual(await accessibilityProblems(page), []);
      await screenshot(page, `${backend}-users`);
      // Until the link is used, no password signs them in.
      const { status: noPassword } = await server.api("POST", "/api/v1/auth/login", { email: invitee, password: "!invited" });
      assert.equal(noPassword, 401);

      const visitor = await browser.newContext();
      const theirs = await visitor.newPage();
      await theirs.goto(link);
      await theirs.getByLabel("New password").fill("a long new password");
      await theirs.getByLabel("The same again").fill("a different password");
      await theirs.getByRole("button", { name: "Set password" }).click();
      assert.match(await theirs.locator("#password-error").innerText(), /differ/);
      await theirs.getByLabel("New password").fill("a long new password");
      await theirs.getByLabel("The same again").fill("a long new password");
      await theirs.getByRole("button", { name: "Set password" }).click();
      await theirs.waitForURL(/\/login\?password=set/);
      await theirs.getByText("Your password is set.").waitFor();
      await signIn(theirs, server, invitee, "a long new password");
      await theirs.waitForURL(`${server.base}/interactions`);
      // A VIEWER reads; the upload and settings are not theirs.
      assert.equal(await theirs.getByRole("link", { name: "Upload", exact: true }).count(), 0);
      assert.equal((await theirs.goto(`${server.base}/settings/users`)).status(), 403);
      // The link worked once.
      assert.equal((await theirs.goto(link)).status(), 404);

      // The admin makes them a reviewer, then deactivates them: their session ends at once.
      await page.goto(`${server.base}/settings/users`);
      const row = page.getByRole("form", { name: invitee });
      await row.getByLabel("Role").selectOption("REVIEWER");
      await row.getByRole("button", { name: `Save ${invitee}` }).click();
      await page.getByText(`Saved ${invitee}.`).waitFor();
      const { status: asReviewer } = await server.api("POST", "/api/v1/auth/login", { email: invitee, password: "a long new password" });
      assert.equal(asReviewer, 200);
      await page.getByRole("form", { name: invitee }).getByLabel("active").uncheck();
      await page.getByRole("button", { name: `Save ${invitee}` }).click();
      await page.getByText(`Saved ${invitee}.`).waitFor();
      assert.match(await page.getByRole("form", { name: invitee }).innerText(), /deactivated/);
      await theirs.goto(`${server.base}/interactions`);
      assert.match(theirs.url(), /\/login\?next=/);
      const { status: deactivated } = await server.api("POST", "/api/v1/auth/login", { email: invitee, password: "a long new password" });
      assert.equal(deactivated, 401);

      // An admin cannot lock themselves out.
      const mine = page.getByRole("form", { name: EMAIL });
      await mine.getByLabel("active").uncheck();
      await page.getByRole("button", { name: `Save ${EMAIL}` }).click();
      assert.match(await page.locator("#user-error").innerText(), /cannot deactivate yourself/);
      await visitor.close();
      await admin.close();
    });

    test("every main page fits a 390 px screen, passes axe-core and is reachable by keyboard", async () => {
      const { body: cards } = await server.api("GET", "/api/v1/scorecards?limit=100");
      const card = cards.data.find((c) => c.name === "Support QA");
      const pages = [
        "/dashboard", "/interactions", `/interactions/${callId}`, `/interactions/${mailId}`,
        "/interactions/new", "/scorecards", `/scorecards/${card.id}`, `/scorecards/${card.id}/actions`,
        `/scorecards/${card.id}/versions`, `/scorecards/${card.id}/try?interaction=${callId}`,
        "/settings/tokens", "/settings/users", "/settings/credits", "/settings/webhooks",
      ];
      const context = await browser.newContext({ ...session ? { storageState: session } : {}, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      for (const route of pages) {
        const answer = await page.goto(`${server.base}${route}`);
        assert.equal(answer.status(), 200, route);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${route} is ${overflow} px wider than a 390 px screen`);
        assert.deepEqual(await accessibilityProblems(page), [], route);
        // The first Tab reaches the skip link; Enter moves focus to the page's content.
        await page.keyboard.press("Tab");
        assert.equal(await page.evaluate(() => document.activeElement?.className), "skip", route);
        await page.keyboard.press("Enter");
        assert.equal(await page.evaluate(() => document.activeElement?.id), "main", route);
      }
      // Keyboard only: from the list, Tab to the call's link and open it with Enter.
      await page.goto(`${server.base}/interactions`);
      let found = false;
      for (let i = 0; i < 60 && !found; i++) {
        await page.keyboard.press("Tab");
        found = await page.evaluate(() => document.activeElement?.textContent?.trim() === "call-web-1");
      }
      assert.ok(found, "the call's link is reachable with Tab");
      await page.keyboard.press("Enter");
      await page.waitForURL(`${server.base}/interactions/${callId}`);
      await context.close();
    });

    test("a form post without the session's CSRF token, or from another site, is refused", async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, server, EMAIL, PASSWORD);
      await page.waitForURL(`${server.base}/interactions`);
      const bare = await context.request.post(`${server.base}/logout`, { form: {}, maxRedirects: 0 });
      assert.equal(bare.status(), 403);
      const forged = await context.request.post(`${server.base}/logout`, {
        form: { csrf: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        maxRedirects: 0,
      });
      assert.equal(forged.status(), 403);
      // Still signed in: the refused posts changed nothing.
      await page.goto(`${server.base}/interactions`);
      assert.equal(page.url(), `${server.base}/interactions`);
      const crossSite = await context.request.post(`${server.base}/login`, {
        form: { email: EMAIL, password: PASSWORD },
        headers: { origin: "https://evil.example" },
        maxRedirects: 0,
      });
      assert.equal(crossSite.status(), 403);

      // Signing out through the page's own form works, and ends the session.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/login$/);
      await page.goto(`${server.base}/interactions`);
      assert.match(page.url(), /\/login\?next=/);
      await context.close();
    });
  });
}
