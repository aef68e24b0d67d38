from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import add_service_errors, form_errors_text
from dudao.core.views import ListPage
from dudao.directory import selectors as directory
from dudao.directory.models import Certificate

from . import services
from .filters import UserFilter
from .forms import ActiveForm, LoginForm, OwnPasswordForm, PasswordResetForm, RoleFields, UserCreateForm
from .models import Role, RoleAssignment
from .scopes import scope_for
from .selectors import users_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    """Each role lands on what it works with: jurisdiction and agency roles see
    their directory in figures, people with a self scope see their record."""
    user = request.user
    scope = scope_for(user)
    context = {"scope": scope, "roles": sorted(scope.roles)}
    if scope.read_paths or scope.org_ids:
        people = directory.people_for(user)
        context["organization_count"] = directory.organizations_for(user).filter(is_active=True).count()
        context["people_stats"] = people.order_by().aggregate(
            total=Count("pk"),
            certified=Count("pk", filter=Q(Exists(Certificate.objects.filter(person_id=OuterRef("pk"))))),
        )
        context["agencies"] = directory.organizations_for(user).filter(pk__in=scope.managed_org_ids)
    if user.person_id:
        context["me"] = directory.people_for(user).filter(pk=user.person_id).first()
    context["is_city_admin"] = Role.CITY_ADMIN in scope.roles
    return render(request, "accounts/home.html", context)


@login_required
def own_password(request):
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:home")
    return render(request, "accounts/password.html", {"form": form})


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
        if not services.grantable_roles(self.request.user):
            raise PermissionDenied
        return users_for(self.request.user)


@login_required
def user_create(request):
    if not services.grantable_roles(request.user):
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
    if not services.grantable_roles(request.user):
        raise PermissionDenied
    return get_object_or_404(users_for(request.user), pk=pk)


@login_required
def user_detail(request, pk):
    account = _managed_user(request, pk)
    can_manage = services.can_manage_user(request.user, account)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "can_manage": can_manage,
            "grant_form": RoleFields(actor=request.user),
            "active_form": ActiveForm(),
            "password_form": PasswordResetForm(),
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
