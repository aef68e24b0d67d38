from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import add_service_errors, posted
from dudao.core.views import ListPage
from dudao.core.widgets import search_results

from .. import permissions, selectors, services
from ..filters import OrganizationFilter
from ..forms import (
    ArchiveForm,
    OrganizationForm,
)


class OrganizationList(ListPage):
    template_name = "directory/organization_list.html"
    table_template = "directory/_organization_table.html"
    filterset_class = OrganizationFilter
    # Each sort has its index (Organization.Meta.indexes). Reference rows are
    # loaded in their display order, so their ids group districts and types
    # in that order without a join.
    sort_fields = {
        "name": ("name",),
        "jurisdiction": ("jurisdiction_id", "name"),
        "type": ("type_id", "name"),
        "created": ("created_at",),
    }
    default_sort = "name"
    export_title = gettext_lazy("Organisations")
    export_columns = [
        (pgettext_lazy("organisation", "Name"), lambda o: o.name),
        (gettext_lazy("Unified social credit code"), lambda o: o.credit_code),
        (gettext_lazy("Type"), lambda o: o.type.name),
        (gettext_lazy("District"), lambda o: o.jurisdiction.district_label),
        (gettext_lazy("Address"), lambda o: o.address),
        (gettext_lazy("Contact person"), lambda o: o.contact_name),
        (gettext_lazy("Contact phone"), lambda o: o.contact_phone),
        (gettext_lazy("Active"), lambda o: _("Yes") if o.is_active else _("No")),
    ]

    def get_queryset(self):
        return selectors.organizations_for(self.request.user)

    def decorate(self, rows):
        return selectors.with_staff_counts(rows)

    def get_export_queryset(self, queryset):
        return queryset.iterator(chunk_size=2000)

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=permissions.can_create_organizations(self.request.user), **kwargs)


@login_required
def organization_choices(request):
    """Organisations in the user's scope matching what was typed, for the
    searchable pickers (core.widgets.SearchSelect)."""
    return JsonResponse(search_results(selectors.search_organizations(request.user, request.GET.get("q", ""))))


@login_required
def organization_detail(request, pk):
    organization = get_object_or_404(selectors.organizations_for(request.user), pk=pk)
    staff = (
        selectors.people_for(request.user)
        .filter(employments__organization=organization, employments__end_date=None)
        .order_by("name")[:200]
    )
    return render(
        request,
        "directory/organization_detail.html",
        {
            "organization": organization,
            "staff": staff,
            "can_edit": permissions.can_manage_organization(request.user, organization),
            "can_import": selectors.employer_choices(request.user).filter(pk=organization.pk).exists(),
            "archive_form": ArchiveForm(),
        },
    )


def _organization_form(request, organization=None):
    if organization is None and not permissions.can_create_organizations(request.user):
        raise PermissionDenied
    if organization is not None and not permissions.can_manage_organization(request.user, organization):
        raise PermissionDenied
    form = OrganizationForm(posted(request), instance=organization, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            if organization is None:
                organization = services.create_organization(
                    actor=request.user, reason=form.cleaned_data["reason"], **fields
                )
                messages.success(request, _("Organisation created."))
            else:
                services.update_organization(
                    actor=request.user, organization=organization, reason=form.cleaned_data["reason"], **fields
                )
                messages.success(request, _("Changes saved."))
            return redirect("directory:organization_detail", pk=organization.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "directory/organization_form.html", {"form": form, "organization": organization})


@login_required
def organization_create(request):
    return _organization_form(request)


@login_required
def organization_edit(request, pk):
    organization = get_object_or_404(selectors.organizations_for(request.user), pk=pk)
    return _organization_form(request, organization)


@login_required
@require_POST
def organization_archive(request, pk):
    organization = get_object_or_404(selectors.organizations_for(request.user), pk=pk)
    if not permissions.can_manage_organization(request.user, organization):
        raise PermissionDenied
    form = ArchiveForm(request.POST)
    if form.is_valid():
        try:
            services.archive_organization(
                actor=request.user, organization=organization, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Organisation archived."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give a reason for archiving."))
    return redirect("directory:organization_detail", pk=organization.pk)
