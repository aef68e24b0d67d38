// Behaviour lives here rather than in on* attributes or inline scripts, so the
// Content-Security-Policy can allow scripts from the site's own files only.

// Confirm destructive actions: any form with data-confirm asks before it submits.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

document.addEventListener("change", function (event) {
  var target = event.target;
  // A select with data-autosubmit submits its form (the language switch).
  if (target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
  // A select with data-change-url goes to that URL with {value} filled in.
  var url = target.getAttribute("data-change-url");
  if (url) {
    window.location.href = url.replace("{value}", encodeURIComponent(target.value));
  }
});

// Progress bars carry their width as data-width (a percentage).
function dudaoSetWidths(root) {
  root.querySelectorAll("[data-width]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0)) + "%";
  });
}
dudaoSetWidths(document);
document.addEventListener("htmx:afterSwap", function (event) { dudaoSetWidths(event.target); });

// Lists read as cards on a phone (site.css, below 576 px): each cell of a list
// table carries its column's heading as data-label, taken from the table head,
// so every list gets it without a label in each template.
function dudaoLabelCells(root) {
  root.querySelectorAll("#results table.table, table.table-cards").forEach(function (table) {
    var headRow = table.tHead && table.tHead.rows[0];
    if (!headRow) { return; }
    var labels = [];
    Array.prototype.forEach.call(headRow.cells, function (th) {
      // The heading without its sort mark.
      var text = th.textContent.replace(/[\u25b2\u25bc]/g, "").replace(/\s+/g, " ").trim();
      for (var i = 0; i < (th.colSpan || 1); i++) { labels.push(text); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && labels[column]) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  });
}
dudaoLabelCells(document);
document.addEventListener("htmx:afterSwap", function () { dudaoLabelCells(document); });
