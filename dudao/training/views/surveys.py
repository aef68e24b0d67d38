from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.core.forms import add_service_errors, posted

from .. import permissions, selectors, services
from ..forms import QuestionFormSet, SurveyAnswerForm, SurveyForm
from .common import errors_text, visible_programme, visible_survey


@login_required
def survey_create(request, pk):
    programme = visible_programme(request, pk)
    if not permissions.can_run_programme(request.user, programme):
        raise PermissionDenied
    form = SurveyForm(posted(request))
    formset = QuestionFormSet(posted(request), prefix="q")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        questions = [q for q in (f.as_question() for f in formset.forms) if q]
        try:
            survey = services.create_survey(
                actor=request.user, programme=programme, title=form.cleaned_data["title"], questions=questions
            )
            messages.success(request, _("Survey saved. Send it when it is ready."))
            return redirect("training:survey_summary", pk=survey.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "training/survey_form.html", {"programme": programme, "form": form, "formset": formset})


@login_required
def survey_summary(request, pk):
    survey = visible_survey(request, pk)
    if not permissions.can_see_results(request.user, survey.programme):
        raise PermissionDenied
    return render(
        request,
        "training/survey_summary.html",
        {
            "survey": survey,
            "programme": survey.programme,
            "summary": services.survey_summary(survey),
            **selectors.survey_counts(survey),
            "can_send": permissions.can_run_programme(request.user, survey.programme) and not survey.sent_at,
        },
    )


@login_required
@require_POST
def survey_send(request, pk):
    survey = visible_survey(request, pk)
    try:
        count = services.send_survey(actor=request.user, survey=survey)
        messages.success(request, _("The survey was sent to %(count)s trainees.") % {"count": count})
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    return redirect("training:survey_summary", pk=survey.pk)


@login_required
def survey_answer(request, pk):
    survey = visible_survey(request, pk)
    member = selectors.member_for(request.user, survey.programme)
    if member is None:
        if permissions.can_see_results(request.user, survey.programme):
            return redirect("training:survey_summary", pk=survey.pk)
        raise PermissionDenied
    previous = selectors.response_of(survey, member)
    initial = {k: (str(v) if isinstance(v, int) else v) for k, v in (previous.answers if previous else {}).items()}
    form = SurveyAnswerForm(posted(request), survey=survey, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(actor=request.user, survey=survey, answers=form.answers())
            messages.success(request, _("Thank you: your answers were saved."))
            return redirect("training:my_training")
        except ValidationError as exc:
            error = errors_text(exc)
    return render(
        request,
        "training/survey_answer.html",
        {"survey": survey, "form": form, "error": error, "answered": previous is not None},
    )
