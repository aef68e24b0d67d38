from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts.scopes import scope_for
from dudao.core.excel import workbook_bytes, xlsx_response
from dudao.core.forms import add_service_errors, form_errors_text, posted
from dudao.core.views import ListPage
from dudao.directory.selectors import find_by_id_number, organizations_for, people_for

from . import eligibility, permissions, selectors, services
from .filters import NominationFilter, TraineeFilter
from .forms import (
    CloseRoundForm,
    DirectNominationForm,
    EditNominationForm,
    EvidenceForm,
    NominateForm,
    ReviewForm,
    RoundForm,
    WithdrawForm,
)
from .models import EDITABLE, Nomination

S = Nomination.Status


class RoundList(ListPage):
    template_name = "selection/round_list.html"
    table_template = "selection/_round_table.html"
    sort_fields = {"year": ("year",), "deadline": ("submission_deadline",)}
    default_sort = "-year"
    export_title = gettext_lazy("Nomination rounds")
    export_columns = [
        (gettext_lazy("Year"), lambda r: r.year),
        (gettext_lazy("Title"), lambda r: r.title),
        (gettext_lazy("Snapshot date"), lambda r: r.snapshot_date),
        (gettext_lazy("Submission deadline"), lambda r: r.submission_deadline),
        (gettext_lazy("Nominations"), lambda r: r.live_count),
        (gettext_lazy("Trainees"), lambda r: r.trainee_count),
    ]

    def get_queryset(self):
        return selectors.rounds_for(self.request.user).annotate(
            live_count=Count("nominations", distinct=True), trainee_count=Count("trainees", distinct=True)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=permissions.can_manage_rounds(self.request.user), **kwargs)


@login_required
def round_create(request):
    city = selectors.round_jurisdiction_for(request.user)
    if city is None:
        raise PermissionDenied
    form = RoundForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.open_round(actor=request.user, jurisdiction=city, **form.cleaned_data)
            messages.success(request, _("The round is open."))
            return redirect("selection:round_detail", pk=round_.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "selection/round_form.html", {"form": form})


@login_required
def round_detail(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    scope = scope_for(request.user)
    agencies = []
    for organization in organizations_for(request.user).filter(pk__in=scope.managed_org_ids):
        agencies.append({"organization": organization, "quota": selectors.quota_for(round_, organization)})
    summary = selectors.district_summary(round_, request.user) if permissions.reads_summaries(request.user) else []
    return render(
        request,
        "selection/round_detail.html",
        {
            "round": round_,
            "agencies": agencies,
            "summary": summary,
            "totals": _totals(summary),
            "is_city_admin": permissions.can_manage_rounds(request.user, round_.jurisdiction),
            "can_direct": _can_recommend_directly(request.user),
        },
    )


def _totals(summary):
    keys = ("certified", "quota", "nominated", "direct", "approved", "pending", "agencies")
    return {k: sum(row[k] for row in summary) for k in keys}


@login_required
def round_summary_export(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if not permissions.reads_summaries(request.user):
        raise PermissionDenied
    columns = [
        (_("District"), lambda r: r["district"]),
        (_("Agencies with certified staff"), lambda r: r["agencies"]),
        (_("Certified social workers"), lambda r: r["certified"]),
        (_("Quota"), lambda r: r["quota"]),
        (_("Quota nominations"), lambda r: r["nominated"]),
        (_("Direct entries"), lambda r: r["direct"]),
        (_("Awaiting review"), lambda r: r["pending"]),
        (_("Approved trainees"), lambda r: r["approved"]),
    ]
    title = _("District summary")
    return xlsx_response(
        f"{round_.title}-{title}.xlsx", workbook_bytes(title, columns, selectors.district_summary(round_, request.user))
    )


@login_required
@require_POST
def round_close(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if not permissions.can_manage_rounds(request.user, round_.jurisdiction):
        raise PermissionDenied
    form = CloseRoundForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("selection:round_detail", pk=round_.pk)
    try:
        services.close_round(actor=request.user, round_=round_, reason=form.cleaned_data["reason"])
        messages.success(request, _("The round is closed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("selection:round_detail", pk=round_.pk)


def _managed_organization(request, org_pk):
    organization = get_object_or_404(organizations_for(request.user), pk=org_pk)
    if organization.pk not in scope_for(request.user).managed_org_ids:
        raise PermissionDenied
    return organization


@login_required
def round_nominate(request, pk, org_pk):
    """The agency's nomination page: its quota, and every staff member with the
    eligibility rules checked one by one."""
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    organization = _managed_organization(request, org_pk)
    if request.method == "POST":
        person_pk = request.POST.get("person", "")
        if not person_pk.isdigit():
            raise Http404
        person = get_object_or_404(people_for(request.user), pk=person_pk)
        form = NominateForm(request.POST)
        if form.is_valid():
            try:
                nomination = services.create_nomination(
                    actor=request.user,
                    round_=round_,
                    person=person,
                    organization=organization,
                    statement=form.cleaned_data["statement"],
                )
                if request.POST.get("action") == "submit":
                    services.submit(actor=request.user, nomination=nomination)
                    messages.success(
                        request, _("%(name)s was nominated and sent to the district.") % {"name": person.name}
                    )
                else:
                    messages.success(request, _("Draft nomination saved for %(name)s.") % {"name": person.name})
                return redirect("selection:nomination_detail", pk=nomination.pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("selection:round_nominate", pk=round_.pk, org_pk=organization.pk)
    context = eligibility.EvaluationContext.for_round(round_, organization)
    params = eligibility.parameters_for(context)
    rows = []
    for person in selectors.staff_for_nomination(round_, organization):
        results = eligibility.check(person, context=context, path=Nomination.Path.QUOTA, params=params)
        rows.append(
            {
                "person": person,
                "results": results,
                "eligible": eligibility.all_passed(results),
                "nomination": (person.live_nominations or [None])[0],
            }
        )
    return render(
        request,
        "selection/nominate.html",
        {
            "round": round_,
            "organization": organization,
            "quota": selectors.quota_for(round_, organization),
            "rows": rows,
            "form": NominateForm(),
        },
    )


def _can_recommend_directly(user) -> bool:
    return permissions.can_nominate_anywhere(user)


@login_required
def direct_create(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if not _can_recommend_directly(request.user):
        raise PermissionDenied
    form = DirectNominationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = find_by_id_number(request.user, d["person_id_number"])
        employer = person.current_employer if person else None
        if person is None or employer is None:
            form.add_error("person_id_number", _("No person with this ID number is on a roster you can see."))
        else:
            try:
                nomination = services.create_nomination(
                    actor=request.user,
                    round_=round_,
                    person=person,
                    organization=employer,
                    path=Nomination.Path.DIRECT,
                    category=d["category"],
                    statement=d["statement"],
                )
                messages.success(request, _("Draft saved. Attach the evidence, then submit it to the city."))
                return redirect("selection:nomination_detail", pk=nomination.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
    return render(request, "selection/direct_form.html", {"round": round_, "form": form})


class NominationList(ListPage):
    template_name = "selection/nomination_list.html"
    table_template = "selection/_nomination_table.html"
    filterset_class = NominationFilter
    sort_fields = {
        "name": ("person__name",),
        "updated": ("updated_at",),
        "submitted": ("submitted_at",),
        "status": ("status",),
    }
    default_sort = "-updated"
    queue = False
    export_title = gettext_lazy("Nominations")
    export_columns = [
        (gettext_lazy("Round"), lambda n: n.round.title),
        (gettext_lazy("Nominee"), lambda n: n.person.name),
        (gettext_lazy("Education"), lambda n: n.person.education.name if n.person.education else ""),
        (gettext_lazy("Nominating unit"), lambda n: n.organization.name),
        (gettext_lazy("District"), lambda n: n.organization.jurisdiction.name),
        (gettext_lazy("Path"), lambda n: n.get_path_display()),
        (gettext_lazy("Category"), lambda n: n.get_category_display()),
        (gettext_lazy("Status"), lambda n: n.get_status_display()),
        (gettext_lazy("Submitted at"), lambda n: n.submitted_at),
        (gettext_lazy("Decided at"), lambda n: n.decided_at),
    ]

    def get_queryset(self):
        queryset = selectors.nominations_for(self.request.user)
        if self.queue:
            stages = permissions.queue_stages(self.request.user)
            if not stages:
                raise PermissionDenied
            queryset = queryset.filter(status__in=stages)
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(queue=self.queue, **kwargs)


class TraineeList(ListPage):
    template_name = "selection/trainee_list.html"
    table_template = "selection/_trainee_table.html"
    filterset_class = TraineeFilter
    sort_fields = {"name": ("person__name",), "since": ("since",)}
    default_sort = "name"
    export_title = gettext_lazy("Trainees")
    export_columns = [
        (gettext_lazy("Round"), lambda t: t.round.title),
        (gettext_lazy("Name"), lambda t: t.person.name),
        (gettext_lazy("Education"), lambda t: t.person.education.name if t.person.education else ""),
        (gettext_lazy("Nominating unit"), lambda t: t.nomination.organization.name),
        (gettext_lazy("District"), lambda t: t.nomination.organization.jurisdiction.name),
        (gettext_lazy("Path"), lambda t: t.nomination.get_path_display()),
        (gettext_lazy("Trainee since"), lambda t: t.since),
    ]

    def get_queryset(self):
        return selectors.trainees_for(self.request.user)


def _visible_nomination(request, pk):
    return get_object_or_404(selectors.nominations_for(request.user), pk=pk)


@login_required
def nomination_detail(request, pk):
    nomination = _visible_nomination(request, pk)
    can_edit = permissions.can_nominate(request.user, nomination.organization, nomination.path, nomination.category)
    evidence = list(nomination.evidence.all())
    if nomination.status in EDITABLE:
        results = services._person_checked(
            nomination.round,
            nomination.person,
            nomination.organization,
            nomination.path,
            nomination.category,
            len(evidence),
        )
    else:
        results = [eligibility.RuleResult(**r) for r in nomination.eligibility]
    stage = permissions.reviewer_stage(request.user, nomination)
    quota = (
        selectors.quota_for(nomination.round, nomination.organization)
        if nomination.path == Nomination.Path.QUOTA and can_edit
        else None
    )
    return render(
        request,
        "selection/nomination_detail.html",
        {
            "nomination": nomination,
            "results": results,
            "eligible": eligibility.all_passed(results),
            "evidence": evidence,
            "timeline": nomination.transitions.select_related("actor"),
            "can_edit": can_edit and nomination.status in EDITABLE,
            "can_withdraw": can_edit and nomination.status not in (S.APPROVED, S.REJECTED, S.WITHDRAWN),
            "review_form": ReviewForm(initial={"expected_status": nomination.status}) if stage else None,
            "edit_form": EditNominationForm(initial={"statement": nomination.statement}),
            "evidence_form": EvidenceForm(),
            "withdraw_form": WithdrawForm(),
            "quota": quota,
        },
    )


def _act(request, pk, action, success, form=None):
    """Run a service on a nomination the user can see, with a valid form only:
    an invalid one changes nothing and says why."""
    nomination = _visible_nomination(request, pk)
    if form is not None and not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("selection:nomination_detail", pk=nomination.pk)
    try:
        action(nomination)
        messages.success(request, success)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("selection:nomination_detail", pk=nomination.pk)


def _owned(request, pk):
    """The unit's own nomination: visible (else 404) and the user's to change
    (else 403), checked before the form so a refusal is never a form error."""
    nomination = _visible_nomination(request, pk)
    if not permissions.can_nominate(request.user, nomination.organization, nomination.path, nomination.category):
        raise PermissionDenied(_("Only the nominating unit may change this nomination."))
    return nomination


@login_required
@require_POST
def nomination_submit(request, pk):
    return _act(request, pk, lambda n: services.submit(actor=request.user, nomination=n), _("Submitted for review."))


@login_required
@require_POST
def nomination_edit(request, pk):
    _owned(request, pk)
    form = EditNominationForm(request.POST)
    return _act(
        request,
        pk,
        lambda n: services.update_nomination(
            actor=request.user, nomination=n, statement=form.cleaned_data["statement"]
        ),
        _("Changes saved."),
        form=form,
    )


@login_required
@require_POST
def nomination_withdraw(request, pk):
    _owned(request, pk)
    form = WithdrawForm(request.POST)
    return _act(
        request,
        pk,
        lambda n: services.withdraw(actor=request.user, nomination=n, reason=form.cleaned_data["reason"]),
        _("Nomination withdrawn."),
        form=form,
    )


@login_required
@require_POST
def nomination_evidence(request, pk):
    nomination = _owned(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("selection:nomination_detail", pk=nomination.pk)
    return _act(
        request,
        pk,
        lambda n: services.add_evidence(
            actor=request.user,
            nomination=n,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        ),
        _("Evidence attached."),
    )


@login_required
@require_POST
def nomination_review(request, pk):
    nomination = _visible_nomination(request, pk)
    if not permissions.reviews(request.user, nomination):
        raise PermissionDenied(_("You do not review nominations at this stage."))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("selection:nomination_detail", pk=nomination.pk)
    d = form.cleaned_data
    done = {"approve": _("Approved."), "return": _("Returned for revision."), "reject": _("Rejected.")}[d["decision"]]
    return _act(
        request,
        pk,
        lambda n: services.review(
            actor=request.user,
            nomination=n,
            decision=d["decision"],
            reason=d["reason"],
            expected_status=d["expected_status"],
        ),
        done,
    )


@login_required
def evidence_download(request, pk, evidence_pk):
    nomination = _visible_nomination(request, pk)
    evidence = get_object_or_404(nomination.evidence, pk=evidence_pk)
    return FileResponse(
        evidence.file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=True,
        filename=evidence.original_name,
    )
