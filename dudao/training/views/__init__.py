"""The training pages. Every record is looked up through the user's scope
(out of scope: 404); what a user may do with it is the permissions module's
call (403); what a page shows comes from the selectors."""

from .activities import ActivityList, activity_create, my_training, participant_choices
from .cohorts import attendance, cohort_detail, members_add, session_create
from .programmes import ProgrammeList, cohort_create, module_create, programme_create, programme_detail
from .results import confirm, results_export, scores, scores_import, scores_template
from .surveys import survey_answer, survey_create, survey_send, survey_summary

__all__ = [
    "ActivityList",
    "ProgrammeList",
    "activity_create",
    "attendance",
    "cohort_create",
    "cohort_detail",
    "confirm",
    "members_add",
    "module_create",
    "my_training",
    "participant_choices",
    "programme_create",
    "programme_detail",
    "results_export",
    "scores",
    "scores_import",
    "scores_template",
    "session_create",
    "survey_answer",
    "survey_create",
    "survey_send",
    "survey_summary",
]
