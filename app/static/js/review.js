// The review screen: a field and its box on the page image select each other; Ctrl+S saves.
(function () {
  "use strict";
  var root = document.querySelector("[data-review]");
  if (!root) return;
  var form = root.querySelector("[data-review-form]");

  function boxOf(name) {
    return root.querySelector('[data-box="' + CSS.escape(name) + '"]');
  }

  function select(name, scroll) {
    root.querySelectorAll(".is-selected").forEach(function (el) {
      el.classList.remove("is-selected");
    });
    var row = root.querySelector('[data-field-row="' + CSS.escape(name) + '"]');
    if (row) row.classList.add("is-selected");
    var box = boxOf(name);
    if (box) {
      box.classList.add("is-selected");
      if (scroll) box.scrollIntoView({ block: "center", inline: "nearest", behavior: "smooth" });
    }
  }

  root.querySelectorAll("[data-field-row]").forEach(function (row) {
    var name = row.getAttribute("data-field-row");
    row.addEventListener("click", function () { select(name, true); });
    row.addEventListener("focusin", function () { select(name, true); });
  });

  root.querySelectorAll("[data-box]").forEach(function (box) {
    box.addEventListener("click", function () {
      var name = box.getAttribute("data-box");
      select(name, false);
      var input = root.querySelector('[data-field-input="' + CSS.escape(name) + '"]');
      if (input) input.focus({ preventScroll: false });
    });
  });

  if (form) {
    form.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
  }

  var invalid = root.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
})();
