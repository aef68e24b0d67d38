"""Sent after a change that moves an organisation's supervision need or supply
(an engagement made, accepted, ended; a session confirmed; a supervisee type
corrected), so that its coverage row (models.OrganizationCoverage) is
recomputed. Senders call `changed(organization_ids)` inside their transaction;
the signal goes out after commit, so a rolled-back change recomputes nothing."""

from django.db import transaction
from django.dispatch import Signal

# Arguments: organization_ids (a set of ids).
coverage_changed = Signal()


def changed(organization_ids) -> None:
    ids = {pk for pk in organization_ids if pk is not None}
    if ids:
        transaction.on_commit(lambda: coverage_changed.send(sender=None, organization_ids=ids))
