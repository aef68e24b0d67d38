// Check lists (the attendance sheet): a checkbox with data-check-all="NAME"
// ticks or clears every enabled checkbox named NAME in its form and follows
// them; checkboxes sharing data-exclusive="KEY" inside one row (<tr>) exclude
// each other (a trainee is present or excused, not both).
(function () {
  function boxes(master) {
    var form = master.form || master.closest("form");
    if (!form) return [];
    var name = master.getAttribute("data-check-all");
    return Array.prototype.filter.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      return box.name === name && !box.disabled;
    });
  }

  function sync(master) {
    var all = boxes(master);
    var ticked = all.filter(function (box) { return box.checked; }).length;
    master.checked = all.length > 0 && ticked === all.length;
    master.indeterminate = ticked > 0 && ticked < all.length;
  }

  function masters(root) {
    return root.querySelectorAll("input[data-check-all]");
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type !== "checkbox") return;
    if (target.hasAttribute("data-check-all")) {
      boxes(target).forEach(function (box) {
        if (box.checked !== target.checked) {
          box.checked = target.checked;
          box.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      sync(target);
      return;
    }
    var key = target.getAttribute("data-exclusive");
    var row = target.closest("tr");
    if (key && row && target.checked) {
      row.querySelectorAll('input[data-exclusive="' + key + '"]').forEach(function (other) {
        if (other !== target && other.checked && !other.disabled) {
          other.checked = false;
        }
      });
    }
    var form = target.form || target.closest("form");
    if (form) masters(form).forEach(sync);
  });

  document.addEventListener("DOMContentLoaded", function () { masters(document).forEach(sync); });
})();
