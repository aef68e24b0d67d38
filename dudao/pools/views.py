from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import add_service_errors, form_errors_text, posted
from dudao.core.views import ListPage
from dudao.directory.selectors import current_employer, find_by_id_number, people_for
from dudao.selection import eligibility
from dudao.training.selectors import training_history

from . import certificates, permissions, selectors, services, throttling
from .filters import EntryFilter
from .forms import ClearFlagForm, DesignateForm, DistrictAdmitForm, LookupForm, StatusChangeForm, VerifyForm
from .models import Entry


def _pool_name(entry: Entry) -> str:
    return entry.organization.name if entry.level == Entry.Level.AGENCY else entry.jurisdiction.name


class EntryList(ListPage):
    template_name = "pools/entry_list.html"
    table_template = "pools/_entry_table.html"
    filterset_class = EntryFilter
    sort_fields = {
        "number": ("entry_number",),
        "admitted": ("admitted_on", "entry_number"),
        "expires": ("expires_on", "entry_number"),
    }
    default_sort = "number"
    export_title = gettext_lazy("Talent pool entries")
    export_columns = [
        (gettext_lazy("Entry number"), lambda e: e.entry_number),
        (gettext_lazy("Name"), lambda e: e.person.name),
        (gettext_lazy("Level"), lambda e: e.get_level_display()),
        (gettext_lazy("Pool"), _pool_name),
        (gettext_lazy("Home district"), lambda e: e.home_district.district_label),
        (gettext_lazy("Service domains"), lambda e: "、".join(d.name for d in e.domains.all())),
        (gettext_lazy("Admitted on"), lambda e: e.admitted_on),
        (gettext_lazy("Term ends on"), lambda e: e.expires_on),
        (gettext_lazy("Status"), lambda e: e.get_effective_status_display()),
        (gettext_lazy("Available now"), lambda e: _("Yes") if selectors.is_available(e) else _("No")),
    ]

    def get_queryset(self):
        return selectors.entries_for(self.request.user)

    def decorate(self, rows):
        return selectors.with_flags(self.request.user, rows)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_admit=selectors.admitting_districts(self.request.user).exists(),
            can_designate=selectors.designating_organizations(self.request.user).exists(),
            **kwargs,
        )


def _visible_entry(request, pk) -> Entry:
    return get_object_or_404(selectors.entries_for(request.user), pk=pk)


@login_required
def entry_detail(request, pk):
    entry = _visible_entry(request, pk)
    keeper = permissions.can_keep(request.user, entry)
    statuses = services.next_statuses(entry) if keeper else []
    entry.show_flag = keeper and entry.flagged_for_review
    return render(
        request,
        "pools/entry_detail.html",
        {
            "entry": entry,
            "discipline": selectors.discipline_for_keeper(request.user, entry.person, [entry]),
            "clear_flag_form": ClearFlagForm() if entry.show_flag else None,
            "pool_name": _pool_name(entry),
            "history": selectors.history_of(entry),
            "available": selectors.is_available(entry),
            "is_keeper": keeper,
            "status_form": StatusChangeForm(statuses=statuses) if statuses else None,
        },
    )


@login_required
@require_POST
def entry_status(request, pk):
    entry = _visible_entry(request, pk)
    if not permissions.can_keep(request.user, entry):
        raise PermissionDenied(_("Only the keeper of this pool changes its entries."))
    form = StatusChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("pools:entry_detail", pk=entry.pk)
    try:
        entry = services.change_status(actor=request.user, entry=entry, **form.cleaned_data)
        messages.success(request, _("The entry is now %(status)s.") % {"status": entry.get_status_display()})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("pools:entry_detail", pk=entry.pk)


@login_required
@require_POST
def entry_clear_flag(request, pk):
    """The keeper has reviewed a flagged entry and lowers the flag, saying why."""
    entry = _visible_entry(request, pk)
    if not permissions.can_keep(request.user, entry):
        raise PermissionDenied(_("Only the keeper of this pool reviews its entries."))
    form = ClearFlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("pools:entry_detail", pk=entry.pk)
    try:
        services.clear_review_flag(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        messages.success(request, _("The review is recorded and the flag cleared."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("pools:entry_detail", pk=entry.pk)


@login_required
def certificate(request, pk):
    entry = _visible_entry(request, pk)
    filename = f"{_('Certificate of admission')}-{entry.entry_number}.pdf"
    return FileResponse(
        BytesIO(certificates.render(entry)), as_attachment=True, filename=filename, content_type="application/pdf"
    )


# --- public verification (no login) ----------------------------------------------


def _verification(request, code):
    """The same page for the form and for a code in the URL (the QR code's
    address). Only lookups count against the address's throttle."""
    if code is None:
        return render(request, "pools/verify.html", {"form": VerifyForm(), "searched": False, "record": None})
    ok, wait = throttling.allowed(request)
    if not ok:
        response = render(request, "pools/verify.html", {"form": VerifyForm(), "throttled": True}, status=429)
        response["Retry-After"] = str(int(wait or 60))
        return response
    record = selectors.public_record(code)
    form = VerifyForm(initial={"code": code[:64]})
    return render(
        request, "pools/verify.html", {"form": form, "searched": True, "record": record}, status=200 if record else 404
    )


def verify(request):
    code = request.GET.get("code")
    return _verification(request, code if code and code.strip() else None)


def verify_code(request, code):
    return _verification(request, code)


# --- admission and designation ----------------------------------------------------


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def district_admit(request):
    """A district admits a supervisor to its pool: find the person by ID
    number, see the district's rules checked one by one, then admit."""
    districts = selectors.admitting_districts(request.user)
    if not districts.exists():
        raise PermissionDenied(_("A district admits supervisors to its own pool."))
    person = district = None
    if request.method == "POST":
        person = get_object_or_404(people_for(request.user), pk=_int(request.POST.get("person")))
        lookup = LookupForm(initial={"person": person.pk}, user=request.user)
        district = selectors.district_for(request.user, person) or districts.first()
    else:
        asked = "id_number" in request.GET or "person" in request.GET
        lookup = LookupForm(request.GET if asked else None, user=request.user)
        if lookup.is_bound and lookup.is_valid():
            person = lookup.cleaned_data["person"] or find_by_id_number(request.user, lookup.cleaned_data["id_number"])
            district = selectors.district_for(request.user, person) if person else None
            if district is None:
                if lookup.cleaned_data["person"]:
                    lookup.add_error("person", _("This person does not work at a unit in your district."))
                else:
                    lookup.add_error("id_number", _("No one with this ID number works at a unit in your district."))
                person = None
    form = DistrictAdmitForm(
        posted(request), initial={"domains": list(person.service_domains.all())} if person else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.admit_to_district_pool(
                actor=request.user,
                person=person,
                district=district,
                domains=form.cleaned_data["domains"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("%(name)s was admitted to the pool of %(district)s.")
                % {"name": person.name, "district": district.name},
            )
            return redirect("pools:entry_detail", pk=entry.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    results = services.district_rules_check(person, district) if person else None
    return render(
        request,
        "pools/district_admit.html",
        {
            "lookup": lookup,
            "form": form,
            "person": person,
            "district": district,
            "results": results,
            "eligible": bool(results) and eligibility.all_passed(results),
            "employer": current_employer(person) if person else None,
        },
    )


@login_required
def designate(request):
    """An agency names one of its current staff an internal supervisor."""
    organizations = list(selectors.designating_organizations(request.user))
    if not organizations:
        raise PermissionDenied(_("An agency designates its own internal supervisors."))
    chosen = request.POST.get("organization") or request.GET.get("organization")
    organization = next((o for o in organizations if str(o.pk) == chosen), None) if chosen else organizations[0]
    if organization is None:
        raise Http404
    form = DesignateForm(posted(request), staff=selectors.current_staff(organization))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.designate_internal(
                actor=request.user,
                organization=organization,
                person=d["person"],
                domains=d["domains"],
                reason=d["reason"],
            )
            messages.success(
                request,
                _("%(name)s is now an internal supervisor of %(org)s.")
                % {"name": d["person"].name, "org": organization.name},
            )
            return redirect("pools:entry_detail", pk=entry.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    internal = (
        selectors.entries_for(request.user)
        .filter(level=Entry.Level.AGENCY, organization=organization)
        .order_by("entry_number")
    )
    return render(
        request,
        "pools/designate.html",
        {"form": form, "organization": organization, "organizations": organizations, "internal": internal},
    )


# --- the supervisor profile -------------------------------------------------------


def _history_template() -> str:
    """The training app's own rendering of the history where it has one."""
    try:
        get_template("training/_history.html")
        return "training/_history.html"
    except TemplateDoesNotExist:
        return "pools/_training_history.html"


@login_required
def profile(request, pk):
    person = get_object_or_404(people_for(request.user), pk=pk)
    entries = selectors.with_flags(
        request.user, selectors.entries_for(request.user).filter(person=person).order_by("-admitted_on", "entry_number")
    )
    return render(
        request,
        "pools/profile.html",
        {
            "person": person,
            "employer": current_employer(person),
            "entries": entries,
            "discipline": selectors.discipline_for_keeper(request.user, person, entries),
            "history": training_history(person),
            "history_template": _history_template(),
        },
    )
