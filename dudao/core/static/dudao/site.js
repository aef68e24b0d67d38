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
