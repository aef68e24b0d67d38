// Warn before an idle session ends, and go to the login page when it has.
// The server decides (accounts.middleware.IdleSessionMiddleware); this only
// mirrors its clock: every request from this page, htmx ones included, or the
// "stay logged in" button starts it again.
(function () {
  var box = document.getElementById("session-warning");
  if (!box) {
    return;
  }
  var idle = parseInt(box.dataset.sessionIdle, 10) * 1000;
  var warn = parseInt(box.dataset.sessionWarn, 10) * 1000;
  var warnTimer, endTimer;

  function restart() {
    box.classList.add("d-none");
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(function () { box.classList.remove("d-none"); }, Math.max(0, idle - warn));
    endTimer = window.setTimeout(function () { window.location.href = box.dataset.loginUrl; }, idle + 1000);
  }

  box.querySelector("[data-session-keepalive]").addEventListener("click", function () {
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    fetch(box.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: token ? {"X-CSRFToken": token.value} : {}
    }).then(function (response) {
      if (response.ok) {
        restart();
      } else {
        window.location.href = box.dataset.loginUrl;
      }
    });
  });
  document.addEventListener("htmx:afterRequest", restart);
  restart();
})();
