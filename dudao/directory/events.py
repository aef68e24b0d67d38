"""Directory's audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("directory.organization_created", _("Organisation added"), A.CREATE)
register("directory.organization_updated", _("Organisation changed"), A.UPDATE)
register("directory.organization_archived", _("Organisation archived"), A.ARCHIVE)
register("directory.person_created", _("Person added"), A.CREATE)
register("directory.person_updated", _("Person changed"), A.UPDATE)
register("directory.certificate_added", _("Certificate added"), A.UPDATE)
register("directory.employment_started", _("Employment started"), A.UPDATE)
register("directory.employment_ended", _("Employment ended"), A.UPDATE)
register("directory.disciplinary_record_added", _("Disciplinary record added"), A.UPDATE)
register("directory.staff_imported", _("Staff roster imported"), A.IMPORT)
register("directory.person_imported", _("Person imported from a staff roster"), A.IMPORT)
register("directory.reference_data_updated", _("Reference data updated"), A.UPDATE)
