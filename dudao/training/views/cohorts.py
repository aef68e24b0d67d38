from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.core.forms import add_service_errors

from .. import permissions, selectors, services
from ..forms import MembersForm, SessionForm
from .common import errors_text, visible_cohort


def _render_cohort(request, cohort, *, session_form=None, members_form=None):
    context = selectors.cohort_page(request.user, cohort)
    if context["can_run"]:
        context["session_form"] = session_form or SessionForm(modules=cohort.programme.modules.all())
        context["members_form"] = members_form or MembersForm(
            trainees=selectors.available_trainees(cohort.programme, cohort.round)
        )
    return render(request, "training/cohort_detail.html", context)


@login_required
def cohort_detail(request, pk):
    return _render_cohort(request, visible_cohort(request, pk))


@login_required
@require_POST
def members_add(request, pk):
    cohort = visible_cohort(request, pk)
    form = MembersForm(request.POST, trainees=selectors.available_trainees(cohort.programme, cohort.round))
    if form.is_valid():
        try:
            members = services.add_members(actor=request.user, cohort=cohort, trainees=form.cleaned_data["trainees"])
            messages.success(request, _("%(count)s trainees added.") % {"count": len(members)})
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not permissions.can_run_programme(request.user, cohort.programme):
        raise PermissionDenied
    return _render_cohort(request, cohort, members_form=form)


@login_required
@require_POST
def session_create(request, pk):
    cohort = visible_cohort(request, pk)
    form = SessionForm(request.POST, modules=cohort.programme.modules.all())
    if form.is_valid():
        try:
            services.schedule_session(actor=request.user, cohort=cohort, **form.cleaned_data)
            messages.success(request, _("Session scheduled."))
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not permissions.can_run_programme(request.user, cohort.programme):
        raise PermissionDenied
    return _render_cohort(request, cohort, session_form=form)


@login_required
def attendance(request, pk):
    session = get_object_or_404(
        selectors.sessions_for(request.user).select_related("cohort__programme__jurisdiction"), pk=pk
    )
    cohort = session.cohort
    if not permissions.can_run_programme(request.user, cohort.programme):
        raise PermissionDenied
    if request.method == "POST":
        try:
            count = services.record_attendance(
                actor=request.user,
                session=session,
                present_member_ids=request.POST.getlist("present"),
                excused_member_ids=request.POST.getlist("excused"),
            )
            messages.success(request, _("Attendance recorded: %(count)s present.") % {"count": count})
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            messages.error(request, errors_text(exc))
    return render(
        request,
        "training/attendance.html",
        {"session": session, "cohort": cohort, **selectors.attendance_sheet(session)},
    )
