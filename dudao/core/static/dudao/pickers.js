// Searchable pickers: a <select data-search-url> lists only its chosen option;
// typing asks the server for matches in the user's scope (see core/widgets.py).
(function () {
  function init(root) {
    if (typeof TomSelect === "undefined") return;
    root.querySelectorAll("select[data-search-url]").forEach(function (select) {
      if (select.tomselect) return;
      var url = select.getAttribute("data-search-url");
      var options = {
        valueField: "id",
        labelField: "text",
        searchField: ["text"],
        maxOptions: 20,
        allowEmptyOption: true,
        loadThrottle: 250,
        shouldLoad: function (query) { return query.length >= 1; },
        load: function (query, callback) {
          var sep = url.indexOf("?") === -1 ? "?" : "&";
          fetch(url + sep + "q=" + encodeURIComponent(query), { credentials: "same-origin" })
            .then(function (response) { return response.json(); })
            .then(function (body) { callback(body.results); })
            .catch(function () { callback(); });
        },
        onChange: function () {
          // The filter forms submit through htmx on "change" of the original select.
          select.dispatchEvent(new Event("change", { bubbles: true }));
        },
      };
      // Several choices: each chosen item gets its × where the page loaded the plugin.
      if (select.multiple && typeof window.remove_button === "function") {
        TomSelect.define("remove_button", window.remove_button);
        options.plugins = ["remove_button"];
      }
      new TomSelect(select, options);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
