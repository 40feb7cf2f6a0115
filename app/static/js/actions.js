/* Confirmation before destructive forms, and "select all" for the batch list.
 *
 * A form or a submit button with data-confirm="question" asks before it is sent. Without scripts
 * the forms still work (and the server checks everything again).
 */
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var button = event.submitter;
      var question =
        (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );

  var all = document.querySelector("[data-select-all]");
  if (!all) return;
  var name = all.getAttribute("data-select-all");
  var boxes = document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
  var counter = document.querySelector("[data-selected-count]");

  function update() {
    var chosen = 0;
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) chosen += 1;
    all.checked = chosen > 0 && chosen === boxes.length;
    all.indeterminate = chosen > 0 && chosen < boxes.length;
    if (counter) counter.textContent = chosen ? chosen + " selected:" : "With selected:";
  }

  all.addEventListener("change", function () {
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
    update();
  });
  for (var i = 0; i < boxes.length; i++) boxes[i].addEventListener("change", update);
  update();
})();
