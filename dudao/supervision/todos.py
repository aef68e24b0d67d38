"""The supervision-record matters on each role's 工作台 (core.workbench): what
the user has to confirm, and what the agency has to chase, resolve or sign off."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.core.workbench import Todo

from . import permissions
from .selectors import sessions as selectors


def session_todos(user) -> list[Todo]:
    todos = []
    sessions = reverse("supervision:session_list")
    if permissions.supervisee_person_id(user):
        todos.append(
            Todo(
                _("Supervision sessions to confirm and rate"),
                selectors.awaiting_confirmation_by(user).count(),
                f"{sessions}?view=supervisee&to_confirm=true",
            )
        )
    if permissions.supervisor_person_id(user):
        todos.append(
            Todo(
                _("Disputes over my supervision sessions"),
                selectors.disputes_for(user, "supervisor").count(),
                f"{sessions}?view=supervisor&status=disputed",
                tone="danger",
            )
        )
    if permissions.managed_org_ids(user):
        todos += [
            Todo(
                _("Supervision sessions awaiting confirmation"),
                selectors.awaiting_confirmation_at(user).count(),
                f"{sessions}?view=agency&status=pending",
            ),
            Todo(
                _("Supervision sessions unconfirmed too long"),
                selectors.unconfirmed_flagged(user).count(),
                f"{sessions}?view=agency&flagged=true&sort=date",
                tone="danger",
            ),
            Todo(
                _("Disputed supervision sessions to resolve"),
                selectors.disputes_for(user, "agency").count(),
                f"{sessions}?view=agency&status=disputed",
                tone="danger",
            ),
            Todo(
                _("Months of supervision ready to sign off"),
                selectors.months_ready_to_sign_off(user),
                reverse("supervision:session_list") + "?view=agency&status=confirmed",
            ),
        ]
    return todos
