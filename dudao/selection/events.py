"""Selection's audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("selection.round_opened", _("Nomination round opened"), A.CREATE)
register("selection.round_closed", _("Nomination round closed"), A.UPDATE)
register("selection.nomination_created", _("Nomination drafted"), A.CREATE)
register("selection.nomination_updated", _("Nomination edited"), A.UPDATE)
register("selection.nomination_status_changed", _("Nomination status changed"), A.UPDATE)
register("selection.evidence_added", _("Nomination evidence added"), A.UPDATE)
