from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.core.excel import XLSX_TYPE, workbook_bytes, xlsx_response
from dudao.core.forms import posted

from .. import imports, permissions, selectors, services
from ..forms import ScoresUploadForm
from .common import errors_text, visible_cohort


def _results_visible(request, pk):
    cohort = visible_cohort(request, pk)
    if not permissions.can_see_results(request.user, cohort.programme):
        raise PermissionDenied
    return cohort


@login_required
def scores(request, pk):
    """The results table; the trainer enters the scores on it, the city confirms them."""
    cohort = _results_visible(request, pk)
    submitted = None
    if request.method == "POST":
        submitted = request.POST
        sheet = {
            m.pk: (request.POST.get(f"theory-{m.pk}", ""), request.POST.get(f"practice-{m.pk}", ""))
            for m in selectors.unconfirmed_members(cohort)
        }
        try:
            changed = services.record_cohort_scores(actor=request.user, cohort=cohort, scores=sheet)
            messages.success(request, _("Scores saved for %(count)s trainees.") % {"count": changed})
            return redirect("training:scores", pk=cohort.pk)
        except ValidationError as exc:
            messages.error(request, errors_text(exc))
    return render(request, "training/scores.html", selectors.score_sheet(request.user, cohort, submitted))


@login_required
@require_POST
def confirm(request, pk):
    cohort = _results_visible(request, pk)
    try:
        outcome = services.confirm_results(actor=request.user, cohort=cohort)
        if outcome["published"]:
            message = _(
                "%(confirmed)s results confirmed: %(published)s trainees passed and are in public notice before they "
                "enter the city pool, %(failed)s did not pass."
            )
        else:
            message = _(
                "%(confirmed)s results confirmed: %(admitted)s trainees passed and enter the city pool, %(failed)s did not pass."
            )
        messages.success(request, message % outcome)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    return redirect("training:scores", pk=cohort.pk)


def _number(value):
    return float(value) if value is not None else ""


def _result_columns():
    return [
        (_("Member number"), lambda r: r.member.pk),
        (_("Name"), lambda r: r.member.trainee.person.name),
        (_("Nominating unit"), lambda r: r.member.trainee.nomination.organization.name),
        (_("District"), lambda r: r.member.trainee.nomination.organization.jurisdiction.name),
        (_("Hours attended"), lambda r: float(r.attended_hours)),
        (_("Hours scheduled"), lambda r: float(r.total_hours)),
        (_("Attendance (%)"), lambda r: _number(r.share)),
        (_("Theory score"), lambda r: _number(r.member.theory_score)),
        (_("Practice score"), lambda r: _number(r.member.practice_score)),
        (_("Overall score"), lambda r: _number(r.overall)),
        (_("Result"), _outcome_label),
        (_("Confirmed at"), lambda r: r.member.confirmed_at),
    ]


def _outcome_label(result) -> str:
    if result.outcome is None:
        return _("Not scored")
    label = _("Passed") if result.outcome else _("Not passed")
    return label if result.confirmed else _("%(result)s (awaiting confirmation)") % {"result": label}


@login_required
def results_export(request, pk):
    cohort = _results_visible(request, pk)
    title = _("Results")
    content = workbook_bytes(title, _result_columns(), selectors.results(cohort), user=request.user)
    return xlsx_response(f"{cohort.name}-{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def _trainer_cohort(request, pk):
    cohort = visible_cohort(request, pk)
    if not permissions.is_trainer_of(request.user, cohort.programme):
        raise PermissionDenied(_("Only the commissioned trainer records assessment scores."))
    return cohort


@login_required
def scores_template(request, pk):
    cohort = _trainer_cohort(request, pk)
    response = HttpResponse(imports.template_file(cohort), content_type=XLSX_TYPE)
    title = _("Score sheet")
    filename = f"{cohort.name}-{title}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"scores.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def scores_import(request, pk):
    cohort = _trainer_cohort(request, pk)
    form = ScoresUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            count = imports.import_scores(actor=request.user, cohort=cohort, upload=form.cleaned_data["file"])
            messages.success(request, _("Scores imported for %(count)s trainees.") % {"count": count})
            return redirect("training:scores", pk=cohort.pk)
        except imports.ImportRejected as exc:
            errors = exc.errors
    return render(request, "training/scores_import.html", {"cohort": cohort, "form": form, "errors": errors})
