"""Training's audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("training.programme_created", _("Training programme commissioned"), A.CREATE)
register("training.module_added", _("Curriculum module added"), A.CREATE)
register("training.cohort_created", _("Cohort created"), A.CREATE)
register("training.members_added", _("Trainees added to a cohort"), A.UPDATE)
register("training.session_scheduled", _("Training session scheduled"), A.CREATE)
register("training.attendance_recorded", _("Attendance recorded"), A.UPDATE)
register("training.scores_recorded", _("Assessment scores recorded"), A.UPDATE)
register("training.scores_imported", _("Score sheet imported"), A.IMPORT)
register("training.results_confirmed", _("Assessment results confirmed"), A.UPDATE)
register("training.survey_created", _("Needs survey created"), A.CREATE)
register("training.survey_sent", _("Needs survey sent"), A.UPDATE)
register("training.survey_answered", _("Needs survey answered"), A.CREATE)
register("training.survey_answer_changed", _("Needs survey answer changed"), A.UPDATE)
register("training.activity_recorded", _("Own training recorded"), A.CREATE)
register("training.result_stopped", _("Assessment result stopped by an upheld objection"), A.UPDATE)
