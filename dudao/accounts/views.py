from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from dudao.core import workbench
from dudao.core.forms import add_service_errors, form_errors_text
from dudao.core.views import ListPage
from dudao.directory import selectors as directory
from dudao.directory.models import Certificate

from . import lockouts, permissions, services, tokens
from .filters import AccessLogFilter, UserFilter
from .forms import ActiveForm, LoginForm, OwnPasswordForm, PasswordResetForm, RoleFields, UnlockForm, UserCreateForm
from .middleware import touch
from .models import RoleAssignment
from .scopes import scope_for
from .selectors import access_log_for, users_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Sent here by IdleSessionMiddleware: say why.
        context["idle_logout"] = self.request.GET.get("idle") == "1"
        context["idle_minutes"] = settings.DUDAO_SESSION_IDLE_MINUTES
        return context


@login_required
@require_POST
def session_keepalive(request):
    """The timeout warning's "stay logged in": the request itself is the activity."""
    touch(request)
    return HttpResponse(status=204)


@login_required
def home(request):
    """The 工作台: each role's to-dos (counts linking to the lists behind them),
    the deadlines that concern it, soonest first, then the figures and charts
    it watches. The apps provide them (core.workbench); the managing roles
    also see their directory in figures, people with a self scope their record."""
    user = request.user
    scope = scope_for(user)
    context = {"scope": scope, "roles": sorted(scope.roles)}
    if scope.manage_nodes or scope.managed_org_ids:
        people = directory.people_for(user)
        context["organization_count"] = directory.organizations_for(user).filter(is_active=True).count()
        context["people_stats"] = people.order_by().aggregate(
            total=Count("pk"),
            certified=Count("pk", filter=Q(Exists(Certificate.objects.filter(person_id=OuterRef("pk"))))),
        )
    if scope.managed_org_ids:
        context["agencies"] = directory.organizations_for(user).filter(pk__in=scope.managed_org_ids)
    if user.person_id:
        context["me"] = directory.people_for(user).filter(pk=user.person_id).first()
    context["is_city_admin"] = permissions.sees_city_overview(user)
    context["todos"] = workbench.todos_for(user)
    context["deadlines"] = workbench.deadlines_for(user)
    figures, charts = workbench.figures_for(user)
    context["figures"] = figures
    context["charts"] = charts
    context["chart_data"] = {chart.key: chart.data() for chart in charts}
    return render(request, "accounts/home.html", context)


@login_required
def own_password(request):
    """The user's own password, and below it their API tokens."""
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The form checked the current password and the rules; the service writes and records.
        user = services.change_own_password(
            actor=request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:home")
    own_tokens = [
        {"token": t, "expires_at": tokens.expires_at(t), "expired": tokens.is_expired(t)}
        for t in Token.objects.filter(user=request.user)
    ]
    context = {"form": form, "own_tokens": own_tokens, "token_days": settings.DUDAO_TOKEN_TTL.days}
    return render(request, "accounts/password.html", context)


@login_required
@require_POST
def own_tokens_revoke(request):
    if services.revoke_own_tokens(actor=request.user):
        messages.success(request, _("Your API token was revoked."))
    return redirect("accounts:own_password")


class UserList(ListPage):
    template_name = "accounts/user_list.html"
    table_template = "accounts/_user_table.html"
    filterset_class = UserFilter
    sort_fields = {
        "username": ("username",),
        "name": ("display_name",),
        "joined": ("date_joined",),
        "last_login": ("last_login",),
    }
    default_sort = "username"
    export_title = gettext_lazy("Accounts")
    export_columns = [
        (gettext_lazy("Username"), lambda u: u.username),
        (gettext_lazy("Display name"), lambda u: u.get_full_name()),
        (gettext_lazy("Roles"), lambda u: "、".join(str(a) for a in u.role_assignments.all())),
        (gettext_lazy("Person"), lambda u: u.person.name if u.person else ""),
        (gettext_lazy("Active"), lambda u: _("Yes") if u.is_active else _("No")),
        (gettext_lazy("Last login"), lambda u: u.last_login),
    ]

    def get_queryset(self):
        if not permissions.grantable_roles(self.request.user):
            raise PermissionDenied
        return users_for(self.request.user)


@login_required
def user_create(request):
    if not permissions.grantable_roles(request.user):
        raise PermissionDenied
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.create_user(
                actor=request.user,
                username=d["username"],
                password=d["password"],
                display_name=d["display_name"],
                email=d["email"],
                person=d["person"],
                role=d["role"],
                jurisdiction=d["jurisdiction"],
                organization=d["organization"],
                reason=d["reason"],
            )
            messages.success(request, _("Account created."))
            return redirect("accounts:user_detail", pk=user.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not grant this role here."))
    return render(request, "accounts/user_form.html", {"form": form})


def _managed_user(request, pk):
    if not permissions.grantable_roles(request.user):
        raise PermissionDenied
    return get_object_or_404(users_for(request.user), pk=pk)


@login_required
def user_detail(request, pk):
    account = _managed_user(request, pk)
    can_manage = permissions.can_manage_user(request.user, account)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "can_manage": can_manage,
            "grant_form": RoleFields(actor=request.user),
            "active_form": ActiveForm(),
            "password_form": PasswordResetForm(),
            "locked": lockouts.is_locked(account.username),
            "can_unlock": permissions.can_lift_lockout(request.user, account),
            "unlock_form": UnlockForm(),
        },
    )


def _post_service(request, pk, form_class, call, success):
    account = _managed_user(request, pk)
    form = form_class(request.POST, **({"actor": request.user} if form_class is RoleFields else {}))
    if form.is_valid():
        try:
            call(account, form.cleaned_data)
            messages.success(request, success)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect("accounts:user_detail", pk=account.pk)


@login_required
@require_POST
def user_grant(request, pk):
    def call(account, d):
        services.grant_role(
            actor=request.user,
            user=account,
            role=d["role"],
            jurisdiction=d["jurisdiction"],
            organization=d["organization"],
            reason=d["reason"],
        )

    return _post_service(request, pk, RoleFields, call, _("Role granted."))


@login_required
@require_POST
def user_revoke(request, pk, assignment_pk):
    account = _managed_user(request, pk)
    assignment = get_object_or_404(RoleAssignment, pk=assignment_pk, user=account)
    try:
        services.revoke_role(actor=request.user, assignment=assignment, reason=request.POST.get("reason", ""))
        messages.success(request, _("Role revoked."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:user_detail", pk=account.pk)


@login_required
@require_POST
def user_set_active(request, pk):
    active = request.POST.get("active") == "1"

    def call(account, d):
        services.set_active(actor=request.user, user=account, active=active, reason=d["reason"])

    return _post_service(request, pk, ActiveForm, call, _("Account enabled.") if active else _("Account disabled."))


@login_required
@require_POST
def user_reset_password(request, pk):
    def call(account, d):
        services.reset_password(actor=request.user, user=account, password=d["password"], reason=d["reason"])

    return _post_service(request, pk, PasswordResetForm, call, _("Password reset."))


@login_required
@require_POST
def user_unlock(request, pk):
    account = _managed_user(request, pk)
    if not permissions.can_lift_lockout(request.user, account):
        raise PermissionDenied

    def call(account, d):
        services.unlock_account(actor=request.user, user=account, reason=d["reason"])

    return _post_service(request, pk, UnlockForm, call, _("Account unlocked."))


class AccessLogList(ListPage):
    template_name = "accounts/access_log.html"
    table_template = "accounts/_access_log_table.html"
    filterset_class = AccessLogFilter
    sort_fields = {"at": ("at",), "username": ("username",), "kind": ("kind",), "address": ("ip_address",)}
    default_sort = "-at"
    export_title = gettext_lazy("Access log")
    export_columns = [
        (gettext_lazy("Time"), lambda e: e.at),
        (gettext_lazy("Event"), lambda e: e.get_kind_display()),
        (gettext_lazy("How"), lambda e: e.get_method_display()),
        (gettext_lazy("Username"), lambda e: e.username),
        (gettext_lazy("Display name"), lambda e: e.user.get_full_name() if e.user else ""),
        (gettext_lazy("Address"), lambda e: e.ip_address or ""),
        (gettext_lazy("Browser"), lambda e: e.user_agent),
        (gettext_lazy("Detail"), lambda e: e.detail),
    ]

    def get_queryset(self):
        entries = access_log_for(self.request.user)
        if entries is None:
            raise PermissionDenied
        return entries
