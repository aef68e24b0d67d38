"""Coverage to-dos for the 工作台 (core.workbench): a district admin's agencies
short of supervision, an agency admin's staff that no engagement covers."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.core.workbench import Todo

from . import permissions
from .models import OrganizationCoverage
from .selectors.coverage import coverage_rows_for


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
