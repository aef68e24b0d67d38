// A search box with data-filter-rows="<selector>" hides the elements matching
// the selector whose data-person (or text) does not contain what is typed,
// and opens a folded <details> that holds a match.
document.addEventListener("input", function (event) {
  var box = event.target;
  var selector = box.getAttribute && box.getAttribute("data-filter-rows");
  if (!selector) return;
  var query = box.value.trim().toLowerCase();
  document.querySelectorAll(selector).forEach(function (row) {
    var text = (row.getAttribute("data-person") || row.textContent).toLowerCase();
    var match = !query || text.indexOf(query) !== -1;
    row.hidden = !match;
    var folded = row.closest("details");
    if (match && query && folded) folded.open = true;
  });
});
