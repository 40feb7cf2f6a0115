// The batch upload wizard: Files -> Prompts -> Review, then one multipart POST to the API with a
// real progress bar (XMLHttpRequest upload events). Plain DOM, no framework. File names are only
// ever written with textContent, never as HTML.

const TYPES = {
  ".pdf": { mime: "application/pdf", label: "PDF", icon: "PDF" },
  ".jpg": { mime: "image/jpeg", label: "JPEG", icon: "JPG" },
  ".jpeg": { mime: "image/jpeg", label: "JPEG", icon: "JPG" },
  ".png": { mime: "image/png", label: "PNG", icon: "PNG" },
};

const STRATEGY_LABELS = {
  global: "One prompt for all",
  per_document: "A prompt per document",
  auto: "Auto-detect",
};

const SNIFF_BYTES = 1024;

function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

export function formatBytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  if (size < 1024 * 1024 * 1024) return `${(size / (1024 * 1024)).toFixed(1)} MB`;
  return `${(size / (1024 * 1024 * 1024)).toFixed(1)} GB`;
}

function startsWith(bytes, magic) {
  return magic.every((b, i) => bytes[i] === b);
}

function containsAscii(bytes, text) {
  const codes = Array.from(text, (c) => c.charCodeAt(0));
  outer: for (let i = 0; i + codes.length <= bytes.length; i += 1) {
    for (let j = 0; j < codes.length; j += 1) {
      if (bytes[i + j] !== codes[j]) continue outer;
    }
    return true;
  }
  return false;
}

// The same magic-byte test the server makes, so a renamed file is refused at once.
async function sniff(file) {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (containsAscii(head, "%PDF-")) return "application/pdf";
  return null;
}

// Pages of a file as the browser can count them before upload: an image is one page; a PDF's
// page objects are counted when they are not packed in compressed object streams (null then).
const COUNT_LIMIT_BYTES = 50 * 1024 * 1024;
async function countPages(file) {
  if (extensionOf(file.name) !== ".pdf") return 1;
  if (file.size > COUNT_LIMIT_BYTES) return null;
  const text = new TextDecoder("latin1").decode(await file.arrayBuffer());
  const found = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g);
  return found ? found.length : null;
}

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  if (text !== null) node.textContent = text;
  return node;
}

function plural(n, word) {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

class Wizard {
  constructor(root) {
    this.root = root;
    this.config = JSON.parse(root.dataset.config);
    this.csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
    this.files = [];
    this.prompts = new Map();
    this.step = "files";
    this.uploading = false;
    this.nextId = 1;
    this.q = (selector) => root.querySelector(selector);
    this.bind();
    this.renderFiles();
    this.updatePromptPanels();
  }

  // --- wiring -------------------------------------------------------------------------------

  bind() {
    const input = this.q("#file-input");
    const zone = this.q("#dropzone");
    this.q("#choose-files").addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      this.addFiles(Array.from(input.files));
      input.value = "";
    });
    zone.addEventListener("click", (event) => {
      if (event.target === zone || event.target.tagName === "P") input.click();
    });
    for (const type of ["dragenter", "dragover"]) {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    }
    for (const type of ["dragleave", "drop"]) {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.remove("is-dragging");
      });
    }
    zone.addEventListener("drop", (event) => {
      if (event.dataTransfer?.files?.length) this.addFiles(Array.from(event.dataTransfer.files));
    });

    this.root.querySelectorAll("[data-go]").forEach((button) => {
      button.addEventListener("click", () => this.go(button.dataset.go));
    });
    this.root.querySelectorAll('input[name="prompt_strategy"]').forEach((radio) => {
      radio.addEventListener("change", () => this.updatePromptPanels());
    });
    this.q("#global-prompt").addEventListener("input", () => this.updatePromptsNext());
    this.q("#copy-first-prompt").addEventListener("click", () => this.copyFirstPrompt());
    this.q("#submit-batch").addEventListener("click", () => this.submit());
  }

  announce(message) {
    const status = this.q("#wizard-status");
    status.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeated messages too.
    window.setTimeout(() => {
      status.textContent = message;
    }, 50);
  }

  showError(message, files = []) {
    const box = this.q("#wizard-errors");
    box.replaceChildren(el("p", {}, message));
    if (files.length) {
      const list = el("ul", { className: "error-list" });
      for (const f of files) {
        const item = el("li");
        item.append(el("strong", {}, f.filename), document.createTextNode(`: ${f.reason}`));
        list.append(item);
      }
      box.append(list);
    }
    box.hidden = false;
  }

  clearError() {
    const box = this.q("#wizard-errors");
    box.hidden = true;
    box.replaceChildren();
  }

  // --- step 1: files ------------------------------------------------------------------------

  async check(file) {
    const ext = extensionOf(file.name);
    const type = TYPES[ext];
    const max = this.config.maxFileBytes;
    if (!type) {
      const shown = ext ? `this one is ${ext}` : "this one has no extension";
      return `Only PDF, JPEG and PNG files (.pdf, .jpg, .jpeg, .png) are accepted (${shown}).`;
    }
    if (file.size === 0) return "The file is empty.";
    if (file.size > max) {
      return `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(max)} per file.`;
    }
    let sniffed = null;
    try {
      sniffed = await sniff(file);
    } catch (err) {
      return "The file could not be read.";
    }
    if (sniffed !== type.mime) {
      return `The file's content is not a ${type.label}, although its name ends in ${ext}.`;
    }
    if (this.files.some((f) => f.file.name === file.name)) {
      return "A file with this name is already in the list.";
    }
    if (this.files.length >= this.config.filesPerBatch) {
      return `Your ${this.config.plan} plan allows ${this.config.filesPerBatch} files per batch.`;
    }
    return null;
  }

  async addFiles(list) {
    if (this.uploading) return;
    this.clearError();
    const rejected = [];
    let added = 0;
    for (const file of list) {
      const reason = await this.check(file);
      if (reason) {
        rejected.push({ filename: file.name, reason });
      } else {
        const ext = extensionOf(file.name);
        this.files.push({ id: this.nextId++, file, type: TYPES[ext] });
        added += 1;
      }
    }
    this.renderRejected(rejected);
    this.renderFiles();
    const parts = [];
    if (added) parts.push(`${plural(added, "file")} added, ${this.files.length} in the list.`);
    if (rejected.length) {
      parts.push(
        `${plural(rejected.length, "file")} not added: ` +
          rejected.map((r) => `${r.filename}: ${r.reason}`).join(" "),
      );
    }
    if (parts.length) this.announce(parts.join(" "));
  }

  renderRejected(rejected) {
    const box = this.q("#rejected");
    const list = this.q("#rejected-list");
    list.replaceChildren();
    for (const r of rejected) {
      const item = el("li");
      item.append(el("strong", {}, r.filename), document.createTextNode(`: ${r.reason}`));
      list.append(item);
    }
    box.hidden = rejected.length === 0;
  }

  removeFile(id) {
    const index = this.files.findIndex((f) => f.id === id);
    if (index < 0 || this.uploading) return;
    const [removed] = this.files.splice(index, 1);
    this.prompts.delete(removed.file.name);
    this.renderFiles();
    this.announce(`${removed.file.name} removed, ${plural(this.files.length, "file")} left.`);
    const buttons = this.root.querySelectorAll("#file-list button");
    (buttons[Math.min(index, buttons.length - 1)] || this.q("#choose-files")).focus();
  }

  renderFiles() {
    const list = this.q("#file-list");
    list.replaceChildren();
    for (const entry of this.files) {
      const item = el("li", { className: "file-item" });
      item.append(
        el("span", { className: `file-icon file-icon-${entry.type.icon.toLowerCase()}`, "aria-hidden": "true" }, entry.type.icon),
        el("span", { className: "file-name" }, entry.file.name),
        el("span", { className: "file-size" }, formatBytes(entry.file.size)),
      );
      const remove = el("button", {
        type: "button",
        className: "button button-ghost button-small",
        "aria-label": `Remove ${entry.file.name}`,
      }, "Remove");
      remove.addEventListener("click", () => this.removeFile(entry.id));
      item.append(remove);
      list.append(item);
    }
    const total = this.files.reduce((sum, f) => sum + f.file.size, 0);
    this.q("#file-count").textContent = this.files.length
      ? `(${plural(this.files.length, "file")} of at most ${this.config.filesPerBatch}, ${formatBytes(total)})`
      : "(none yet)";
    const next = this.q("#files-next");
    next.disabled = this.files.length === 0;
    this.q("#files-next-hint").hidden = this.files.length > 0;
  }

  // --- step 2: prompts ----------------------------------------------------------------------

  get strategy() {
    return this.root.querySelector('input[name="prompt_strategy"]:checked').value;
  }

  updatePromptPanels() {
    const strategy = this.strategy;
    this.root.querySelectorAll("[data-panel]").forEach((panel) => {
      panel.hidden = panel.dataset.panel !== strategy;
    });
    if (strategy === "per_document") this.renderPerDocument();
    this.updatePromptsNext();
  }

  renderPerDocument() {
    const box = this.q("#per-document-prompts");
    box.replaceChildren();
    this.files.forEach((entry, index) => {
      const id = `prompt-${entry.id}`;
      const field = el("div", { className: "field" });
      const label = el("label", { for: id });
      label.append(
        document.createTextNode(`Prompt ${index + 1} of ${this.files.length} for `),
        el("strong", {}, entry.file.name),
      );
      const area = el("textarea", {
        id,
        rows: "2",
        maxlength: String(this.config.maxPromptChars),
        "data-filename": entry.file.name,
      });
      area.value = this.prompts.get(entry.file.name) || "";
      area.addEventListener("input", () => {
        this.prompts.set(entry.file.name, area.value);
        this.updatePromptsNext();
      });
      field.append(label, area);
      box.append(field);
    });
  }

  copyFirstPrompt() {
    const first = this.files.length ? (this.prompts.get(this.files[0].file.name) || "").trim() : "";
    if (!first) {
      this.announce("Write the first prompt, then copy it.");
      return;
    }
    let copied = 0;
    for (const entry of this.files) {
      if (!(this.prompts.get(entry.file.name) || "").trim()) {
        this.prompts.set(entry.file.name, first);
        copied += 1;
      }
    }
    this.renderPerDocument();
    this.updatePromptsNext();
    this.announce(`The first prompt was copied to ${plural(copied, "file")}.`);
  }

  promptProblem() {
    const strategy = this.strategy;
    if (strategy === "global" && !this.q("#global-prompt").value.trim()) {
      return "Enter a prompt to continue.";
    }
    if (strategy === "per_document") {
      const missing = this.files.filter((f) => !(this.prompts.get(f.file.name) || "").trim());
      if (missing.length) {
        return `Enter a prompt for every file to continue (${plural(missing.length, "file")} still empty).`;
      }
    }
    return null;
  }

  updatePromptsNext() {
    const problem = this.promptProblem();
    this.q("#prompts-next").disabled = Boolean(problem);
    this.q("#prompts-next-hint").textContent = problem || "";
  }

  // --- step 3: review -----------------------------------------------------------------------

  // What the batch will cost, counted in the browser; the count made on upload is the one charged.
  async showPageCost() {
    const files = this.files.slice();
    const counts = await Promise.all(files.map((f) => {
      if (!("pages" in f)) f.pages = countPages(f.file).catch(() => null);
      return f.pages;
    }));
    const target = this.q("#review-pages");
    if (!target || files.length !== this.files.length) return;
    const known = counts.filter((n) => n !== null);
    const pages = known.reduce((sum, n) => sum + n, 0);
    const unknown = counts.length - known.length;
    const left = this.config.pagesLeft;
    let text = unknown
      ? `At least ${plural(pages + unknown, "page")} (${plural(unknown, "PDF")} counted on upload)`
      : `${plural(pages, "page")}`;
    text += `; ${plural(left, "page")} left this period`;
    if (pages + unknown > left) text += ". That is more than you have left: some documents will fail with “quota exceeded”.";
    target.textContent = text;
    target.classList.toggle("text-bad", pages + unknown > left);
  }

  renderReview() {
    const facts = this.q("#review-facts");
    facts.replaceChildren();
    const total = this.files.reduce((sum, f) => sum + f.file.size, 0);
    const name = this.q("#batch-name").value.trim();
    const description = this.q("#batch-description").value.trim();
    const rows = [
      ["Name", name || "Named after the date and number of files"],
      ["Files", `${plural(this.files.length, "file")}, ${formatBytes(total)}`],
      ["Pages", "Counting…"],
      ["Strategy", STRATEGY_LABELS[this.strategy]],
    ];
    if (description) rows.splice(1, 0, ["Description", description]);
    for (const [term, value] of rows) {
      facts.append(el("dt", {}, term), el("dd", term === "Pages" ? { id: "review-pages" } : {}, value));
    }
    this.showPageCost();

    const prompts = this.q("#review-prompts");
    prompts.replaceChildren(el("h3", {}, "Prompts"));
    if (this.strategy === "global") {
      prompts.append(el("blockquote", { className: "prompt-quote" }, this.q("#global-prompt").value.trim()));
    } else if (this.strategy === "per_document") {
      const list = el("dl", { className: "prompt-review", tabindex: "0" }); // focusable: it may scroll
      for (const entry of this.files) {
        list.append(el("dt", {}, entry.file.name), el("dd", {}, this.prompts.get(entry.file.name).trim()));
      }
      prompts.append(list);
    } else {
      prompts.append(el("p", {}, "Auto-detect: each document's type is recognised and its usual fields are extracted."));
    }

    const files = this.q("#review-files");
    files.replaceChildren();
    for (const entry of this.files) {
      const item = el("li", { className: "file-item" });
      item.append(
        el("span", { className: `file-icon file-icon-${entry.type.icon.toLowerCase()}`, "aria-hidden": "true" }, entry.type.icon),
        el("span", { className: "file-name" }, entry.file.name),
        el("span", { className: "file-size" }, formatBytes(entry.file.size)),
      );
      files.append(item);
    }
  }

  // --- navigation ---------------------------------------------------------------------------

  go(step) {
    if (this.uploading) return;
    if (step === "prompts" && this.files.length === 0) return;
    if (step === "review" && (this.files.length === 0 || this.promptProblem())) return;
    this.clearError();
    if (step === "prompts") this.updatePromptPanels();
    if (step === "review") this.renderReview();
    this.step = step;
    this.root.querySelectorAll("[data-step]").forEach((section) => {
      section.hidden = section.dataset.step !== step;
    });
    this.root.querySelectorAll("[data-step-indicator]").forEach((item) => {
      if (item.dataset.stepIndicator === step) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
    this.q(`#step-${step}-title`).focus();
  }

  // --- submit -------------------------------------------------------------------------------

  formData() {
    const form = new FormData();
    for (const entry of this.files) form.append("files", entry.file, entry.file.name);
    const name = this.q("#batch-name").value.trim();
    const description = this.q("#batch-description").value.trim();
    if (name) form.append("name", name);
    if (description) form.append("description", description);
    form.append("prompt_strategy", this.strategy);
    if (this.strategy === "global") form.append("global_prompt", this.q("#global-prompt").value.trim());
    if (this.strategy === "per_document") {
      const prompts = {};
      for (const entry of this.files) prompts[entry.file.name] = this.prompts.get(entry.file.name).trim();
      form.append("per_document_prompts", JSON.stringify(prompts));
    }
    if (this.q("#extract-again").checked) form.append("reuse", "false");
    return form;
  }

  setBusy(busy) {
    this.uploading = busy;
    this.q("#submit-batch").disabled = busy;
    this.q("#review-back").disabled = busy;
    this.q("#submit-batch").textContent = busy ? "Uploading…" : "Submit batch";
  }

  setProgress(loaded, total) {
    const percent = total ? Math.floor((100 * loaded) / total) : 0;
    const bar = this.q("#upload-bar");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuetext", `${percent}%, ${formatBytes(loaded)} of ${formatBytes(total)}`);
    bar.firstElementChild.style.width = `${percent}%`;
    this.q("#upload-bytes").textContent = `Sent ${formatBytes(loaded)} of ${formatBytes(total)} (${percent}%)`;
    const milestone = Math.floor(percent / 25) * 25;
    if (milestone > (this.lastMilestone ?? -1)) {
      this.lastMilestone = milestone;
      if (milestone > 0 && milestone < 100) this.announce(`Upload ${milestone}% done.`);
    }
  }

  submit() {
    if (this.uploading || this.promptProblem() || this.files.length === 0) return;
    this.clearError();
    this.setBusy(true);
    this.lastMilestone = -1;
    this.q("#upload-progress").hidden = false;
    this.setProgress(0, this.files.reduce((sum, f) => sum + f.file.size, 0));
    this.announce("Upload started.");

    const xhr = new XMLHttpRequest();
    xhr.open("POST", this.config.createUrl);
    xhr.setRequestHeader("X-CSRFToken", this.csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) this.setProgress(event.loaded, event.total);
    });
    xhr.upload.addEventListener("load", () => {
      this.q("#upload-bytes").textContent = "Upload complete. Counting pages and queueing the documents…";
      this.announce("Upload complete. Counting pages.");
    });
    xhr.addEventListener("load", () => this.finished(xhr));
    xhr.addEventListener("error", () => this.failed("The upload failed: the connection was lost. Check your connection and submit again."));
    xhr.addEventListener("timeout", () => this.failed("The upload took too long. Submit again."));
    xhr.send(this.formData());
  }

  finished(xhr) {
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch (err) {
      body = null;
    }
    if (xhr.status === 202 && body && body.id) {
      this.announce("Batch created. Opening it.");
      window.location.assign(`/batches/${encodeURIComponent(body.id)}`);
      return;
    }
    const error = body && body.error ? body.error : null;
    let message = error ? error.message : `The upload failed (HTTP ${xhr.status}). Try again.`;
    if (xhr.status === 429 && xhr.getResponseHeader("Retry-After") && !error) {
      message = `Too many uploads. Try again in ${xhr.getResponseHeader("Retry-After")} seconds.`;
    }
    this.failed(message, (error && error.details && error.details.files) || []);
  }

  failed(message, files = []) {
    this.setBusy(false);
    this.q("#upload-progress").hidden = true;
    this.showError(message, files);
    this.q("#wizard-errors").focus?.();
  }
}

const root = document.getElementById("wizard");
if (root) {
  root.querySelector("#wizard-errors").setAttribute("tabindex", "-1");
  window.ingestioWizard = new Wizard(root);
}
