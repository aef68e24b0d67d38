"""Policy's audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("policy.parameter_version_added", _("Policy parameter set"), A.CREATE)
register("policy.defaults_loaded", _("Policy default loaded"), A.CREATE)
