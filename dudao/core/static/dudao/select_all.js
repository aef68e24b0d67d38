// A checkbox with data-select-all="<name>" ticks or clears every enabled
// checkbox named <name> on the page (the rows of a batch action). Delegated,
// so it keeps working after htmx swaps the table.
document.addEventListener("change", function (event) {
  var target = event.target;
  var name = target.getAttribute && target.getAttribute("data-select-all");
  if (!name) return;
  document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
    if (!box.disabled) box.checked = target.checked;
  });
});
