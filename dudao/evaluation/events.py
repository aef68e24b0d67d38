"""Evaluation's audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("evaluation.cycle_opened", _("Evaluation cycle opened"), A.CREATE)
register("evaluation.cycle_changed", _("Evaluation cycle changed"), A.UPDATE)
register("evaluation.indicators_computed", _("Evaluation indicators computed"), A.UPDATE)
register("evaluation.service_result_recorded", _("Service evaluation result recorded"), A.UPDATE)
register("evaluation.service_results_imported", _("Service evaluation results imported"), A.IMPORT)
register("evaluation.party_scored", _("Party scores submitted"), A.UPDATE)
register("evaluation.review_deadline_moved", _("Review deadline moved"), A.UPDATE)
register("evaluation.results_computed", _("Evaluation results computed"), A.UPDATE)
register("evaluation.results_published", _("Evaluation results published"), A.UPDATE)
register("evaluation.appeal_lodged", _("Appeal lodged"), A.CREATE)
register("evaluation.appeal_decided", _("Appeal decided"), A.UPDATE)
register("evaluation.entry_flagged", _("Pool entry flagged by its grades"), A.UPDATE)
register("evaluation.renewal_proposed", _("Renewal proposed"), A.CREATE)
register("evaluation.renewal_decided", _("Renewal decided"), A.UPDATE)
