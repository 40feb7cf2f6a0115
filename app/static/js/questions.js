/* Question batches: the upload wizard (file → scope → review) and the live batch page.
 *
 * Wizard: one step shown at a time; reaching "Review" sends the file to the preview endpoint,
 * which checks it without storing anything and answers the first rows and every problem. A file
 * dropped on the drop zone is put into the form's own file input (the first one, when several are
 * dropped). The form itself posts normally, so the page works without scripts (all steps shown,
 * the plain file input, checks on the server).
 *
 * Batch page: polls the status JSON with setTimeout, re-armed only after each answer so polls
 * never overlap, with If-None-Match (a 304 lengthens the interval). Rows are updated in place
 * with textContent only. Polling stops at a final status.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  /* --- wizard ---------------------------------------------------------------------------- */

  function dropZone(zone, input) {
    zone.addEventListener("click", function (event) {
      if (event.target === zone || event.target.tagName === "P") input.click();
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.remove("is-dragging");
      });
    });
    zone.addEventListener("drop", function (event) {
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      try {
        var one = new DataTransfer();
        one.items.add(files[0]);
        input.files = one.files;
      } catch (err) {
        return; // a browser that cannot set a file input: choosing the file still works
      }
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function wizard(form) {
    var steps = form.querySelectorAll("[data-step]");
    var markers = form.querySelectorAll("[data-step-marker]");
    var fileInput = form.querySelector("#file");
    var zone = form.querySelector("#question-dropzone");
    var fileNext = form.querySelector("#file-next");
    var start = form.querySelector("#start");
    var status = form.querySelector("#review-status");
    var problemsBox = form.querySelector("#review-problems");
    var problemList = form.querySelector("#review-problem-list");
    var warnings = form.querySelector("#review-warnings");
    var previewBox = form.querySelector("#review-preview");
    var rowsBody = form.querySelector("#review-rows");
    var summary = form.querySelector("#review-summary");
    var checked = false;

    function show(n) {
      steps.forEach(function (step) {
        if (step.getAttribute("data-step") === String(n)) step.removeAttribute("data-hidden");
        else step.setAttribute("data-hidden", "");
      });
      markers.forEach(function (m) {
        if (m.getAttribute("data-step-marker") === String(n)) m.setAttribute("aria-current", "step");
        else m.removeAttribute("aria-current");
      });
      var heading = form.querySelector('[data-step="' + n + '"] h2');
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
      if (n === 3) review();
    }

    function reset() {
      checked = false;
      start.disabled = true;
      problemsBox.hidden = true;
      previewBox.hidden = true;
      warnings.hidden = true;
      problemList.textContent = "";
      rowsBody.textContent = "";
      warnings.textContent = "";
    }

    function listProblems(problems) {
      problemList.textContent = "";
      problems.forEach(function (p) {
        problemList.appendChild(el("li", (p.row ? "Row " + p.row + ": " : "") + p.reason));
      });
      problemsBox.hidden = problems.length === 0;
    }

    function review() {
      reset();
      if (!fileInput.files.length) {
        status.textContent = "Choose a file first.";
        return;
      }
      status.textContent = "Checking the file…";
      var data = new FormData();
      data.append("file", fileInput.files[0]);
      data.append("scope", form.querySelector("#scope").value);
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      })
        .then(function (resp) {
          return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
        })
        .then(function (result) {
          var body = result.body;
          if (!result.ok) {
            var err = (body && body.error) || {};
            status.textContent = err.message || "The file could not be checked.";
            listProblems((err.details && err.details.rows) || []);
            return;
          }
          listProblems(body.problems || []);
          (body.warnings || []).forEach(function (w) { warnings.appendChild(el("li", w)); });
          warnings.hidden = !(body.warnings || []).length;
          (body.rows || []).forEach(function (row) {
            var tr = el("tr");
            tr.appendChild(el("td", row.row));
            tr.appendChild(el("td", row.chat_id || "—"));
            tr.appendChild(el("td", row.question));
            tr.appendChild(el("td", row.document || "—"));
            rowsBody.appendChild(tr);
          });
          summary.textContent =
            body.row_count + " question" + (body.row_count === 1 ? "" : "s") + " in " +
            body.thread_count + " conversation" + (body.thread_count === 1 ? "" : "s") +
            "; columns: " + body.columns.join(", ") + ".";
          previewBox.hidden = !body.row_count;
          checked = !!body.valid;
          start.disabled = !checked;
          status.textContent = checked
            ? "The file is ready. Each question uses one page of your quota."
            : "The file has problems; nothing was stored.";
        })
        .catch(function () {
          status.textContent = "The file could not be checked right now; you can still start, " +
            "and the server checks it again.";
          start.disabled = false;
        });
    }

    form.querySelectorAll("[data-next]").forEach(function (button) {
      button.addEventListener("click", function () {
        show(parseInt(button.getAttribute("data-next"), 10));
      });
    });
    fileInput.addEventListener("change", function () {
      fileNext.disabled = !fileInput.files.length;
      reset();
    });
    fileNext.disabled = !fileInput.files.length;
    if (zone) dropZone(zone, fileInput);
    form.addEventListener("submit", function () {
      start.disabled = true;
      start.textContent = "Uploading…";
    });
    show(1);
  }

  /* --- live batch page ------------------------------------------------------------------- */

  var FINAL = ["completed", "partially_completed", "failed", "cancelled"];

  function livePage(root) {
    if (root.getAttribute("data-final") === "true") return;
    var url = root.getAttribute("data-poll-url");
    var docUrl = root.getAttribute("data-document-url") || "";
    var base = parseInt(document.body.getAttribute("data-poll-interval"), 10) || 1500;
    var maxIdle = Math.max(base * 8, 10000);
    var hint = root.querySelector("[data-poll-hint]");
    var etag = root.getAttribute("data-etag") || null;
    var delay = base;
    var failures = 0;

    function setText(name, value) {
      var node = root.querySelector('[data-field="' + name + '"]');
      if (node && node.textContent !== String(value)) node.textContent = String(value);
    }

    function badge(container, status) {
      if (!container) return;
      var current = container.querySelector(".badge");
      if (current && current.className === "badge badge-" + status) return;
      container.textContent = "";
      container.appendChild(el("span", status.replace(/_/g, " "), "badge badge-" + status));
    }

    function sources(list) {
      var ul = el("ul", null, "sources");
      list.forEach(function (s) {
        var li = el("li");
        var name = s.filename || s.document_id;
        if (docUrl && s.document_id) {
          var a = el("a", name);
          a.href = docUrl.replace("00000000-0000-0000-0000-000000000000", s.document_id);
          li.appendChild(a);
        } else {
          li.appendChild(document.createTextNode(name));
        }
        if (s.page) li.appendChild(document.createTextNode(", p. " + s.page));
        if (s.snippet) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("q", s.snippet, "snippet"));
        }
        ul.appendChild(li);
      });
      return ul;
    }

    function render(data) {
      root.setAttribute("data-status", data.status);
      badge(root.querySelector('[data-field="status-badge"]'), data.status);
      setText("status-text", data.status.replace(/_/g, " "));
      ["completed_count", "failed_count", "cancelled_count", "item_count", "progress"].forEach(
        function (name) { setText(name, data[name]); }
      );
      var bar = root.querySelector('[data-field="progress-bar"]');
      if (bar) {
        bar.setAttribute("aria-valuenow", data.progress);
        bar.querySelector("span").style.width = data.progress + "%";
      }
      if (data.completed_at) {
        setText("completed_at", data.completed_at.replace("T", " ").replace(/\.\d+/, "")
          .replace(/\+00:00$/, " UTC"));
      }
      (data.items || []).forEach(function (item) {
        var row = root.querySelector('tr[data-item-id="' + item.id + '"]');
        if (!row) return;
        badge(row.querySelector('[data-field="status"]'), item.status);
        var answer = row.querySelector('[data-field="answer"]');
        if (answer.textContent !== (item.answer || "")) answer.textContent = item.answer || "";
        var src = row.querySelector('[data-field="sources"]');
        var key = JSON.stringify(item.sources || []);
        if (src.getAttribute("data-key") !== key) {
          src.setAttribute("data-key", key);
          src.textContent = "";
          if ((item.sources || []).length) src.appendChild(sources(item.sources));
        }
        var error = row.querySelector('[data-field="error"]');
        var message = item.error ? (item.error.message || item.error.code) : "";
        if (error.textContent !== message) error.textContent = message;
      });
      var active = data.status === "queued" || data.status === "processing";
      var retryable = data.failed_count > 0 &&
        ["cancelled", "completed", "pending_upload"].indexOf(data.status) === -1;
      root.querySelectorAll('[data-show-if="cancellable"]').forEach(function (f) { f.hidden = !active; });
      root.querySelectorAll('[data-show-if="retryable"]').forEach(function (f) { f.hidden = !retryable; });
      return FINAL.indexOf(data.status) !== -1;
    }

    function poll() {
      var headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      fetch(url, { credentials: "same-origin", headers: headers, cache: "no-store" })
        .then(function (resp) {
          if (resp.status === 304) {
            delay = Math.min(Math.round(delay * 1.5), maxIdle);
            return null;
          }
          if (resp.status === 404) {
            if (hint) { hint.textContent = "This batch no longer exists."; hint.hidden = false; }
            return "stop";
          }
          if (!resp.ok) throw new Error("status " + resp.status);
          etag = resp.headers.get("ETag") || etag;
          delay = base;
          return resp.json();
        })
        .then(function (data) {
          failures = 0;
          if (hint && !hint.hidden && data !== "stop") hint.hidden = true;
          if (data === "stop") return;
          if (data && render(data)) {
            root.setAttribute("data-final", "true");
            return;
          }
          setTimeout(poll, delay);
        })
        .catch(function () {
          failures += 1;
          if (hint) { hint.textContent = "Reconnecting…"; hint.hidden = false; }
          setTimeout(poll, Math.min(base * Math.pow(2, failures), 30000));
        });
    }

    setTimeout(poll, base);
  }

  var form = document.getElementById("question-wizard");
  if (form) wizard(form);
  var live = document.getElementById("question-batch");
  if (live) livePage(live);
})();
