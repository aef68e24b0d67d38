"""The directory pages: organisations, and people with their rosters."""

from .organizations import (
    OrganizationList,
    organization_archive,
    organization_choices,
    organization_create,
    organization_detail,
    organization_edit,
)
from .people import (
    PersonList,
    person_add_certificate,
    person_add_disciplinary_record,
    person_choices,
    person_create,
    person_detail,
    person_edit,
    person_end_employment,
    roster_import,
    roster_template,
)

__all__ = [
    "OrganizationList",
    "PersonList",
    "organization_archive",
    "organization_choices",
    "organization_create",
    "organization_detail",
    "organization_edit",
    "person_add_certificate",
    "person_add_disciplinary_record",
    "person_choices",
    "person_create",
    "person_detail",
    "person_edit",
    "person_end_employment",
    "roster_import",
    "roster_template",
]
