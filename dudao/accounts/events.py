"""Accounts' audit events (registered with core.audit at start-up)."""

from django.utils.translation import gettext_lazy as _

from dudao.core.audit import register
from dudao.core.models import AuditEntry

A = AuditEntry.Action

register("accounts.user_created", _("Account created"), A.CREATE)
register("accounts.role_granted", _("Role granted"), A.UPDATE)
register("accounts.role_revoked", _("Role revoked"), A.UPDATE)
register("accounts.user_deactivated", _("Account disabled"), A.UPDATE)
register("accounts.user_reactivated", _("Account re-enabled"), A.UPDATE)
register("accounts.password_reset", _("Password reset by an administrator"), A.UPDATE)
register("accounts.password_changed", _("Own password changed"), A.UPDATE)
register("accounts.account_unlocked", _("Account unlocked"), A.UPDATE)
register("accounts.token_issued", _("API token issued"), A.CREATE)
register("accounts.token_revoked", _("API tokens revoked"), A.UPDATE)
