/* Live status of a batch or a document page.
 *
 * Polls the element's data-poll-url with setTimeout, re-armed only after each answer so polls never
 * overlap. Sends If-None-Match with the last ETag; a 304 means nothing changed and the interval
 * grows, a change brings it back to the base interval (body[data-poll-interval]). Network errors
 * and a restarting server show a quiet "reconnecting" hint and retry with exponential backoff.
 * Polling stops at a final status. Without scripts the page still shows the state on reload.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-poll-url]");
  if (!root || root.getAttribute("data-final") === "true") return;

  var url = root.getAttribute("data-poll-url");
  var kind = root.getAttribute("data-poll-kind");
  var base = parseInt(document.body.getAttribute("data-poll-interval"), 10) || 1500;
  var maxIdle = Math.max(base * 8, 10000);
  var maxError = 30000;
  var hint = root.querySelector("[data-poll-hint]");

  var etag = root.getAttribute("data-etag") || null;
  var delay = base;
  var failures = 0;
  var timer = null;
  var stopped = false;

  var BATCH_FINAL = ["completed", "partially_completed", "failed", "cancelled"];
  var DOC_TERMINAL = ["completed", "failed", "cancelled"];

  function schedule(ms) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function showHint(text) {
    if (!hint) return;
    hint.textContent = text;
    hint.hidden = false;
  }

  function clearHint() {
    failures = 0;
    if (hint) {
      hint.hidden = true;
      hint.textContent = "";
    }
  }

  function stop(text) {
    stopped = true;
    clearTimeout(timer);
    if (text) showHint(text);
  }

  function label(status) {
    return String(status).replace(/_/g, " ");
  }

  function badge(status) {
    var span = document.createElement("span");
    span.className = "badge badge-" + status;
    span.textContent = label(status);
    return span;
  }

  function setBadge(container, status) {
    if (!container) return;
    var current = container.querySelector(".badge");
    if (current && current.className === "badge badge-" + status) return;
    container.textContent = "";
    container.appendChild(badge(status));
  }

  function setText(name, value) {
    var el = root.querySelector('[data-field="' + name + '"]');
    var text = typeof value === "number" ? value.toLocaleString("en-US") : String(value);
    if (el && el.textContent !== text) el.textContent = text;
  }

  function exact(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  function renderBatch(data) {
    root.setAttribute("data-status", data.status);
    setBadge(root.querySelector('[data-field="status-badge"]'), data.status);
    setText("status-text", label(data.status));
    ["completed_count", "failed_count", "cancelled_count", "reused_count", "document_count", "progress"].forEach(
      function (name) { setText(name, data[name]); }
    );
    var bar = root.querySelector('[data-field="progress-bar"]');
    if (bar) {
      bar.setAttribute("aria-valuenow", data.progress);
      var segments = bar.querySelectorAll("[data-segment]");
      if (segments.length) {
        // Completed, failed and cancelled apart: a cancelled batch is not a finished one.
        for (var i = 0; i < segments.length; i++) {
          var part = data[segments[i].getAttribute("data-segment")] || 0;
          segments[i].style.width = (100 * part / (data.document_count || 1)).toFixed(2) + "%";
        }
      } else {
        var fill = bar.querySelector("span");
        if (fill) fill.style.width = data.progress + "%";
      }
    }
    if (data.completed_at) setText("completed_at", exact(data.completed_at));

    (data.documents || []).forEach(function (doc) {
      var row = root.querySelector('tr[data-doc-id="' + doc.id + '"]');
      if (!row) return;
      setBadge(row.querySelector('[data-field="status"]'), doc.status);
      var type = row.querySelector('[data-field="document_type"]');
      if (type) type.textContent = doc.document_type ? label(doc.document_type) : "—";
      var err = row.querySelector('[data-field="error"]');
      if (err) err.textContent = doc.error ? (doc.error.message || doc.error.code) : "";
    });

    var cancellable = data.status === "queued" || data.status === "processing";
    var retryable = data.failed_count > 0 &&
      ["cancelled", "completed", "pending_upload"].indexOf(data.status) === -1 &&
      (data.documents || []).some(function (doc) {
        return doc.status === "failed" && !(doc.error && doc.error.retryable === false);
      });
    var resumable = data.status === "cancelled" && data.cancelled_count > 0 &&
      (data.documents || []).some(function (doc) { return doc.status === "cancelled"; });
    toggle("cancellable", cancellable);
    toggle("retryable", retryable);
    toggle("resumable", resumable);

    // A cancelled batch is final at once, but its running documents still finish:
    // keep polling until completed_at says every document is done.
    if (BATCH_FINAL.indexOf(data.status) !== -1 && data.completed_at) {
      root.setAttribute("data-final", "true");
      stop();
      return true;
    }
    return false;
  }

  function toggle(name, on) {
    var nodes = root.querySelectorAll('[data-show-if="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) nodes[i].hidden = !on;
  }

  function renderDocument(data) {
    var before = root.getAttribute("data-status");
    root.setAttribute("data-status", data.status);
    setBadge(root.querySelector('[data-field="status-badge"]'), data.status);
    setText("status-text", label(data.status));
    if (DOC_TERMINAL.indexOf(data.status) !== -1) {
      stop();
      // The result tables are drawn by the server: show them with one reload.
      if (before !== data.status) window.location.reload();
      return true;
    }
    return false;
  }

  // The header's "N pages left": read again when documents finish, so it never goes stale.
  var pill = document.querySelector(".usage-pill");
  // Documents finished when the page was drawn (the server's figures), so that a batch that
  // finishes before the first poll still refreshes the header.
  function shownCount(name) {
    var el = root.querySelector('[data-field="' + name + '"]');
    return el ? parseInt(el.textContent.replace(/,/g, ""), 10) || 0 : 0;
  }
  var lastCompleted = shownCount("completed_count") + shownCount("failed_count");
  function refreshUsage() {
    if (!pill) return;
    fetch("/api/v1/usage", { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (usage) {
        if (!usage) return;
        var text = pill.querySelector(".usage-text");
        if (text) text.textContent = usage.pages_left.toLocaleString("en-US") + " pages left";
        pill.setAttribute("title", usage.pages_used.toLocaleString("en-US") + " of " +
          usage.pages_limit.toLocaleString("en-US") + " pages used this period");
        var fill = pill.querySelector(".usage-bar span");
        if (fill) fill.style.width = Math.min(100, Math.round(100 * usage.pages_used / (usage.pages_limit || 1))) + "%";
      })
      .catch(function () {});
  }

  function poll() {
    if (stopped) return;
    if (document.hidden) {
      // Nobody is looking: check again later, and at once when the tab is shown.
      schedule(maxIdle);
      return;
    }
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (resp) {
        if (resp.status === 304) {
          clearHint();
          delay = Math.min(Math.round(delay * 1.5), maxIdle);
          schedule(delay);
          return null;
        }
        if (resp.status === 401) {
          stop("Your session has ended. Reload the page to log in again.");
          return null;
        }
        if (resp.status === 404) {
          stop("This item no longer exists.");
          return null;
        }
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        var tag = resp.headers.get("ETag");
        return resp.json().then(function (data) {
          clearHint();
          var changed = tag === null || tag !== etag;
          etag = tag;
          var done = kind === "document" ? renderDocument(data) : renderBatch(data);
          var finished = (data.completed_count || 0) + (data.failed_count || 0);
          if (kind !== "document" && finished !== lastCompleted) refreshUsage();
          lastCompleted = finished;
          if (done) return;
          delay = changed ? base : Math.min(Math.round(delay * 1.5), maxIdle);
          schedule(delay);
        });
      })
      .catch(function () {
        failures += 1;
        showHint("Reconnecting…");
        schedule(Math.min(base * Math.pow(2, failures), maxError));
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !stopped) schedule(0);
  });

  schedule(delay);
})();
