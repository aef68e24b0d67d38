"""Fixed vocabularies that policy values are keyed by. They live here, the
lowest app that needs them, so the policy's kinds can check a value's keys and
the apps above can store the same codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuperviseeType(models.TextChoices):
    """Whom supervision is for (policy 一: 新入职社工、一线社工、实习生及其他人员)."""

    NEW = "new", _("New worker (first year)")
    INTERN = "intern", _("Intern")
    FRONTLINE = "frontline", _("Frontline worker")
    OTHER = "other", _("Other")
