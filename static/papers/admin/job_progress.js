// Follows a running job on its admin page: polls its status (JSON) every second (the
// page's data-poll-ms, JOB_STATUS_POLL_MS: shorter in the tests), moves the <progress> bar
// and its text, and reloads the page when the job ends, to show the result.
// A static file (the CSP allows no inline script); the page works without it too.
(function () {
  "use strict";
  const box = document.getElementById("job-status");
  if (!box || !["queued", "running"].includes(box.dataset.state)) return;
  const url = box.dataset.statusUrl;
  const bar = box.querySelector("progress");
  const text = box.querySelector(".job-progress-text");
  const state = box.querySelector(".job-state-value");
  const message = box.querySelector(".job-message");
  const workerDown = box.querySelector(".job-worker-down");
  const every = Number(box.dataset.pollMs) || 1000;
  let delay = every;

  function show(status) {
    state.textContent = status.state_display;
    box.dataset.state = status.state;
    if (bar) {
      if (status.total) {
        bar.max = status.total;
        bar.value = status.done;
        bar.textContent = status.percent + "%";
      } else {
        bar.removeAttribute("value");  // indeterminate until the total is known
      }
    }
    if (text) text.textContent = status.text;
    message.textContent = status.message;
    workerDown.classList.toggle("job-hidden", !status.worker_down);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (status) {
        show(status);
        delay = every;
        if (status.active) {
          window.setTimeout(poll, delay);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  // the server is busy or restarting: back off
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
