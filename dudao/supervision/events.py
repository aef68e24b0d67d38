"""Supervision's audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("supervision.engagement_proposed", _("Engagement proposed"), A.CREATE)
register("supervision.engagement_created", _("Internal engagement made"), A.CREATE)
register("supervision.engagement_withdrawn", _("Engagement proposal withdrawn"), A.UPDATE)
register("supervision.engagement_accepted", _("Engagement accepted"), A.UPDATE)
register("supervision.engagement_declined", _("Engagement declined"), A.UPDATE)
register("supervision.engagement_ended", _("Engagement ended"), A.UPDATE)
register("supervision.agreement_changed", _("Supervision agreement changed"), A.UPDATE)
register("supervision.agreement_confirmed", _("Supervision agreement confirmed"), A.UPDATE)
register("supervision.supervisee_type_set", _("Supervisee type set"), A.UPDATE)
register("supervision.session_recorded", _("Supervision session recorded"), A.CREATE)
register("supervision.session_changed", _("Supervision session changed"), A.UPDATE)
register("supervision.session_deleted", _("Supervision session deleted"), A.DELETE)
register("supervision.session_confirmed", _("Supervision session confirmed"), A.UPDATE)
register("supervision.session_disputed", _("Supervision session disputed"), A.UPDATE)
register("supervision.dispute_resolved", _("Dispute over a session resolved"), A.UPDATE)
register("supervision.month_signed_off", _("Month signed off"), A.UPDATE)
register("supervision.month_reopened", _("Signed-off month reopened"), A.UPDATE)
register("supervision.practice_logged", _("Practice hours logged"), A.CREATE)
register("supervision.practice_decided", _("Practice hours confirmed or rejected"), A.UPDATE)
register("supervision.assessment_recorded", _("Ability assessment recorded"), A.CREATE)
