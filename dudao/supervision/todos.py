"""The supervision to-dos of each role's 工作台 (core.workbench): one place that
says what waits for whom — proposals and agreements, sessions to confirm,
disputes and months to sign off, assessments and practice hours, agencies and
staff short of supervision. Each count links to the filtered list behind it."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.workbench import Chart, Figure, Todo
from dudao.directory.models import Organization, Person

from . import permissions
from .models import PracticeLog
from .need import need_of, uncovered_staff_ids
from .selectors import engagements as engagement_selectors
from .selectors import sessions as session_selectors
from .selectors.coverage import coverage_rows_for, district_totals
from .selectors.practice import assessments_due
from .selectors.summary import my_supervision, supervisor_summary


def todos(user) -> list[Todo]:
    """Everything supervision has for the user (registered once with core.workbench)."""
    return engagement_todos(user) + session_todos(user) + practice_todos(user) + coverage_todos(user)


def engagement_todos(user) -> list[Todo]:
    """The engagement matters waiting for the user: proposals to answer (the
    supervisor), agreements to confirm (the supervisor and the using agency)."""
    base = reverse("supervision:engagement_list")
    out = []
    if permissions.supervisor_person_id(user) is not None:
        out.append(
            Todo(
                label=_("Engagement proposals to answer"),
                count=engagement_selectors.awaiting_answer(user).count(),
                url=f"{base}?awaiting=answer",
            )
        )
        out.append(
            Todo(
                label=_("Engagements with no session recorded this month"),
                count=session_selectors.engagements_to_record(user).count(),
                url=f"{base}?awaiting=record",
            )
        )
    if permissions.supervisor_person_id(user) is not None or permissions.managed_org_ids(user):
        out.append(
            Todo(
                label=_("Supervision agreements to confirm"),
                count=engagement_selectors.awaiting_confirmation(user).count(),
                url=f"{base}?awaiting=confirmation",
            )
        )
    return out


def session_todos(user) -> list[Todo]:
    todos = []
    sessions = reverse("supervision:session_list")
    if permissions.supervisee_person_id(user):
        todos.append(
            Todo(
                _("Supervision sessions to confirm and rate"),
                session_selectors.awaiting_confirmation_by(user).count(),
                f"{sessions}?view=supervisee&to_confirm=true",
            )
        )
    if permissions.supervisor_person_id(user):
        todos.append(
            Todo(
                _("Disputes over my supervision sessions"),
                session_selectors.disputes_for(user, "supervisor").count(),
                f"{sessions}?view=supervisor&status=disputed",
                tone="danger",
            )
        )
    if permissions.managed_org_ids(user):
        todos += [
            Todo(
                _("Supervision sessions awaiting confirmation"),
                session_selectors.awaiting_confirmation_at(user).count(),
                f"{sessions}?view=agency&status=pending",
            ),
            Todo(
                _("Supervision sessions unconfirmed too long"),
                session_selectors.unconfirmed_flagged(user).count(),
                f"{sessions}?view=agency&flagged=true&sort=date",
                tone="danger",
            ),
            Todo(
                _("Disputed supervision sessions to resolve"),
                session_selectors.disputes_for(user, "agency").count(),
                f"{sessions}?view=agency&status=disputed",
                tone="danger",
            ),
            Todo(
                _("Engagements with months to sign off"),
                session_selectors.engagements_to_sign_off(user).count(),
                reverse("supervision:engagement_list") + "?awaiting=sign_off",
            ),
        ]
    return todos


def practice_todos(user) -> list[Todo]:
    """The home page's to-dos of this area: a supervisor's assessments due and
    rejected practice this year; an agency's practice hours to confirm."""
    todos = []
    supervisor_id = permissions.supervisor_person_id(user)
    if supervisor_id is not None:
        year = timezone.localdate().year
        todos.append(
            Todo(
                _("Supervisees to assess this year"),
                len(assessments_due(supervisor_id, year)),
                reverse("supervision:me") + "#assessments-due",
            )
        )
        todos.append(
            Todo(
                _("Practice hours rejected"),
                PracticeLog.objects.filter(
                    supervisor_id=supervisor_id, status=PracticeLog.Status.REJECTED, date__year=year
                ).count(),
                reverse("supervision:practice_list") + f"?status=rejected&year={year}",
                tone="danger",
            )
        )
    managed = permissions.managed_org_ids(user)
    if managed:
        todos.append(
            Todo(
                _("Practice hours to confirm"),
                PracticeLog.objects.filter(organization_id__in=managed, status=PracticeLog.Status.PENDING).count(),
                reverse("supervision:practice_list") + "?status=pending",
            )
        )
    return todos


def coverage_todos(user) -> list[Todo]:
    todos = []
    if permissions.coverage_nodes(user):
        short = coverage_rows_for(user).filter(shortfall__gt=0).count()
        todos.append(
            Todo(_("Agencies short of supervision"), short, reverse("supervision:coverage") + "?short=true", "danger")
        )
    managed = sorted(permissions.managed_org_ids(user))
    for organization in Organization.objects.filter(pk__in=managed).select_related("jurisdiction")[:3]:
        # Live, not the nightly coverage row: the count is what the linked page lists.
        uncovered = uncovered_staff_ids(need_of(organization))
        todos.append(
            Todo(
                _("Staff not covered by supervision"),
                len(uncovered),
                reverse("supervision:agency_coverage", args=[organization.pk]) + "?uncovered=true",
                "warning",
            )
        )
    return todos


def figures(user) -> list:
    """A supervisor's year against the minimums and their ratings; a
    supervisee's supervision received against their need; the city's coverage
    per district as a chart."""
    out = []
    year = timezone.localdate().year
    me = reverse("supervision:me")
    supervisor_id = permissions.supervisor_person_id(user)
    if supervisor_id is not None and (person := Person.objects.filter(pk=supervisor_id).first()):
        s = supervisor_summary(person, year)
        out += [
            Figure(
                _("Supervision given this year (hours)"),
                s["service_hours"],
                me,
                target=s["service_minimum"],
                detail=_("Minimum: %(n)s") % {"n": s["service_minimum"]},
            ),
            Figure(
                _("Own practice this year (hours)"),
                s["practice_hours"],
                me,
                target=s["practice_minimum"],
                detail=_("Minimum: %(n)s") % {"n": s["practice_minimum"]},
            ),
            Figure(
                _("Ratings this year"),
                s["rating_average"] if s["rating_average"] is not None else "—",
                me,
                detail=_("%(n)s ratings") % {"n": s["rating_count"]},
            ),
        ]
    supervisee_id = permissions.supervisee_person_id(user)
    if supervisee_id and supervisee_id != supervisor_id and (person := Person.objects.filter(pk=supervisee_id).first()):
        mine = my_supervision(person, year)
        out.append(
            Figure(
                _("Supervision received this year (hours)"),
                mine["hours_received"],
                me,
                target=mine["need_hours"],
                detail=_("Needed so far: %(n)s") % {"n": mine["need_hours"]},
            )
        )
    totals = district_totals(user)
    if totals:
        out.append(
            Chart(
                "coverage",
                _("Supervision coverage per district (hours a month)"),
                [t["district"] for t in totals],
                [
                    (_("Needed"), [t["need"] for t in totals]),
                    (_("Agreed"), [t["supply"] for t in totals]),
                    (_("Shortfall"), [t["shortfall"] for t in totals]),
                ],
                url=reverse("supervision:coverage"),
            )
        )
    return out
