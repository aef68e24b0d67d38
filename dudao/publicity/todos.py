"""公示's part of the keeper's 工作台 (core.workbench): the objections awaiting its decision."""

from django.utils.translation import gettext as _

from dudao.core.workbench import Todo

from . import selectors


def todos(user) -> list[Todo]:
    count = selectors.objections_awaiting_decision_count(user)
    return [
        Todo(
            _("Objections in public notice awaiting your decision"),
            count,
            selectors.objections_awaiting_decision_url(),
            tone="danger",
        )
    ]
