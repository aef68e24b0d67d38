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
    var form = target.form || target.closest("form");
    if (target.hasAttribute("data-check-all")) {
      var on = target.checked;
      boxes(target).forEach(function (box) {
        box.checked = on;
        if (on) exclude(box);
      });
    } else if (target.checked) {
      exclude(target);
    }
    if (form) masters(form).forEach(sync);
  });

  function exclude(box) {
    var key = box.getAttribute("data-exclusive");
    var row = box.closest("tr");
    if (!key || !row) return;
    row.querySelectorAll('input[data-exclusive="' + key + '"]').forEach(function (other) {
      if (other !== box && other.checked && !other.disabled) other.checked = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { masters(document).forEach(sync); });
})();
