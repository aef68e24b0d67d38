"""Login lock-outs, counted by django-axes (per username and per client address,
in the database, so every worker agrees). This module is the project's side of
it: which username an attempt counts against, the answer a locked-out client
gets, and whether an account is locked now."""

from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def attempted_username(request, credentials=None) -> str | None:
    """The username an attempt counts against. Usernames are unique whatever
    their case (services.create_user), so "City_Admin" and "city_admin " are
    the same target and share one count."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    value = (value or "").strip().lower()
    return value[:255] or None


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    return _(
        "Too many failed logins: this account or address is locked for %(minutes)d minutes. "
        "Try again later or ask the city administrator to unlock the account."
    ) % {"minutes": lockout_minutes()}


def lockout_response(request, *args):
    """AXES_LOCKOUT_CALLABLE: JSON under /api/, the login page with the message
    elsewhere; 429 with Retry-After either way. (axes passes the original
    response and the credentials as further arguments; neither is needed.)"""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        from .forms import LoginForm

        form = LoginForm(request, initial={"username": (request.POST.get("username") or "").strip()})
        context = {"form": form, "lockout_message": lockout_message(), "next": request.POST.get("next", "")}
        response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = retry_after
    return response


def _recent_attempts(username: str):
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(username=username.lower(), attempt_time__gte=since)


def is_locked(username: str) -> bool:
    """Whether the account itself is locked now (an address lock is not the
    account's and ends on its own)."""
    failures = _recent_attempts(username).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return failures >= settings.AXES_FAILURE_LIMIT


def clear(username: str) -> int:
    """Forget the account's failed attempts, which lifts its lock."""
    from axes.models import AccessAttempt

    deleted, _rows = AccessAttempt.objects.filter(username=username.lower()).delete()
    return deleted
