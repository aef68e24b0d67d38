"""Publicity's audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("publicity.item_published", _("Published in a public notice"), A.CREATE)
register("publicity.notice_updated", _("Public notice edited"), A.UPDATE)
register("publicity.objection_lodged", _("Objection lodged"), A.CREATE)
register("publicity.objection_decided", _("Objection decided"), A.UPDATE)
register("publicity.item_took_effect", _("Public notice ended: took effect"), A.UPDATE)
register("publicity.item_stopped", _("Public notice item stopped"), A.UPDATE)
