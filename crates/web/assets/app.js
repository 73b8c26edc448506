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
