"""The supervision to-dos of each role's 工作台 (core.workbench): one place that
says what waits for whom — proposals and agreements, sessions to confirm,
disputes and months to sign off, assessments and practice hours, agencies and
staff short of supervision. Each count links to the filtered list behind it."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.workbench import Todo

from . import permissions
from .models import OrganizationCoverage, PracticeLog
from .selectors import engagements as engagement_selectors
from .selectors import sessions as session_selectors
from .selectors.coverage import coverage_rows_for
from .selectors.practice import assessments_due


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
                _("Months of supervision ready to sign off"),
                session_selectors.months_ready_to_sign_off(user),
                reverse("supervision:session_list") + "?view=agency&status=confirmed",
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
    if managed:
        rows = OrganizationCoverage.objects.filter(organization_id__in=managed, uncovered__gt=0).values_list(
            "organization_id", "uncovered"
        )
        for organization_id, uncovered in rows:
            todos.append(
                Todo(
                    _("Staff not covered by supervision"),
                    uncovered,
                    reverse("supervision:agency_coverage", args=[organization_id]),
                    "warning",
                )
            )
    return todos
