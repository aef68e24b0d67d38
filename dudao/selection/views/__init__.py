"""The nomination pages: rounds, an agency's nomination sheet and direct
entries, and the nominations and trainees with their reviews."""

from .documents import nomination_form, round_list_pdf, round_list_xlsx
from .nominate import direct_create, round_nominate
from .nominations import (
    NominationList,
    TraineeList,
    evidence_download,
    nomination_detail,
    nomination_edit,
    nomination_evidence,
    nomination_review,
    nomination_submit,
    nomination_withdraw,
    queue_approve,
)
from .rounds import RoundList, round_close, round_create, round_detail, round_summary_export

__all__ = [
    "NominationList",
    "RoundList",
    "TraineeList",
    "direct_create",
    "evidence_download",
    "nomination_detail",
    "nomination_edit",
    "nomination_evidence",
    "nomination_form",
    "nomination_review",
    "nomination_submit",
    "nomination_withdraw",
    "queue_approve",
    "round_close",
    "round_create",
    "round_detail",
    "round_list_pdf",
    "round_list_xlsx",
    "round_nominate",
    "round_summary_export",
]
