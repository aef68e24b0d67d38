from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.scopes import scope_for
from dudao.core.excel import workbook_bytes, xlsx_response
from dudao.core.forms import add_service_errors, posted
from dudao.directory.cities import default_city
from dudao.directory.models import Jurisdiction

from . import services
from .forms import ParameterForm
from .registry import BY_KEY, PARAMETERS, display
from .selectors import resolve_many, settable_jurisdictions, versions_for


def _home_jurisdiction(user):
    """The jurisdiction whose values the list shows: the user's own (the
    deepest they read), else their city (an agency's, a supervisor's)."""
    scope = scope_for(user)
    deepest = max(scope.read_paths, key=len, default=None) if scope.read_paths else None
    if deepest:
        found = Jurisdiction.objects.filter(path=deepest).first()
        if found is not None and found.kind != Jurisdiction.Kind.PROVINCE:
            return found
    city = default_city(user)
    return city.jurisdiction if city else None


def _current_value_initial(user, parameter) -> dict:
    """The form starts from the value in force where the user works."""
    jurisdiction = _home_jurisdiction(user)
    value = (
        resolve_many([parameter.key], jurisdiction, timezone.localdate())[parameter.key][0] if jurisdiction else None
    )
    return parameter.value_kind.form_initial(parameter, value) if value is not None else {}


@login_required
def parameter_list(request):
    jurisdiction = _home_jurisdiction(request.user)
    today = timezone.localdate()
    resolved = resolve_many([p.key for p in PARAMETERS], jurisdiction, today) if jurisdiction else {}
    rows = []
    for p in PARAMETERS:
        value, source = resolved.get(p.key, (p.default, None))
        rows.append(
            {
                "parameter": p,
                "value": display(p, value),
                "source": source,
                "can_set": settable_jurisdictions(request.user, p.key).exists(),
            }
        )
    if request.GET.get("export") == "xlsx":
        columns = [
            (_("Parameter"), lambda r: str(r["parameter"].label)),
            (_("Value in force"), lambda r: r["value"]),
            (_("Set by"), lambda r: r["source"].jurisdiction.name if r["source"] else _("Default")),
            (_("Effective from"), lambda r: r["source"].effective_from if r["source"] else ""),
            (_("Districts may set their own"), lambda r: _("Yes") if r["parameter"].district_may_override else _("No")),
        ]
        title = _("Policy parameters")
        return xlsx_response(f"{title}.xlsx", workbook_bytes(title, columns, rows, user=request.user))
    return render(request, "policy/parameter_list.html", {"rows": rows, "jurisdiction": jurisdiction, "today": today})


@login_required
def parameter_detail(request, key):
    parameter = BY_KEY.get(key)
    if parameter is None:
        raise Http404
    jurisdictions = settable_jurisdictions(request.user, key)
    form = None
    if jurisdictions.exists():
        form = ParameterForm(
            posted(request),
            parameter=parameter,
            jurisdictions=jurisdictions,
            initial={"effective_from": timezone.localdate(), **_current_value_initial(request.user, parameter)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.set_parameter(
                    actor=request.user,
                    key=key,
                    jurisdiction=form.cleaned_data["jurisdiction"],
                    value=form.value(),
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("The new value is recorded."))
                return redirect("policy:parameter_detail", key=key)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
    elif request.method == "POST":
        raise PermissionDenied
    history = [{"version": v, "value": display(parameter, v.value)} for v in versions_for(request.user, key)]
    return render(request, "policy/parameter_detail.html", {"parameter": parameter, "history": history, "form": form})
