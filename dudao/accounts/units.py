"""The unit a user acts for, as a document names its issuer: the bureau of
the jurisdiction an administrator or a reading department holds its role
at, the organisation of an agency administrator or trainer, the employer of
a supervisor or social worker. Exports carry it in their second row
(dudao.core.excel.register_issuer)."""

from django.utils.translation import gettext as _

from .models import Role, RoleAssignment

# A person holding several roles issues as the first of these.
ORDER = list(Role)

UNIT_NAMES = {
    Role.CITY_ADMIN: lambda place: _("%(jurisdiction)s civil affairs bureau") % {"jurisdiction": place},
    Role.DISTRICT_ADMIN: lambda place: _("%(jurisdiction)s civil affairs bureau") % {"jurisdiction": place},
    Role.ASSOCIATION: lambda place: _("%(jurisdiction)s social work association") % {"jurisdiction": place},
    Role.HRSS: lambda place: _("%(jurisdiction)s human resources and social security bureau") % {"jurisdiction": place},
    Role.FINANCE: lambda place: _("%(jurisdiction)s finance bureau") % {"jurisdiction": place},
}


def unit_name(user) -> str:
    assignments = sorted(
        RoleAssignment.objects.filter(user=user).select_related("jurisdiction", "organization"),
        key=lambda a: ORDER.index(a.role) if a.role in ORDER else len(ORDER),
    )
    name = ""
    for a in assignments:
        if a.jurisdiction is not None and a.role in UNIT_NAMES:
            name = UNIT_NAMES[a.role](a.jurisdiction.name)
        elif a.organization is not None:
            name = a.organization.name
        if name:
            break
    if not name and user.person_id:
        employer = user.person.current_employer
        name = employer.name if employer else ""
    return name
