"""Subsidies' audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("subsidies.statement_computed", _("Subsidy statement computed"), A.CREATE)
register("subsidies.statement_confirmed", _("Subsidy statement confirmed by the payer"), A.UPDATE)
register("subsidies.statement_paid", _("Subsidy statement paid"), A.UPDATE)
register("subsidies.statement_voided", _("Subsidy statement voided"), A.UPDATE)
