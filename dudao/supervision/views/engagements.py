"""Pages of engagements: the list, one engagement with its agreement and the
actions its parties may take, a new engagement, the agreement as a PDF."""

from decimal import Decimal
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import BootstrapMixin, add_service_errors, form_errors_text, posted
from dudao.core.views import ListPage
from dudao.directory.models import Organization, Person
from dudao.pools.models import Entry

from .. import agreement, permissions
from ..engagement_filters import EngagementFilter
from ..functions import functions_of
from ..models import Engagement
from ..selectors import engagements as selectors
from ..services import engagements as services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def entry_label(entry: Entry) -> str:
    pool = entry.organization.name if entry.level == Entry.Level.AGENCY else entry.jurisdiction.name
    return f"{entry.person.name} · {entry.get_level_display()}（{pool}）· {entry.entry_number}"


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return entry_label(obj)


class AgreementForm(BootstrapMixin, forms.Form):
    goals = forms.CharField(
        label=gettext_lazy("Goals"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    frequency = forms.CharField(
        label=gettext_lazy("Frequency and hours"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("For example: twice a month, two hours each time."),
    )
    functions = forms.MultipleChoiceField(
        label=gettext_lazy("Functions"), widget=forms.CheckboxSelectMultiple, required=False
    )
    confidentiality = forms.CharField(
        label=gettext_lazy("Confidentiality"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    subsidy_basis = forms.CharField(
        label=gettext_lazy("Subsidy basis"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        choices = functions_of(organization)
        self.fields["functions"].choices = [(f, f) for f in choices]


class EngagementForm(AgreementForm):
    entry = EntryChoiceField(label=gettext_lazy("Supervisor"), queryset=Entry.objects.none())
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DATE)
    hours_per_month = forms.DecimalField(
        label=gettext_lazy("Agreed hours per month"),
        min_value=Decimal("0.1"),
        max_value=Decimal("999.9"),
        decimal_places=1,
    )
    covers_all_staff = forms.BooleanField(label=gettext_lazy("Covers all staff"), required=False)
    supervisees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Supervisees"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Current staff of the organisation; leave empty when the engagement covers all staff."),
    )

    field_order = ["entry", "starts_on", "ends_on", "hours_per_month", "covers_all_staff", "supervisees"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["entry"].queryset = selectors.usable_entries(organization)
        self.fields["supervisees"].queryset = Person.objects.filter(employer=organization, employed=True).order_by(
            "name", "pk"
        )
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        if not data.get("covers_all_staff") and not data.get("supervisees") and not self.errors:
            self.add_error("supervisees", _("Choose the supervisees, or cover all staff."))
        return data


class DeclineForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for declining"), max_length=300)


class EndForm(BootstrapMixin, forms.Form):
    ended_on = forms.DateField(label=gettext_lazy("Last day"), widget=DATE)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Required when the engagement ends before its agreed end."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that the engagement ends and no more sessions can be recorded under it.")
    )


# --- the list -----------------------------------------------------------------------------


def _supervisees_text(e: Engagement) -> str:
    if e.covers_all_staff:
        return _("All staff")
    return "、".join(p.name for p in e.supervisees.all())


class EngagementList(ListPage):
    template_name = "supervision/engagements/list.html"
    table_template = "supervision/engagements/_table.html"
    filterset_class = EngagementFilter
    sort_fields = {
        "starts": ("starts_on", "id"),
        "ends": ("ends_on", "id"),
        "hours": ("hours_per_month", "id"),
    }
    default_sort = "-starts"
    export_title = gettext_lazy("Supervisor engagements")
    export_columns = [
        (gettext_lazy("Supervisor"), lambda e: e.supervisor.name),
        (gettext_lazy("Using organisation"), lambda e: e.organization.name),
        (gettext_lazy("Supervisor's home agency"), lambda e: e.home_organization.name if e.home_organization else ""),
        (gettext_lazy("Kind"), lambda e: e.get_kind_display()),
        (gettext_lazy("Status"), lambda e: e.get_status_display()),
        (gettext_lazy("Starts on"), lambda e: e.starts_on),
        (gettext_lazy("Ends on"), lambda e: e.ends_on),
        (gettext_lazy("Agreed hours per month"), lambda e: e.hours_per_month),
        (gettext_lazy("Supervisees"), _supervisees_text),
        (gettext_lazy("Agreement confirmed"), lambda e: _("Yes") if e.agreement_confirmed else _("No")),
    ]

    def get_queryset(self):
        if not selectors.reads_engagements(self.request.user):
            raise PermissionDenied(_("Your role does not read supervisor engagements."))
        return selectors.engagements_for(self.request.user)

    def get_export_queryset(self, queryset):
        return queryset.prefetch_related("supervisees")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_engage=bool(permissions.managed_org_ids(self.request.user)), **kwargs)


# --- one engagement ----------------------------------------------------------------------


def _visible(request, pk) -> Engagement:
    return get_object_or_404(selectors.engagements_for(request.user), pk=pk)


@login_required
def engagement_detail(request, pk):
    engagement = _visible(request, pk)
    actions = selectors.actions_for(request.user, engagement)
    return render(
        request,
        "supervision/engagements/detail.html",
        {
            "engagement": engagement,
            "actions": actions,
            "supervisees": None if engagement.covers_all_staff else engagement.supervisees.order_by("name", "pk"),
            "decline_form": DeclineForm() if actions.decline else None,
            "end_form": EndForm(initial={"ended_on": min(timezone.localdate(), engagement.ends_on)})
            if actions.end
            else None,
            "agreement_form": AgreementForm(
                organization=engagement.organization,
                initial={name: getattr(engagement, name) for name in services.AGREEMENT_FIELDS},
            )
            if actions.change_agreement
            else None,
            "explanation": engagement.match_explanation if permissions.uses(request.user, engagement) else None,
        },
    )


def _act(request, pk, allowed, call, done: str):
    """Run one action on a visible engagement: 403 when the user may see but not
    do it, the service's message when it refuses, back to the engagement."""
    engagement = _visible(request, pk)
    if not allowed(request.user, engagement):
        raise PermissionDenied(_("You may not do this with this engagement."))
    try:
        call(engagement)
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("supervision:engagement_detail", pk=engagement.pk)


def _is_supervisor(user, e):
    return permissions.is_supervisor_of(user, e)


def _party(user, e):
    return permissions.uses(user, e) or permissions.is_supervisor_of(user, e)


@login_required
@require_POST
def engagement_accept(request, pk):
    return _act(
        request,
        pk,
        _is_supervisor,
        lambda e: services.accept(actor=request.user, engagement=e),
        _("You accepted the engagement."),
    )


@login_required
@require_POST
def engagement_decline(request, pk):
    engagement = _visible(request, pk)
    if not _is_supervisor(request.user, engagement):
        raise PermissionDenied(_("You may not do this with this engagement."))
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("supervision:engagement_detail", pk=pk)
    return _act(
        request,
        pk,
        _is_supervisor,
        lambda e: services.decline(actor=request.user, engagement=e, reason=form.cleaned_data["reason"]),
        _("You declined the engagement."),
    )


@login_required
@require_POST
def engagement_withdraw(request, pk):
    return _act(
        request,
        pk,
        permissions.uses,
        lambda e: services.withdraw(actor=request.user, engagement=e),
        _("The proposal was withdrawn."),
    )


@login_required
@require_POST
def engagement_end(request, pk):
    engagement = _visible(request, pk)
    if not _party(request.user, engagement):
        raise PermissionDenied(_("You may not do this with this engagement."))
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("supervision:engagement_detail", pk=pk)
    d = form.cleaned_data
    return _act(
        request,
        pk,
        _party,
        lambda e: services.end(actor=request.user, engagement=e, ended_on=d["ended_on"], reason=d["reason"]),
        _("The engagement has ended."),
    )


@login_required
@require_POST
def engagement_confirm(request, pk):
    return _act(
        request,
        pk,
        _party,
        lambda e: services.confirm_agreement(actor=request.user, engagement=e),
        _("You confirmed the supervision agreement."),
    )


@login_required
@require_POST
def engagement_agreement(request, pk):
    engagement = _visible(request, pk)
    if not permissions.uses(request.user, engagement):
        raise PermissionDenied(_("Only the using agency changes the supervision agreement."))
    form = AgreementForm(request.POST, organization=engagement.organization)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("supervision:engagement_detail", pk=pk)
    return _act(
        request,
        pk,
        permissions.uses,
        lambda e: services.update_agreement(actor=request.user, engagement=e, **form.cleaned_data),
        _("The agreement was saved; both sides confirm it again."),
    )


@login_required
def engagement_agreement_pdf(request, pk):
    engagement = _visible(request, pk)
    filename = f"{_('Supervision agreement')}-{engagement.pk}.pdf"
    return FileResponse(
        BytesIO(agreement.render(engagement)), as_attachment=True, filename=filename, content_type="application/pdf"
    )


# --- a new engagement ---------------------------------------------------------------------


def _digits(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def default_subsidy_basis(organization) -> str:
    return _("Whoever uses the supervisor pays (谁使用、谁补贴): %(org)s pays for this supervision.") % {
        "org": organization.name
    }


@login_required
def engagement_new(request):
    organizations = list(
        Organization.objects.filter(pk__in=permissions.managed_org_ids(request.user))
        .select_related("jurisdiction")
        .order_by("name", "pk")
    )
    if not organizations:
        raise PermissionDenied(_("Only an agency's administrator engages supervisors for it."))
    chosen = request.POST.get("organization") or request.GET.get("organization")
    if chosen:
        organization = next((o for o in organizations if str(o.pk) == chosen.strip()), None)
        if organization is None:
            raise Http404
    else:
        organization = organizations[0]
    initial = {
        "starts_on": timezone.localdate(),
        "subsidy_basis": default_subsidy_basis(organization),
        "confidentiality": _(
            "Both sides keep what they learn of service users, staff and the agency confidential; "
            "session notes are about the supervision, not about service users' cases."
        ),
    }
    entry = None
    if (entry_id := _digits(request.GET.get("entry"))) is not None:
        entry = selectors.usable_entries(organization).filter(pk=entry_id).first()
        if entry is not None:
            initial["entry"] = entry.pk
            initial["ends_on"] = entry.expires_on
    form = EngagementForm(posted(request), organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        entry = d.pop("entry")
        kind = selectors.kind_for(organization, entry)
        make = services.engage_internal if kind == Engagement.Kind.INTERNAL else services.propose
        try:
            engagement = make(actor=request.user, organization=organization, entry=entry, **d)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if engagement.status == Engagement.Status.PROPOSED:
                messages.success(
                    request, _("The proposal was sent to %(name)s.") % {"name": engagement.supervisor.name}
                )
            else:
                messages.success(request, _("%(name)s is engaged.") % {"name": engagement.supervisor.name})
            return redirect("supervision:engagement_detail", pk=engagement.pk)
    return render(
        request,
        "supervision/engagements/new.html",
        {
            "form": form,
            "organization": organization,
            "organizations": organizations,
            "entry": entry,
            "kind": selectors.kind_for(organization, entry) if entry else None,
        },
    )


# --- to-dos on the home page --------------------------------------------------------------


urlpatterns = [
    path("engagements/", EngagementList.as_view(), name="engagement_list"),
    path("engagements/new/", engagement_new, name="engagement_new"),
    path("engagements/<int:pk>/", engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/accept/", engagement_accept, name="engagement_accept"),
    path("engagements/<int:pk>/decline/", engagement_decline, name="engagement_decline"),
    path("engagements/<int:pk>/withdraw/", engagement_withdraw, name="engagement_withdraw"),
    path("engagements/<int:pk>/end/", engagement_end, name="engagement_end"),
    path("engagements/<int:pk>/confirm/", engagement_confirm, name="engagement_confirm"),
    path("engagements/<int:pk>/agreement/", engagement_agreement, name="engagement_agreement"),
    path("engagements/<int:pk>/agreement.pdf", engagement_agreement_pdf, name="engagement_agreement_pdf"),
]
