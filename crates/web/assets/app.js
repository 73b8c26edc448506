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
