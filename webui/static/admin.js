/* Admin console: live progress of an indexing job. The page works without it (a refresh link). */
(function () {
  "use strict";
  var TERMINAL = ["done", "failed", "interrupted"];
  var POLL_MS = 1000;
  var RETRY_MS = 3000;

  var live = document.getElementById("job-live");
  if (!live || !window.fetch) return;
  var url = live.getAttribute("data-json-url");
  if (TERMINAL.indexOf(live.getAttribute("data-state")) >= 0) return;
  var lang = document.documentElement.lang || "fr";

  function byId(id) { return document.getElementById(id); }

  function setText(id, text) {
    var element = byId(id);
    if (element) element.textContent = text;
  }

  function number(value) {
    return typeof value === "number" ? value.toLocaleString(lang) : "?";
  }

  function decimal(value) {
    return (typeof value === "number" ? value : 0).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }

  function fillList(sectionId, listId, lines) {
    var list = byId(listId);
    var section = byId(sectionId);
    if (!list || !section) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    (lines || []).forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    section.hidden = !(lines && lines.length);
  }

  function showProgress(job, finished) {
    var progress = byId("job-progress");
    if (!progress) return;
    if (typeof job.total === "number" && job.total > 0) {
      progress.max = job.total;
      progress.value = finished ? job.total : Math.min(job.done, job.total);
    } else if (finished) {
      progress.max = 1;
      progress.value = 1;
    } else {
      progress.removeAttribute("value");  // indeterminate until the run has counted its documents
    }
    setText("job-done", number(job.done));
    setText("job-total", typeof job.total === "number" ? number(job.total) : "?");
  }

  function showReport(report) {
    if (!report) return;
    ["added", "updated", "deleted", "unchanged", "documents"].forEach(function (key) {
      setText("report-" + key, number(report[key] || 0));
    });
    setText("report-merged-count", number((report.merged || []).length));
    setText("report-failed-count", number((report.failed || []).length));
    setText("report-seconds", decimal(report.seconds));
    setText("report-rate", decimal(report.docs_per_second));
    fillList("report-failed-section", "report-failed", report.failed);
    fillList("report-merged-section", "report-merged", report.merged);
    fillList("report-deleted-section", "report-deleted", report.deleted_ids);
    byId("job-report").hidden = false;
  }

  function render(job) {
    var finished = TERMINAL.indexOf(job.state) >= 0;
    var state = byId("job-state");
    if (state) {
      state.textContent = job.state_label;
      state.className = "job-state state-" + job.state;
    }
    live.setAttribute("data-state", job.state);
    setText("job-kind", job.kind_label || "");
    if (job.id && byId("job-id") && byId("job-id").textContent !== job.id) {
      // The run has recorded its job: show its id, and make a refresh land on its own page.
      setText("job-id", job.id);
      if (window.history && history.replaceState && job.url) history.replaceState(null, "", job.url);
    }
    setText("job-finished", job.finished_at || "");
    showProgress(job, finished);
    var currentLine = byId("job-current-line");
    if (currentLine) {
      setText("job-current", job.current || "");
      currentLine.hidden = finished || !job.current;
    }
    if (job.error) {
      setText("job-error-text", job.error);
      byId("job-error").hidden = false;
    }
    if (finished) {
      showReport(job.report);
      byId("job-refresh").hidden = true;
    }
    return finished;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (!render(job)) window.setTimeout(poll, POLL_MS);
      })
      .catch(function () { window.setTimeout(poll, RETRY_MS); });
  }

  poll();
})();
