import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

# Seconds since the epoch of the session's last request, in the session itself.
LAST_ACTIVITY = "_dudao_last_activity"
# The session is written at most this often just to move the time on, so an
# htmx-heavy page costs no session write per request.
WRITE_EVERY = 60


class IdleSessionMiddleware:
    """Ends a signed-in browser session idle longer than
    DUDAO_SESSION_IDLE_MINUTES: logs it out (the access log records it, detail
    "idle") and sends the browser to the login page, which says why. API
    tokens are unaffected (they have their own end date)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.DUDAO_SESSION_IDLE_MINUTES * 60:
                request.dudao_logout_reason = "idle"
                logout(request)
                if not request.path.startswith("/api/"):
                    return self._to_login(request)
            elif last is None or now - last >= WRITE_EVERY:
                request.session[LAST_ACTIVITY] = now
        response = self.get_response(request)
        # A login just now starts the clock.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and LAST_ACTIVITY not in request.session:
            request.session[LAST_ACTIVITY] = int(time.time())
        return response

    @staticmethod
    def _to_login(request):
        # HtmxMiddleware runs later, so read the header itself.
        htmx = request.headers.get("HX-Request") == "true"
        query = {"idle": "1"}
        if request.method == "GET" and not htmx:
            query["next"] = request.get_full_path()
        url = f"{reverse(settings.LOGIN_URL)}?{urlencode(query)}"
        return HttpResponseClientRedirect(url) if htmx else redirect(url)


def touch(request) -> None:
    """Record activity now (the keep-alive from the timeout warning)."""
    request.session[LAST_ACTIVITY] = int(time.time())
