from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import form_errors_text
from dudao.core.views import ListPage
from dudao.directory.selectors import people_for
from dudao.publicity import permissions as publicity_permissions
from dudao.publicity import selectors as publicity_selectors
from dudao.publicity import services as publicity_services

from .. import eligibility, permissions, selectors, services
from ..filters import NominationFilter, TraineeFilter
from ..forms import (
    BatchApproveForm,
    EditNominationForm,
    EvidenceForm,
    ReviewForm,
    WithdrawForm,
)
from ..models import EDITABLE, Nomination

S = Nomination.Status


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
        return super().get_context_data(
            queue=self.queue, batch_form=BatchApproveForm() if self.queue else None, **kwargs
        )


class TraineeList(ListPage):
    template_name = "selection/trainee_list.html"
    table_template = "selection/_trainee_table.html"
    filterset_class = TraineeFilter
    sort_fields = {"name": ("person_name",), "since": ("since",)}
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

    def decorate(self, rows):
        """Link a trainee to the nomination only where the user may open it
        (a trainer reads its trainees, not their nominations)."""
        visible = set(
            selectors.nominations_for(self.request.user)
            .filter(pk__in=[t.nomination_id for t in rows])
            .values_list("pk", flat=True)
        )
        for trainee in rows:
            trainee.nomination_visible = trainee.nomination_id in visible
        return rows


def _visible_nomination(request, pk):
    return get_object_or_404(selectors.nominations_for(request.user), pk=pk)


@login_required
def nomination_detail(request, pk):
    # A 公示 whose period has ended takes effect when read, not only at night.
    publicity_services.settle_due()
    nomination = _visible_nomination(request, pk)
    publicity_items = publicity_selectors.items_of_record(selectors.publicity_record(nomination.pk))
    can_edit = permissions.can_nominate(request.user, nomination.organization, nomination.path, nomination.category)
    evidence = list(nomination.evidence.all())
    if nomination.status in EDITABLE:
        results = selectors.checked_eligibility(
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
    # The unit's quota beside the nomination: what the unit weighs when it
    # nominates, and what a reviewer weighs when deciding.
    quota = (
        selectors.quota_for(nomination.round, nomination.organization)
        if nomination.path == Nomination.Path.QUOTA
        and (can_edit or stage or permissions.reviews(request.user, nomination))
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
            "can_withdraw": can_edit and nomination.status not in (S.APPROVED, S.REJECTED, S.WITHDRAWN, S.PUBLICITY),
            "publicity_items": publicity_items,
            "publicity_keeper": bool(publicity_items)
            and publicity_permissions.can_keep(request.user, publicity_items[0].notice),
            "review_form": ReviewForm(initial={"expected_status": nomination.status}) if stage else None,
            "edit_form": EditNominationForm(initial={"statement": nomination.statement}),
            "evidence_form": EvidenceForm(),
            "withdraw_form": WithdrawForm(),
            "quota": quota,
            "can_see_person": people_for(request.user).filter(pk=nomination.person_id).exists(),
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
    """Save the edited recommendation; with action=submit, then (re)submit it in
    the same click. The edit is saved first, so a refused submission never
    loses it: the message says it was saved and why it was not submitted."""
    nomination = _owned(request, pk)
    form = EditNominationForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("selection:nomination_detail", pk=nomination.pk)
    try:
        nomination = services.update_nomination(
            actor=request.user, nomination=nomination, statement=form.cleaned_data["statement"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("selection:nomination_detail", pk=nomination.pk)
    if request.POST.get("action") != "submit":
        messages.success(request, _("Changes saved."))
        return redirect("selection:nomination_detail", pk=nomination.pk)
    try:
        services.submit(actor=request.user, nomination=nomination)
        messages.success(request, _("Changes saved and submitted for review."))
    except ValidationError as exc:
        messages.error(
            request,
            _("Changes saved, but not submitted: %(reason)s") % {"reason": " ".join(exc.messages)},
        )
    return redirect("selection:nomination_detail", pk=nomination.pk)


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
@require_POST
def queue_approve(request):
    """Approve the ticked nominations of the review queue in one go: each goes
    through the review service on its own, and each that fails is reported
    with its reason while the others stand."""
    if not permissions.queue_stages(request.user):
        raise PermissionDenied(_("You do not review nominations."))
    form = BatchApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("selection:queue")
    items = form.cleaned_data["items"]
    visible = selectors.nominations_for(request.user).in_bulk([pk for pk, _status in items])
    outcomes = services.approve_many(
        actor=request.user,
        nominations=[(visible.get(pk), pk, status) for pk, status in items],
        reason=form.cleaned_data["reason"],
    )
    approved = [o for o in outcomes if o.ok]
    if approved:
        messages.success(
            request,
            _("%(count)s approved: %(names)s")
            % {"count": len(approved), "names": "、".join(o.nomination.person.name for o in approved)},
        )
    for o in outcomes:
        if not o.ok:
            name = o.nomination.person.name if o.nomination else f"#{o.nomination_id}"
            messages.error(request, _("%(name)s was not approved: %(reason)s") % {"name": name, "reason": o.error})
    return redirect("selection:queue")


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
