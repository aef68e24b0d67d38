"""The access log: one receiver per event, connected in AccountsConfig.ready().
Nothing here depends on whether axes's receivers run before these: a refusal
while locked is told apart by the flag axes sets before Django sends the
failure signal, and a lock-out is written after the failure that caused it."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from dudao.core.clientip import client_ip

from .lockouts import attempted_username
from .models import AccessLogEntry, User

Kind, Method = AccessLogEntry.Kind, AccessLogEntry.Method


def _method(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "api-token":
        return Method.TOKEN
    if match is not None and match.app_name == "admin":
        return Method.ADMIN
    return Method.PAGE


def write(*, kind, request=None, user=None, username="", detail="") -> AccessLogEntry:
    meta = getattr(request, "META", {}) if request is not None else {}
    if user is None and username:
        user = User.objects.filter(username__iexact=username).first()
    return AccessLogEntry.objects.create(
        kind=kind,
        method=_method(request) if request is not None and kind != Kind.UNLOCK else "",
        username=(username or (user.username if user else ""))[:150],
        user=user,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        detail=detail[:200],
    )


@receiver(user_logged_in, dispatch_uid="dudao_access_log_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None:
        write(kind=Kind.LOGIN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="dudao_access_log_failure")
def _login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    typed = (credentials or {}).get("username") or ""
    # axes flags a refusal before Django sends this signal; a counted failure
    # has its running total set by axes's own receiver, or not yet.
    refused = getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", None) is None
    user = User.objects.filter(username__iexact=typed.strip()).first() if typed.strip() else None
    write(kind=Kind.REFUSED if refused else Kind.FAILURE, request=request, user=user, username=typed.strip())
    request._dudao_failure_logged = True
    if getattr(request, "_dudao_lockout_pending", False):
        _write_lockout(request)


def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    # axes sends this for the failure that reaches the limit and again for each
    # refusal while locked; only the first is a lock-out.
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    # Written after the failure that caused it, whichever receiver runs first.
    if getattr(request, "_dudao_failure_logged", False):
        _write_lockout(request)
    else:
        request._dudao_lockout_pending = True


def _write_lockout(request):
    typed = attempted_username(request, getattr(request, "axes_credentials", None)) or ""
    user = User.objects.filter(username__iexact=typed).first() if typed else None
    write(kind=Kind.LOCKOUT, request=request, user=user, username=typed)


@receiver(user_logged_out, dispatch_uid="dudao_access_log_logout")
def _logged_out(sender, request, user, **kwargs):
    if request is not None and user is not None:
        write(kind=Kind.LOGOUT, request=request, user=user, detail=getattr(request, "dudao_logout_reason", ""))


def connect():
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="dudao_access_log_lockout")
