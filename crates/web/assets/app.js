// scorejar web app: the few behaviours pages need beyond HTML, with no library.
// The interaction page: the transcript line being spoken is highlighted while the recording
// plays; a line's time button and an evidence quote seek the player to that line; a quote
// also highlights its line and scrolls it into view (without media, it only highlights).
// A copy button puts the value of the field it names on the clipboard.
"use strict";

document.addEventListener("click", function (event) {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const said = button.parentElement.querySelector(".copied");
  field.select();
  const done = function () { if (said) said.textContent = "Copied."; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (said) said.textContent = "Select the token and copy it.";
    });
  } else {
    // Plain-http deployments have no clipboard API: the field is selected for the user.
    if (said) said.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
  }
});

(function () {
  const player = document.getElementById("player");
  const lines = Array.from(document.querySelectorAll(".transcript .line"));

  function mark(line) {
    for (const other of lines) {
      if (other !== line) {
        other.classList.remove("current");
        other.removeAttribute("aria-current");
      }
    }
    if (line) {
      line.classList.add("current");
      line.setAttribute("aria-current", "true");
    }
  }

  function lineAt(seconds) {
    let found = null;
    for (const line of lines) {
      const start = parseFloat(line.dataset.start);
      if (!Number.isNaN(start) && start <= seconds + 0.05) found = line;
    }
    return found;
  }

  function seek(seconds) {
    if (!player || Number.isNaN(seconds)) return;
    player.currentTime = seconds;
    mark(lineAt(seconds));
  }

  if (player) {
    player.addEventListener("timeupdate", function () {
      mark(lineAt(player.currentTime));
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.seek, button.quote");
    if (!button) return;
    const start = parseFloat(button.dataset.start);
    if (!Number.isNaN(start)) seek(start);
    if (button.dataset.line) {
      const line = document.getElementById("line-" + button.dataset.line);
      if (line) {
        mark(line);
        line.scrollIntoView({ block: "center" });
      }
    }
  });
})();

// The upload page: the form becomes the API's own upload body — multipart (`file` and a JSON
// `payload`) with a recording, JSON with a pasted chat — sent with the session's CSRF token;
// on success the browser goes to the new interaction, else the API's message is shown.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const fileInput = document.getElementById("file");
  const drop = document.getElementById("drop-zone");
  const said = document.getElementById("upload-error");

  drop.addEventListener("dragover", function (event) {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) fileInput.files = event.dataTransfer.files;
  });

  function value(name) {
    const field = form.elements[name];
    return field ? field.value.trim() : "";
  }

  function payload() {
    const body = {
      sourceIdentifier: value("sourceIdentifier"),
      direction: value("direction"),
      timestamp: value("timestamp") ? new Date(value("timestamp") + "Z").toISOString() : "",
    };
    const agent = {};
    if (value("agentName")) agent.name = value("agentName");
    if (value("agentEmail")) agent.email = value("agentEmail");
    if (Object.keys(agent).length) body.agent = agent;
    if (value("customerName")) body.customer = { name: value("customerName") };
    if (value("chat")) body.transcript = { text: form.elements.chat.value };
    if (value("scorecardId")) body.evaluation = { scorecardId: value("scorecardId") };
    return body;
  }

  function show(message) {
    said.textContent = message;
    said.hidden = false;
    said.focus();
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    said.hidden = true;
    const headers = { "x-csrf-token": form.dataset.csrf };
    let body;
    if (fileInput.files.length) {
      body = new FormData();
      body.append("payload", JSON.stringify(payload()));
      body.append("file", fileInput.files[0]);
    } else {
      headers["content-type"] = "application/json";
      body = JSON.stringify(payload());
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch("/interactions/upload", { method: "POST", headers, body });
      const answer = await response.json().catch(function () { return {}; });
      if (response.ok && answer.interactionId) {
        window.location.assign("/interactions/" + answer.interactionId);
        return;
      }
      const error = answer.error || {};
      show((error.field ? error.field + ": " : "") + (error.message || "The upload failed (" + response.status + ")."));
    } catch (e) {
      show("The upload could not be sent: " + e.message);
    } finally {
      button.disabled = false;
    }
  });
})();

// The actions form's live preview: the form as it stands, rendered by the server against a
// sample event, shortly after each change.
(function () {
  var form = document.getElementById("action-form");
  var out = document.getElementById("preview");
  if (!form || !out) return;
  var timer = null;
  async function refresh() {
    var body = new URLSearchParams(new FormData(form));
    try {
      var answer = await fetch(form.dataset.preview, {
        method: "POST",
        headers: { "x-csrf-token": form.dataset.csrf },
        body: body,
      });
      var data = await answer.json();
      out.textContent = data.payload !== undefined
        ? JSON.stringify(data.payload, null, 2)
        : "Not valid yet: " + (data.field ? data.field + ": " : "") + data.error;
      out.classList.toggle("invalid", data.payload === undefined);
    } catch (e) {
      out.textContent = "The preview is unavailable.";
    }
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  refresh();
})();

// The scorecard form's structured editor: sections, questions, answers (points; empty = N/A),
// auto-fail, slider bounds and rules, edited as fields. The JSON field stays the one thing the
// form sends — the editor writes it on every change, and rebuilds itself from it when it is
// edited by hand and valid — so the server's validation is the only one.
(function () {
  var host = document.getElementById("card-editor");
  var field = host && document.getElementById(host.dataset.for);
  if (!host || !field) return;
  var state = [];
  var serial = 0;
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "text") node.textContent = props[k];
      else if (k === "on") Object.keys(props.on).forEach(function (e) { node.addEventListener(e, props.on[e]); });
      else node.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function labelled(text, input) {
    var id = "ed-" + (++serial);
    input.id = id;
    return el("div", { class: "ed-field" }, [el("label", { for: id, text: text }), input]);
  }
  function write() { field.value = JSON.stringify(state, null, 2); }
  function input(value, onChange, type) {
    return el("input", { type: type || "text", value: value === undefined || value === null ? "" : String(value),
      on: { input: function (e) { onChange(e.target.value); write(); } } });
  }
  function number(text) { return text.trim() === "" ? null : Number(text); }
  function button(text, onClick, cls) {
    return el("button", { type: "button", class: cls || "secondary", text: text, on: { click: function () { onClick(); write(); draw(); } } });
  }
  function answerRow(q, a, i) {
    var fail = el("input", { type: "checkbox", on: { change: function (e) { a.autoFail = e.target.checked; write(); } } });
    fail.checked = !!a.autoFail;
    return el("li", { class: "ed-answer" }, [
      labelled("Answer", input(a.label, function (v) { a.label = v; })),
      labelled("Points (empty: N/A)", input(a.points, function (v) { a.points = number(v); })),
      labelled("Auto-fail", fail),
      button("Remove answer", function () { q.answers.splice(i, 1); }, "danger"),
    ]);
  }
  function questionBox(section, q, i) {
    var type = el("select", { on: { change: function (e) {
      q.type = e.target.value;
      if (q.type === "SLIDER") { delete q.answers; q.min = q.min || 0; q.max = q.max || 10; }
      else { delete q.min; delete q.max; delete q.step; q.answers = q.answers || [{ label: "Yes", points: 1 }, { label: "No", points: 0 }]; }
      write(); draw();
    } } }, ["SINGLE", "MULTIPLE", "SLIDER"].map(function (t) { return el("option", { value: t, text: t }); }));
    type.value = q.type || "SINGLE";
    var rules = el("textarea", { rows: "3", class: "code", spellcheck: "false", on: { input: function (e) {
      var text = e.target.value.trim();
      if (text === "") { delete q.rules; write(); e.target.removeAttribute("aria-invalid"); return; }
      try { q.rules = JSON.parse(text); write(); e.target.removeAttribute("aria-invalid"); }
      catch (err) { e.target.setAttribute("aria-invalid", "true"); }
    } } });
    rules.value = q.rules ? JSON.stringify(q.rules) : "";
    var parts = [
      labelled("Question", input(q.text, function (v) { q.text = v; })),
      labelled("Id", input(q.id, function (v) { q.id = v; })),
      labelled("Type", type),
    ];
    if (q.type === "SLIDER") {
      parts.push(labelled("Min", input(q.min, function (v) { q.min = number(v); })));
      parts.push(labelled("Max", input(q.max, function (v) { q.max = number(v); })));
      parts.push(labelled("Step", input(q.step, function (v) { q.step = number(v); })));
    } else {
      parts.push(el("ul", { class: "ed-answers" }, (q.answers || []).map(function (a, j) { return answerRow(q, a, j); })));
      parts.push(button("Add answer", function () { (q.answers = q.answers || []).push({ label: "", points: 0 }); }));
    }
    parts.push(labelled("Rules (JSON; empty: the AI answers)", rules));
    parts.push(button("Remove question", function () { section.questions.splice(i, 1); }, "danger"));
    return el("li", { class: "ed-question" }, parts);
  }
  function draw() {
    host.textContent = "";
    state.forEach(function (section, i) {
      section.questions = section.questions || [];
      host.appendChild(el("fieldset", { class: "ed-section" }, [
        el("legend", { text: "Section " + (i + 1) }),
        labelled("Section name", input(section.name, function (v) { section.name = v; })),
        el("ol", { class: "ed-questions" }, section.questions.map(function (q, j) { return questionBox(section, q, j); })),
        button("Add question", function () {
          section.questions.push({ id: "q" + Date.now().toString(36), text: "", type: "SINGLE",
            answers: [{ label: "Yes", points: 1 }, { label: "No", points: 0 }] });
        }),
        button("Remove section", function () { state.splice(i, 1); }, "danger"),
      ]));
    });
    host.appendChild(button("Add section", function () { state.push({ name: "", questions: [] }); }));
  }
  function load() {
    try {
      var parsed = JSON.parse(field.value.trim() === "" ? "[]" : field.value);
      if (!Array.isArray(parsed)) throw new Error("not a list");
      state = parsed;
      host.removeAttribute("data-stale");
      draw();
    } catch (e) {
      host.setAttribute("data-stale", "true");
      host.textContent = "The JSON above is not valid; fix it there to go on with the fields.";
    }
  }
  field.addEventListener("input", load);
  load();
})();
