"""Pages of practice hours, ability assessments and "my supervision" (the
supervisor's calendar and year against the minimums; the supervisee's year
against their need)."""

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.forms import add_service_errors, posted
from dudao.core.views import ListPage
from dudao.directory.models import Organization, Person

from .. import permissions
from ..models import Attendance, Engagement, PracticeLog, Session
from ..practice_forms import (
    AssessmentFilter,
    AssessmentForm,
    PracticeFilter,
    PracticeLogForm,
    RejectForm,
    parse_month,
)
from ..selectors import practice as selectors
from ..selectors.summary import my_supervision, supervisor_summary
from ..services import assessments as assessment_services
from ..services import practice as practice_services


def session_url(pk: int) -> str:
    """The session's page (built by the sessions area; its path is agreed)."""
    try:
        return reverse("supervision:session_detail", args=[pk])
    except NoReverseMatch:
        return f"/supervision/sessions/{pk}/"


def sessions_url() -> str:
    try:
        return reverse("supervision:session_list")
    except NoReverseMatch:
        return "/supervision/sessions/"


# --- my supervision ----------------------------------------------------------------------


def _calendar(supervisor_id: int, month: dt.date) -> dict:
    """The month's weeks (Monday first), each day with the supervisor's sessions."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    sessions = (
        Session.objects.filter(supervisor_id=supervisor_id, date__range=(month, last))
        .select_related("organization")
        .order_by("date", "start_time", "pk")
    )
    by_day: dict = {}
    for session in sessions:
        session.url = session_url(session.pk)
        by_day.setdefault(session.date, []).append(session)
    weeks = [
        [{"date": day, "in_month": day.month == month.month, "sessions": by_day.get(day, [])} for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return {
        "month": month,
        "weeks": weeks,
        "previous": f"{previous:%Y-%m}",
        "next": f"{following:%Y-%m}",
        "session_count": sum(len(v) for v in by_day.values()),
    }


@login_required
def me(request):
    today = timezone.localdate()
    supervisor_id = permissions.supervisor_person_id(request.user)
    if supervisor_id is not None:
        person = get_object_or_404(Person, pk=supervisor_id)
        month = parse_month(request.GET.get("month"))
        return render(
            request,
            "supervision/me/supervisor.html",
            {
                "person": person,
                "calendar": _calendar(supervisor_id, month),
                "summary": supervisor_summary(person, today.year),
                "due": selectors.assessments_due(supervisor_id, today.year),
                "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            },
        )
    supervisee_id = permissions.supervisee_person_id(request.user)
    if supervisee_id is None:
        raise PermissionDenied(_("This page is for supervisors and the social workers they supervise."))
    person = get_object_or_404(Person, pk=supervisee_id)
    history = (
        Attendance.objects.filter(person_id=supervisee_id)
        .select_related("session__supervisor", "session__organization")
        .order_by("-date", "-pk")[:20]
    )
    for attendance in history:
        attendance.url = session_url(attendance.session_id)
    return render(
        request,
        "supervision/me/social_worker.html",
        {
            "person": person,
            "mine": my_supervision(person, today.year),
            "history": history,
            "sessions_url": sessions_url(),
        },
    )


# --- practice hours ----------------------------------------------------------------------


class PracticeList(ListPage):
    template_name = "supervision/practice/practice_list.html"
    table_template = "supervision/practice/_practice_table.html"
    filterset_class = PracticeFilter
    sort_fields = {"date": ("date",), "hours": ("hours", "date"), "status": ("status", "date")}
    default_sort = "-date"
    export_title = gettext_lazy("Practice hours")
    export_columns = [
        (gettext_lazy("Date"), lambda p: p.date),
        (gettext_lazy("Supervisor"), lambda p: p.supervisor.name),
        (gettext_lazy("Organisation"), lambda p: p.organization.name),
        (gettext_lazy("Hours"), lambda p: p.hours),
        (gettext_lazy("Description"), lambda p: p.description),
        (gettext_lazy("Status"), lambda p: p.get_status_display()),
        (gettext_lazy("Reason for rejecting"), lambda p: p.reject_reason),
    ]

    def get_queryset(self):
        return selectors.practice_for(self.request.user)

    def decorate(self, rows):
        managed = permissions.managed_org_ids(self.request.user)
        for row in rows:
            row.decidable = row.status == PracticeLog.Status.PENDING and row.organization_id in managed
        return rows

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_log=permissions.supervisor_person_id(self.request.user) is not None, **kwargs
        )


def _log_organizations(supervisor_id: int):
    """Where a supervisor usually practises: their employer and the organisations engaging them."""
    engaging = Engagement.objects.filter(
        supervisor_id=supervisor_id, status__in=[Engagement.Status.ACTIVE, Engagement.Status.ENDED]
    ).values("organization_id")
    employer = Person.objects.filter(pk=supervisor_id).values("employer_id")
    return Organization.objects.filter(Q(pk__in=engaging) | Q(pk__in=employer), is_active=True).order_by("name", "pk")


@login_required
def practice_new(request):
    supervisor_id = permissions.supervisor_person_id(request.user)
    if supervisor_id is None:
        raise PermissionDenied(_("Only a supervisor logs practice hours."))
    form = PracticeLogForm(posted(request), organizations=_log_organizations(supervisor_id))
    if request.method == "POST" and form.is_valid():
        try:
            practice_services.log(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Practice hours logged; the organisation will confirm them."))
            return redirect("supervision:practice_list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "supervision/practice/practice_form.html", {"form": form})


@login_required
def practice_decide(request, pk):
    """The confirmation step: the log in full, then confirm or reject with a reason."""
    entry = get_object_or_404(selectors.practice_for(request.user), pk=pk)
    if not permissions.manages_organization(request.user, entry.organization_id):
        raise PermissionDenied(_("Only the organisation where the practice took place confirms it."))
    reject_form = RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "confirm":
                practice_services.confirm(actor=request.user, log=entry)
                messages.success(request, _("The practice hours are confirmed."))
                return redirect("supervision:practice_list")
            if decision == "reject" and reject_form.is_valid():
                practice_services.reject(actor=request.user, log=entry, reason=reject_form.cleaned_data["reason"])
                messages.success(request, _("The practice hours are rejected."))
                return redirect("supervision:practice_list")
            if decision not in ("confirm", "reject"):
                messages.error(request, _("Choose to confirm or to reject."))
        except ValidationError as exc:
            if decision == "reject":
                add_service_errors(reject_form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
    return render(request, "supervision/practice/practice_decide.html", {"entry": entry, "reject_form": reject_form})


# --- ability assessments -----------------------------------------------------------------


class AssessmentList(ListPage):
    template_name = "supervision/practice/assessment_list.html"
    table_template = "supervision/practice/_assessment_table.html"
    filterset_class = AssessmentFilter
    sort_fields = {"assessed": ("assessed_on",), "year": ("year", "assessed_on"), "average": ("average", "year")}
    default_sort = "-assessed"
    export_title = gettext_lazy("Ability assessments")
    export_columns = [
        (gettext_lazy("Year"), lambda a: a.year),
        (gettext_lazy("Phase"), lambda a: a.get_phase_display()),
        (gettext_lazy("Supervisee"), lambda a: a.supervisee.name),
        (gettext_lazy("Supervisor"), lambda a: a.supervisor.name),
        (gettext_lazy("Using organisation"), lambda a: a.engagement.organization.name),
        (gettext_lazy("Assessed on"), lambda a: a.assessed_on),
        (gettext_lazy("Average"), lambda a: a.average),
        (gettext_lazy("Scores"), lambda a: "；".join(f"{k} {v}" for k, v in a.scores.items())),
    ]

    def get_queryset(self):
        return selectors.assessments_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_assess=permissions.supervisor_person_id(self.request.user) is not None, **kwargs
        )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def assessment_new(request):
    supervisor_id = permissions.supervisor_person_id(request.user)
    if supervisor_id is None:
        raise PermissionDenied(_("Only a supervisor assesses supervisees."))
    engagements = selectors.assessable_engagements(supervisor_id).order_by("organization__name", "pk")
    source = request.POST if request.method == "POST" else request.GET
    chosen = engagements.filter(pk=_int(source.get("engagement"))).first() or engagements.first()
    if chosen is None:
        raise PermissionDenied(_("You have no engagement whose supervisees you could assess."))
    initial = {"engagement": chosen.pk}
    for name in ("supervisee", "phase"):
        if source.get(name):
            initial[name] = source.get(name)
    form = AssessmentForm(
        posted(request),
        initial=initial,
        engagements=engagements.filter(pk=chosen.pk),
        supervisees=selectors.covered_people([chosen]),
        items=selectors.competencies(chosen),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            assessment_services.assess(
                actor=request.user,
                engagement=d["engagement"],
                supervisee=d["supervisee"],
                year=d["year"],
                phase=d["phase"],
                scores=form.scores(),
                assessed_on=d["assessed_on"],
            )
            messages.success(request, _("The assessment of %(name)s is recorded.") % {"name": d["supervisee"].name})
            return redirect("supervision:assessment_list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "supervision/practice/assessment_form.html",
        {"form": form, "engagement": chosen, "engagements": engagements},
    )


urlpatterns = [
    path("me/", me, name="me"),
    path("practice/", PracticeList.as_view(), name="practice_list"),
    path("practice/new/", practice_new, name="practice_new"),
    path("practice/<int:pk>/decide/", practice_decide, name="practice_decide"),
    path("assessments/", AssessmentList.as_view(), name="assessment_list"),
    path("assessments/new/", assessment_new, name="assessment_new"),
]
