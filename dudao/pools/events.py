"""Pools' audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("pools.admitted_to_city_pool", _("Admitted to the city pool"), A.CREATE)
register("pools.admitted_to_district_pool", _("Admitted to a district pool"), A.CREATE)
register("pools.internal_designated", _("Internal supervisor designated"), A.CREATE)
register("pools.entry_status_changed", _("Pool entry status changed"), A.UPDATE)
register("pools.entry_expired", _("Pool entry expired"), A.UPDATE)
register("pools.entry_renewed", _("Pool entry renewed for a new term"), A.UPDATE)
register("pools.entry_flagged", _("Pool entry flagged for review"), A.UPDATE)
register("pools.entry_flag_cleared", _("Pool entry reviewed, flag cleared"), A.UPDATE)
