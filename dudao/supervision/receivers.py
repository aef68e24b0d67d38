"""The receivers that keep coverage rows true (services.coverage.refresh):
after any change of need or supply (signals.changed sends it after commit), and
after staff join or leave an agency (the directory's people_rescoped)."""

from dudao.directory.models import Employment
from dudao.directory.signals import people_rescoped

from . import signals
from .services.coverage import refresh


def _on_coverage_changed(sender, organization_ids, **kwargs):
    refresh(organization_ids)


# More organisations than this moved at once (a tree reload) wait for the nightly run.
FOLLOW_PEOPLE_MAX_ORGS = 200


def _on_people_rescoped(sender, person_ids, **kwargs):
    """Hires and departures change an agency's need: recompute the agencies these
    people work or worked at (their old employer lost a staff member)."""
    ids = list(person_ids)
    if not ids:
        return
    organizations = set(
        Employment.objects.filter(person_id__in=ids)
        .values_list("organization_id", flat=True)
        .distinct()[: FOLLOW_PEOPLE_MAX_ORGS + 1]
    )
    if len(organizations) <= FOLLOW_PEOPLE_MAX_ORGS:
        signals.changed(organizations)


def connect() -> None:
    """Called from SupervisionConfig.ready(): recompute coverage after any change
    of need or supply (signals.changed sends it after commit), and after staff
    join or leave an agency (the directory's people_rescoped)."""
    signals.coverage_changed.connect(
        _on_coverage_changed, dispatch_uid="supervision.coverage_follows_changes", weak=False
    )
    people_rescoped.connect(_on_people_rescoped, dispatch_uid="supervision.coverage_follows_staff", weak=False)
