import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.excel import XLSX_TYPE
from dudao.core.forms import add_service_errors, form_errors_text, posted
from dudao.core.views import ListPage
from dudao.core.widgets import search_results

from .. import imports, permissions, selectors, services
from ..exports import people_rows
from ..filters import PersonFilter
from ..forms import (
    CertificateForm,
    DisciplinaryRecordForm,
    EndEmploymentForm,
    PersonCreateForm,
    PersonForm,
    RosterUploadForm,
    person_choice_label,
)


class PersonList(ListPage):
    template_name = "directory/person_list.html"
    table_template = "directory/_person_table.html"
    filterset_class = PersonFilter
    sort_fields = {"name": ("name",), "created": ("created_at",), "frontline": ("frontline_since",)}
    default_sort = "name"
    export_title = gettext_lazy("People")

    def get_queryset(self):
        return selectors.by_employment(selectors.people_for(self.request.user), self.request.GET.get("employment"))

    export_columns = [
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("ID number"), lambda r: r.id_number),
        (gettext_lazy("Gender"), lambda r: _("Male") if r.gender == "M" else _("Female")),
        (gettext_lazy("Education"), lambda r: r.education),
        (gettext_lazy("Major"), lambda r: r.major),
        (gettext_lazy("Employer"), lambda r: r.employer),
        (gettext_lazy("Certificates"), lambda r: r.certificates),
        (gettext_lazy("Service domains"), lambda r: r.domains),
        (gettext_lazy("Frontline practice since"), lambda r: r.frontline_since),
        (gettext_lazy("Phone"), lambda r: r.phone),
    ]

    def get_export_queryset(self, queryset):
        return people_rows(queryset, self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=permissions.can_add_people(self.request.user), **kwargs)


@login_required
def person_choices(request):
    """Current staff the user manages matching what was typed, by name or
    unit, for the searchable person pickers; ID numbers only masked."""
    return JsonResponse(
        search_results(selectors.search_managed_staff(request.user, request.GET.get("q", "")), person_choice_label)
    )


@login_required
def person_detail(request, pk):
    person = get_object_or_404(selectors.people_for(request.user), pk=pk)
    return render(
        request,
        "directory/person_detail.html",
        {
            "person": person,
            "employments": person.employments.select_related("organization").order_by("-start_date"),
            "can_edit": permissions.can_manage_person(request.user, person),
            "show_full_id": permissions.can_see_full_id(request.user, person),
            "certificate_form": CertificateForm(),
            "discipline_form": DisciplinaryRecordForm(),
            "end_form": EndEmploymentForm(),
        },
    )


@login_required
def person_create(request):
    if not permissions.can_add_people(request.user):
        raise PermissionDenied
    initial = {}
    if org_id := request.GET.get("organization"):
        initial["employer"] = org_id
    form = PersonCreateForm(posted(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        certificates = []
        if d["certificate_level"]:
            certificates.append(
                {"level": d["certificate_level"], "number": d["certificate_number"], "issued_on": d["certificate_date"]}
            )
        try:
            person = services.create_person(
                actor=request.user,
                name=d["name"],
                id_number=d["id_number"],
                education=d["education"],
                major=d["major"],
                phone=d["phone"],
                frontline_since=d["frontline_since"],
                service_domains=d["service_domains"],
                employer=d["employer"],
                start_date=d["start_date"],
                position=d["position"],
                certificates=certificates,
                reason=d["reason"],
            )
            messages.success(request, _("Person added."))
            return redirect("directory:person_detail", pk=person.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "directory/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request, pk):
    person = get_object_or_404(selectors.people_for(request.user), pk=pk)
    if not permissions.can_manage_person(request.user, person):
        raise PermissionDenied
    form = PersonForm(posted(request), instance=person)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        reason = d.pop("reason")
        domains = d.pop("service_domains")
        try:
            services.update_person(actor=request.user, person=person, service_domains=domains, reason=reason, **d)
            messages.success(request, _("Changes saved."))
            return redirect("directory:person_detail", pk=person.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "directory/person_form.html", {"form": form, "person": person})


def _person_form_action(request, pk, form_class, service, success):
    """The small POST forms on a person's page: scoped lookup (404), manage
    check (403), form, service, and the outcome as a message."""
    person = get_object_or_404(selectors.people_for(request.user), pk=pk)
    if not permissions.can_manage_person(request.user, person):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, person=person, **form.cleaned_data)
            messages.success(request, success)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, form_errors_text(form))
    return person


@login_required
@require_POST
def person_add_certificate(request, pk):
    _person_form_action(request, pk, CertificateForm, services.add_certificate, _("Certificate added."))
    return redirect("directory:person_detail", pk=pk)


@login_required
@require_POST
def person_add_disciplinary_record(request, pk):
    _person_form_action(
        request, pk, DisciplinaryRecordForm, services.add_disciplinary_record, _("Disciplinary record added.")
    )
    return redirect("directory:person_detail", pk=pk)


@login_required
@require_POST
def person_end_employment(request, pk):
    person = _person_form_action(request, pk, EndEmploymentForm, services.end_employment, _("Employment ended."))
    if selectors.people_for(request.user).filter(pk=person.pk).exists():
        return redirect("directory:person_detail", pk=person.pk)
    return redirect("directory:person_list")


def _importable_organization(request, pk):
    organization = get_object_or_404(selectors.organizations_for(request.user), pk=pk)
    if not selectors.employer_choices(request.user).filter(pk=organization.pk).exists():
        raise PermissionDenied
    return organization


PREVIEW_KEY = "roster_preview"


def _keep_for_confirmation(request, organization, upload, plan) -> None:
    """Keep the previewed file until it is confirmed (under a random name in
    the media storage; the session says which, for which organisation)."""
    _discard_kept(request)
    suffix = ".xls" if upload.name.lower().endswith(".xls") else ".xlsx"
    upload.seek(0)
    stored = default_storage.save(f"imports/roster/{uuid.uuid4().hex}{suffix}", upload)
    request.session[PREVIEW_KEY] = {
        "organization": organization.pk,
        "path": stored,
        "name": upload.name,
        "digest": plan.digest,
    }


def _discard_kept(request) -> None:
    kept = request.session.pop(PREVIEW_KEY, None)
    if kept and default_storage.exists(kept["path"]):
        default_storage.delete(kept["path"])


@login_required
def roster_import(request, pk):
    """Upload, preview (adds, changes, unchanged; nothing written), confirm."""
    organization = _importable_organization(request, pk)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _roster_confirm(request, organization)
    form = RosterUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    errors, plan = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = imports.plan_roster(actor=request.user, organization=organization, upload=upload)
            if plan.added or plan.changed:
                _keep_for_confirmation(request, organization, upload, plan)
        except imports.ImportRejected as exc:
            errors = exc.errors
    return render(
        request,
        "directory/roster_import.html",
        {
            "organization": organization,
            "form": form,
            "errors": errors,
            "plan": plan,
            "done": request.session.pop("roster_imported", None) if request.method == "GET" else None,
        },
    )


def _roster_confirm(request, organization):
    kept = request.session.get(PREVIEW_KEY)
    if not kept or kept["organization"] != organization.pk or not default_storage.exists(kept["path"]):
        messages.error(request, _("Nothing to confirm: upload the file again."))
        return redirect(request.path)
    errors = []
    try:
        with default_storage.open(kept["path"], "rb") as stored:
            stored.name = kept["name"]
            imported = imports.import_roster(
                actor=request.user,
                organization=organization,
                upload=stored,
                digest=request.POST.get("digest", ""),
            )
    except imports.ImportRejected as exc:
        errors = exc.errors
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        _discard_kept(request)
        return redirect(request.path)
    _discard_kept(request)
    if errors:
        return render(
            request,
            "directory/roster_import.html",
            {"organization": organization, "form": RosterUploadForm(), "errors": errors, "plan": None},
        )
    messages.success(request, _("%(count)s staff members imported or updated.") % {"count": imported})
    # The count travels in the session, not the URL, so the page only ever reports a real import.
    request.session["roster_imported"] = imported
    return redirect(request.path)


@login_required
def roster_template(request, pk):
    _importable_organization(request, pk)
    response = HttpResponse(imports.template_file(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''%E5%91%98%E5%B7%A5%E8%8A%B1%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
