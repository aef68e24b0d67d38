from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render

from dudao.directory import selectors as directory
from dudao.directory.models import Certificate

from .forms import LoginForm
from .models import Role
from .scopes import scope_for


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
