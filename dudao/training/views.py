"""The training pages. Every record is looked up through the user's scope
(out of scope: 404); what a user may do with it is the services' call
(PermissionDenied: 403)."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts.models import Role
from dudao.accounts.scopes import scope_for
from dudao.core.excel import XLSX_TYPE, workbook_bytes, xlsx_response
from dudao.core.forms import add_service_errors, posted
from dudao.core.views import ListPage
from dudao.selection.models import Round

from . import imports, selectors, services
from .filters import ActivityFilter, ProgrammeFilter
from .forms import (
    ActivityForm,
    CohortForm,
    MembersForm,
    ModuleForm,
    ProgrammeForm,
    QuestionFormSet,
    ScoresUploadForm,
    SessionForm,
    SurveyAnswerForm,
    SurveyForm,
)
from .models import Member, Response, Survey


def _is_city_admin(user):
    return Role.CITY_ADMIN in scope_for(user).roles


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- programmes --------------------------------------------------------------------


class ProgrammeList(ListPage):
    template_name = "training/programme_list.html"
    table_template = "training/_programme_table.html"
    filterset_class = ProgrammeFilter
    sort_fields = {"name": ("name",), "starts": ("starts_on",)}
    default_sort = "-starts"
    export_title = gettext_lazy("Training programmes")
    export_columns = [
        (gettext_lazy("Programme"), lambda p: p.name),
        (gettext_lazy("Commissioned trainer"), lambda p: p.trainer.name),
        (gettext_lazy("Starts on"), lambda p: p.starts_on),
        (gettext_lazy("Ends on"), lambda p: p.ends_on),
        (gettext_lazy("Target size"), lambda p: p.target_size),
        (gettext_lazy("Trainees in cohorts"), lambda p: p.member_count),
        (gettext_lazy("Cohorts"), lambda p: p.cohort_count),
    ]

    def get_queryset(self):
        return selectors.programmes_for(self.request.user).annotate(
            cohort_count=Count("cohorts", distinct=True), member_count=Count("cohorts__members", distinct=True)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=_is_city_admin(self.request.user), **kwargs)


@login_required
def programme_create(request):
    if not _is_city_admin(request.user):
        raise PermissionDenied
    form = ProgrammeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        city = (
            request.user.role_assignments.filter(role=Role.CITY_ADMIN)
            .select_related("jurisdiction")
            .first()
            .jurisdiction
        )
        try:
            programme = services.create_programme(actor=request.user, jurisdiction=city, **form.cleaned_data)
            messages.success(request, _("The programme is set up. Add its modules and cohorts."))
            return redirect("training:programme_detail", pk=programme.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "training/programme_form.html", {"form": form})


def _visible_programme(request, pk):
    return get_object_or_404(selectors.programmes_for(request.user), pk=pk)


def _rounds_of(programme):
    return Round.objects.filter(jurisdiction__path__startswith=programme.jurisdiction.path).order_by("-year", "-id")


def _cohort_form(request, programme, data=None):
    rounds = _rounds_of(programme)
    round_id = (data or {}).get("round") or request.GET.get("round")
    chosen = rounds.filter(pk=round_id).first() if str(round_id or "").isdigit() else None
    chosen = chosen or rounds.first()
    form = CohortForm(
        data,
        rounds=rounds,
        trainees=selectors.available_trainees(programme, chosen),
        initial={"round": chosen.pk if chosen else None},
    )
    return form


def _render_programme(request, programme, *, module_form=None, cohort_form=None, status=200):
    user = request.user
    can_run = selectors.can_run_programme(user, programme)
    can_see_results = selectors.can_see_results(user, programme)
    cohorts = (
        selectors.cohorts_for(user)
        .filter(programme=programme)
        .annotate(member_count=Count("members", distinct=True), session_count=Count("sessions", distinct=True))
        .order_by("name")
    )
    summary = selectors.programme_summary(programme) if can_see_results else []
    modules = list(programme.modules.select_related("domain"))
    surveys = programme.surveys.annotate(
        question_count=Count("questions", distinct=True), response_count=Count("responses", distinct=True)
    )
    member = selectors.member_for(user, programme)
    if not can_see_results:
        surveys = surveys.filter(sent_at__isnull=False)
    context = {
        "programme": programme,
        "can_run": can_run,
        "can_manage": selectors.can_manage_programme(user, programme),
        "can_see_results": can_see_results,
        "modules": modules,
        "module_hours": sum((m.hours for m in modules), 0),
        "cohorts": cohorts,
        "summary": summary,
        "totals": {
            key: sum(getattr(row, key) for row in summary)
            for key in ("member_count", "scored_count", "confirmed_count", "passed_count")
        },
        "trainee_count": Member.objects.filter(cohort__programme=programme).count(),
        "surveys": surveys,
        "member": member,
    }
    if can_run:
        context["module_form"] = module_form or ModuleForm()
        context["cohort_form"] = cohort_form or _cohort_form(request, programme)
    return render(request, "training/programme_detail.html", context, status=status)


@login_required
def programme_detail(request, pk):
    return _render_programme(request, _visible_programme(request, pk))


@login_required
@require_POST
def module_create(request, pk):
    programme = _visible_programme(request, pk)
    form = ModuleForm(request.POST)
    if form.is_valid():
        try:
            services.add_module(actor=request.user, programme=programme, **form.cleaned_data)
            messages.success(request, _("Module added."))
            return redirect(reverse("training:programme_detail", args=[programme.pk]) + "#modules")
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not selectors.can_run_programme(request.user, programme):
        raise PermissionDenied
    return _render_programme(request, programme, module_form=form)


@login_required
@require_POST
def cohort_create(request, pk):
    programme = _visible_programme(request, pk)
    form = _cohort_form(request, programme, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            cohort = services.create_cohort(
                actor=request.user, programme=programme, name=d["name"], round_=d["round"], trainees=d["trainees"]
            )
            messages.success(request, _("Cohort %(name)s created.") % {"name": cohort.name})
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not selectors.can_run_programme(request.user, programme):
        raise PermissionDenied
    return _render_programme(request, programme, cohort_form=form)


# --- cohorts -------------------------------------------------------------------------


def _visible_cohort(request, pk):
    return get_object_or_404(selectors.cohorts_for(request.user), pk=pk)


def _render_cohort(request, cohort, *, session_form=None, members_form=None):
    user = request.user
    programme = cohort.programme
    can_run = selectors.can_run_programme(user, programme)
    can_see_results = selectors.can_see_results(user, programme)
    sessions = cohort.sessions.select_related("module").annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True)),
        recorded_count=Count("attendance"),
    )
    context = {
        "cohort": cohort,
        "programme": programme,
        "can_run": can_run,
        "can_see_results": can_see_results,
        "is_trainer": selectors.is_trainer_of(user, programme),
        "sessions": sessions,
        "results": selectors.results(cohort) if can_see_results else [],
        "members": cohort.members.select_related("trainee__person", "trainee__nomination__organization__jurisdiction"),
    }
    if can_run:
        context["session_form"] = session_form or SessionForm(modules=programme.modules.all())
        context["members_form"] = members_form or MembersForm(
            trainees=selectors.available_trainees(programme, cohort.round)
        )
    return render(request, "training/cohort_detail.html", context)


@login_required
def cohort_detail(request, pk):
    return _render_cohort(request, _visible_cohort(request, pk))


@login_required
@require_POST
def members_add(request, pk):
    cohort = _visible_cohort(request, pk)
    form = MembersForm(request.POST, trainees=selectors.available_trainees(cohort.programme, cohort.round))
    if form.is_valid():
        try:
            members = services.add_members(actor=request.user, cohort=cohort, trainees=form.cleaned_data["trainees"])
            messages.success(request, _("%(count)s trainees added.") % {"count": len(members)})
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not selectors.can_run_programme(request.user, cohort.programme):
        raise PermissionDenied
    return _render_cohort(request, cohort, members_form=form)


@login_required
@require_POST
def session_create(request, pk):
    cohort = _visible_cohort(request, pk)
    form = SessionForm(request.POST, modules=cohort.programme.modules.all())
    if form.is_valid():
        try:
            services.schedule_session(actor=request.user, cohort=cohort, **form.cleaned_data)
            messages.success(request, _("Session scheduled."))
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not selectors.can_run_programme(request.user, cohort.programme):
        raise PermissionDenied
    return _render_cohort(request, cohort, session_form=form)


@login_required
def attendance(request, pk):
    session = get_object_or_404(
        selectors.sessions_for(request.user).select_related("cohort__programme__jurisdiction"), pk=pk
    )
    cohort = session.cohort
    if not selectors.can_run_programme(request.user, cohort.programme):
        raise PermissionDenied
    if request.method == "POST":
        try:
            count = services.record_attendance(
                actor=request.user, session=session, present_member_ids=request.POST.getlist("present")
            )
            messages.success(request, _("Attendance recorded: %(count)s present.") % {"count": count})
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    present = set(session.attendance.filter(present=True).values_list("member_id", flat=True))
    members = cohort.members.select_related("trainee__person", "trainee__nomination__organization")
    return render(
        request,
        "training/attendance.html",
        {
            "session": session,
            "cohort": cohort,
            "rows": [{"member": m, "present": m.pk in present} for m in members],
            "recorded": session.attendance.exists(),
        },
    )


def _results_visible(request, pk):
    cohort = _visible_cohort(request, pk)
    if not selectors.can_see_results(request.user, cohort.programme):
        raise PermissionDenied
    return cohort


@login_required
def scores(request, pk):
    """The results table; the trainer enters the scores on it, the city confirms them."""
    cohort = _results_visible(request, pk)
    programme = cohort.programme
    is_trainer = selectors.is_trainer_of(request.user, programme)
    submitted = None
    if request.method == "POST":
        submitted = request.POST
        sheet = {
            m.pk: (request.POST.get(f"theory-{m.pk}", ""), request.POST.get(f"practice-{m.pk}", ""))
            for m in cohort.members.filter(confirmed_at__isnull=True)
        }
        try:
            changed = services.record_cohort_scores(actor=request.user, cohort=cohort, scores=sheet)
            messages.success(request, _("Scores saved for %(count)s trainees.") % {"count": changed})
            return redirect("training:scores", pk=cohort.pk)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    params = selectors.result_parameters(programme)
    results = selectors.results(cohort, params)
    rows = []
    for r in results:
        row = {"result": r, "theory": r.member.theory_score, "practice": r.member.practice_score}
        if submitted is not None and not r.confirmed:
            row["theory"] = submitted.get(f"theory-{r.member.pk}", "")
            row["practice"] = submitted.get(f"practice-{r.member.pk}", "")
        rows.append(row)
    return render(
        request,
        "training/scores.html",
        {
            "cohort": cohort,
            "programme": programme,
            "rows": rows,
            "rules": {
                "theory_weight": params["training.theory_weight"],
                "practice_weight": 100 - params["training.theory_weight"],
                "pass_mark": params["training.pass_mark"],
                "min_share": params["training.min_attendance_share"],
            },
            "is_trainer": is_trainer,
            "can_see_pools": scope_for(request.user).can("pools.entries.read"),
            "can_confirm": selectors.can_manage_programme(request.user, programme),
            "pending": sum(1 for r in results if not r.confirmed),
            "all_scored": all(r.scored for r in results),
        },
    )


@login_required
@require_POST
def confirm(request, pk):
    cohort = _results_visible(request, pk)
    try:
        outcome = services.confirm_results(actor=request.user, cohort=cohort)
        messages.success(
            request,
            _(
                "%(confirmed)s results confirmed: %(admitted)s trainees passed and enter the city pool, %(failed)s did not pass."
            )
            % outcome,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("training:scores", pk=cohort.pk)


def _result_columns():
    return [
        (_("Member number"), lambda r: r.member.pk),
        (_("Name"), lambda r: r.member.trainee.person.name),
        (_("Nominating unit"), lambda r: r.member.trainee.nomination.organization.name),
        (_("District"), lambda r: r.member.trainee.nomination.organization.jurisdiction.name),
        (_("Hours attended"), lambda r: float(r.attended_hours)),
        (_("Hours scheduled"), lambda r: float(r.total_hours)),
        (_("Attendance (%)"), lambda r: float(r.share) if r.share is not None else ""),
        (_("Theory score"), lambda r: float(r.member.theory_score) if r.member.theory_score is not None else ""),
        (_("Practice score"), lambda r: float(r.member.practice_score) if r.member.practice_score is not None else ""),
        (_("Overall score"), lambda r: float(r.overall) if r.overall is not None else ""),
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
    content = workbook_bytes(title, _result_columns(), selectors.results(cohort))
    return xlsx_response(f"{cohort.name}-{title}-{timezone.localdate():%Y%m%d}.xlsx", content)


def _trainer_cohort(request, pk):
    cohort = _visible_cohort(request, pk)
    if not selectors.is_trainer_of(request.user, cohort.programme):
        raise PermissionDenied(_("Only the commissioned trainer records assessment scores."))
    return cohort


@login_required
def scores_template(request, pk):
    cohort = _trainer_cohort(request, pk)
    response = HttpResponse(imports.template_file(cohort), content_type=XLSX_TYPE)
    title = _("Score sheet")
    return _as_attachment(response, f"{cohort.name}-{title}.xlsx")


def _as_attachment(response, filename):
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


# --- surveys -------------------------------------------------------------------------


@login_required
def survey_create(request, pk):
    programme = _visible_programme(request, pk)
    if not selectors.can_run_programme(request.user, programme):
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


def _visible_survey(request, pk):
    return get_object_or_404(selectors.surveys_for(request.user), pk=pk)


@login_required
def survey_summary(request, pk):
    survey = _visible_survey(request, pk)
    if not selectors.can_see_results(request.user, survey.programme):
        raise PermissionDenied
    return render(
        request,
        "training/survey_summary.html",
        {
            "survey": survey,
            "programme": survey.programme,
            "summary": services.survey_summary(survey),
            "response_count": survey.responses.count(),
            "invited": Member.objects.filter(cohort__programme=survey.programme).count(),
            "can_send": selectors.can_run_programme(request.user, survey.programme) and not survey.sent_at,
        },
    )


@login_required
@require_POST
def survey_send(request, pk):
    survey = _visible_survey(request, pk)
    try:
        count = services.send_survey(actor=request.user, survey=survey)
        messages.success(request, _("The survey was sent to %(count)s trainees.") % {"count": count})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("training:survey_summary", pk=survey.pk)


@login_required
def survey_answer(request, pk):
    survey = _visible_survey(request, pk)
    member = selectors.member_for(request.user, survey.programme)
    if member is None:
        if selectors.can_see_results(request.user, survey.programme):
            return redirect("training:survey_summary", pk=survey.pk)
        raise PermissionDenied
    previous = Response.objects.filter(survey=survey, member=member).first()
    initial = {k: (str(v) if isinstance(v, int) else v) for k, v in (previous.answers if previous else {}).items()}
    form = SurveyAnswerForm(posted(request), survey=survey, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(actor=request.user, survey=survey, answers=form.answers())
            messages.success(request, _("Thank you: your answers were saved."))
            return redirect("training:my_training")
        except ValidationError as exc:
            error = _errors(exc)
    return render(
        request,
        "training/survey_answer.html",
        {"survey": survey, "form": form, "error": error, "answered": previous is not None},
    )


# --- own training records ------------------------------------------------------------


class ActivityList(ListPage):
    template_name = "training/activity_list.html"
    table_template = "training/_activity_table.html"
    filterset_class = ActivityFilter
    sort_fields = {"date": ("held_on",), "title": ("title",), "hours": ("hours",)}
    default_sort = "-date"
    export_title = gettext_lazy("Training activities")
    export_columns = [
        (gettext_lazy("Date"), lambda a: a.held_on),
        (gettext_lazy("Title"), lambda a: a.title),
        (gettext_lazy("Kind"), lambda a: a.get_kind_display()),
        (gettext_lazy("Service domain"), lambda a: a.domain.name if a.domain else ""),
        (gettext_lazy("Organised by"), lambda a: a.organization.name if a.organization else a.jurisdiction.name),
        (gettext_lazy("Hours"), lambda a: float(a.hours)),
        (gettext_lazy("Planned (not yet held)"), lambda a: _("Yes") if a.is_plan else ""),
        (gettext_lazy("Participants"), lambda a: "、".join(p.name for p in a.participants.all())),
    ]

    def get_queryset(self):
        return selectors.activities_for(self.request.user)

    def decorate(self, rows):
        return selectors.with_participant_counts(rows)

    def get_export_queryset(self, queryset):
        return queryset.prefetch_related("participants")

    def get_context_data(self, **kwargs):
        organizations, jurisdictions = selectors.organiser_choices(self.request.user)
        return super().get_context_data(can_create=organizations.exists() or jurisdictions.exists(), **kwargs)


@login_required
def activity_create(request):
    organizations, jurisdictions = selectors.organiser_choices(request.user)
    if not organizations.exists() and not jurisdictions.exists():
        raise PermissionDenied
    form = ActivityForm(
        posted(request),
        organizations=organizations,
        jurisdictions=jurisdictions,
        people=selectors.participant_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d.pop("organiser")
        try:
            activity = services.record_activity(actor=request.user, **form.organiser_kwargs(), **d)
            messages.success(request, _("Training activity %(title)s recorded.") % {"title": activity.title})
            return redirect("training:activity_list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "training/activity_form.html", {"form": form})


@login_required
def my_training(request):
    person = request.user.person
    if person is None:
        raise Http404
    history = selectors.training_history(person)
    answered = Response.objects.filter(member__trainee__person=person).values("survey_id")
    surveys = (
        Survey.objects.filter(programme__cohorts__members__trainee__person=person, sent_at__isnull=False)
        .exclude(pk__in=answered)
        .exclude(closes_at__lt=timezone.now())
        .distinct()
        .select_related("programme")
    )
    return render(request, "training/my_training.html", {"person": person, "history": history, "surveys": surveys})
