/* A seed job's page: while the job runs, ask for its state every second and show the rows
   done, the rate and the time left; when it ends, load the page again to show what it did.
   Served from static/: the page's CSP allows no inline script. */
(function () {
  "use strict";
  var section = document.getElementById("seed-job");
  if (!section || section.getAttribute("data-active") !== "1") { return; }
  var url = section.getAttribute("data-state-url");

  function set(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }

  function show(state) {
    set("job-status", state.status);
    set("job-phase", state.phase);
    set("job-rows", String(state.rows_done));
    set("job-total", state.rows_total ? String(state.rows_total) : "?");
    set("job-rate", state.rate === null ? "–" : String(state.rate));
    set("job-left", state.seconds_left === null ? "–" : String(state.seconds_left));
    var bar = document.getElementById("job-progress");
    if (bar) {
      bar.max = state.rows_total || 1;
      bar.value = state.rows_done;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (reply) {
        if (!reply.ok) { throw new Error(String(reply.status)); }
        return reply.json();
      })
      .then(function (state) {
        show(state);
        if (state.active) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });  // a restart or a blip: keep asking
  }
  window.setTimeout(poll, 1000);
}());
