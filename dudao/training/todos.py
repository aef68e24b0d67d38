"""The training part of each role's 工作台 (core.workbench): for the trainer,
programmes with held sessions lacking attendance and trainees lacking scores;
for the city, programmes with cohorts whose results wait for its confirmation.
Each links to the programme list narrowed to them (?needs=…)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dudao.core.workbench import Deadline, Todo

from . import permissions, selectors


def todos(user) -> list[Todo]:
    out = []
    url = reverse("training:programme_list")
    programmes = selectors.programmes_for(user)
    if permissions.trainer_org_ids(user):
        out.append(
            Todo(
                _("Programmes with sessions lacking attendance"),
                selectors.needing(programmes, "attendance").count(),
                f"{url}?needs=attendance",
                "warning",
            )
        )
        out.append(
            Todo(
                _("Programmes with trainees lacking scores"),
                selectors.needing(programmes, "scores").count(),
                f"{url}?needs=scores",
            )
        )
    if permissions.may_create_programmes(user):
        out.append(
            Todo(
                _("Programmes with results to confirm"),
                selectors.needing(programmes, "confirmation").count(),
                f"{url}?needs=confirmation",
            )
        )
    return out


def deadlines(user) -> list[Deadline]:
    """The trainer's programmes end on a date by which every score is due."""
    if not permissions.trainer_org_ids(user):
        return []
    programmes = selectors.needing(selectors.programmes_for(user), "scores").order_by("ends_on")[:3]
    return [
        Deadline(_("Programme ends (scores due)"), p.ends_on, reverse("training:programme_detail", args=[p.pk]), p.name)
        for p in programmes
    ]
