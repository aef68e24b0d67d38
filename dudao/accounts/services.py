"""Accounts and role grants. Who may grant which role is data
(accounts/capabilities.py, asked through accounts/permissions.py);
where they may grant it follows their own scope."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from dudao.core import audit

from . import lockouts, tokens
from .models import AccessLogEntry, Role, RoleAssignment, User
from .permissions import can_grant, can_lift_lockout, can_manage_user


def _user_fields(user):
    return audit.snapshot(user, ("username", "display_name", "email", "is_active", "person"))


def _set_password(user, password: str, *, field: str) -> None:
    """The password rules of the settings (length, kinds of character, not
    like the username), said on `field` when broken; never saved here."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    user.set_password(password)


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    person=None,
    role: str,
    jurisdiction=None,
    organization=None,
    reason: str = "",
) -> User:
    if not can_grant(actor, role=role, jurisdiction=jurisdiction, organization=organization, person=person):
        raise PermissionDenied(_("You may not grant this role here."))
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise ValidationError({"username": _("This username is taken.")})
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationError({"person": _("This person already has an account.")})
    user = User(username=username.strip(), display_name=display_name, email=email, person=person)
    _set_password(user, password, field="password")
    user.full_clean(exclude=["password"])
    user.save()
    assignment = RoleAssignment(user=user, role=role, jurisdiction=jurisdiction, organization=organization)
    assignment.full_clean()
    assignment.save()
    changes = audit.diff({}, _user_fields(user))
    changes["role"] = [None, str(assignment)]
    audit.record(actor=actor, event="accounts.user_created", obj=user, changes=changes, reason=reason)
    return user


@transaction.atomic
def grant_role(
    *, actor, user: User, role: str, jurisdiction=None, organization=None, reason: str = ""
) -> RoleAssignment:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_grant(actor, role=role, jurisdiction=jurisdiction, organization=organization, person=user.person):
        raise PermissionDenied(_("You may not grant this role here."))
    assignment = RoleAssignment(user=user, role=role, jurisdiction=jurisdiction, organization=organization)
    assignment.full_clean(validate_unique=False)
    if RoleAssignment.objects.filter(
        user=user, role=role, jurisdiction=jurisdiction, organization=organization
    ).exists():
        raise ValidationError(_("The user already holds this role."))
    try:
        assignment.save()
    except IntegrityError as exc:
        raise ValidationError(_("The user already holds this role.")) from exc
    audit.record(
        actor=actor,
        event="accounts.role_granted",
        obj=user,
        changes={"role": [None, str(assignment)]},
        reason=reason,
    )
    return assignment


@transaction.atomic
def revoke_role(*, actor, assignment: RoleAssignment, reason: str = "") -> None:
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("user__person", "jurisdiction", "organization__jurisdiction")
        .get(pk=assignment.pk)
    )
    if not can_grant(
        actor,
        role=assignment.role,
        jurisdiction=assignment.jurisdiction,
        organization=assignment.organization,
        person=assignment.user.person,
    ):
        raise PermissionDenied(_("You may not revoke this role."))
    if assignment.user_id == actor.pk and assignment.role == Role.CITY_ADMIN:
        raise ValidationError(_("You cannot revoke your own city administrator role."))
    description = str(assignment)
    user = assignment.user
    assignment.delete()
    audit.record(
        actor=actor, event="accounts.role_revoked", obj=user, changes={"role": [description, None]}, reason=reason
    )


@transaction.atomic
def set_active(*, actor, user: User, active: bool, reason: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not can_manage_user(actor, user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            tokens.revoke_all(user)
        audit.record(
            actor=actor,
            event="accounts.user_reactivated" if active else "accounts.user_deactivated",
            obj=user,
            changes={"is_active": [not active, active]},
            reason=reason,
        )
    return user


@transaction.atomic
def reset_password(*, actor, user: User, password: str, reason: str = "") -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_manage_user(actor, user):
        raise PermissionDenied
    _set_password(user, password, field="password")
    user.save(update_fields=["password"])
    # The password itself is never written to the log.
    audit.record(
        actor=actor, event="accounts.password_reset", obj=user, changes={"password": ["***", "***"]}, reason=reason
    )
    return user


@transaction.atomic
def unlock_account(*, actor, user: User, reason: str = "") -> User:
    """Lift a login lock-out before its time. The city administrator's call:
    the lock exists because someone may be guessing this account's password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_lift_lockout(actor, user):
        raise PermissionDenied(_("Only the city administrator may unlock an account."))
    if not lockouts.is_locked(user.username):
        raise ValidationError(_("This account is not locked."))
    lockouts.clear(user.username)
    audit.record(
        actor=actor, event="accounts.account_unlocked", obj=user, changes={"locked": [True, False]}, reason=reason
    )
    AccessLogEntry.objects.create(
        kind=AccessLogEntry.Kind.UNLOCK, user=user, username=user.username, detail=actor.username
    )
    return user


@transaction.atomic
def issue_token(*, user: User) -> tuple[Token, bool]:
    """The user's API token, a new one when there is none or it has expired.
    (Revocation on a password change lives in User.save, on disabling in
    set_active.)"""
    user = User.objects.select_for_update().get(pk=user.pk)
    token = Token.objects.filter(user=user).first()
    if token is not None and not tokens.is_expired(token):
        return token, False
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    audit.record(actor=user, event="accounts.token_issued", obj=user, changes={"api_token": [None, "issued"]})
    return token, True


@transaction.atomic
def revoke_own_tokens(*, actor: User) -> int:
    revoked = tokens.revoke_all(actor)
    if revoked:
        audit.record(
            actor=actor, event="accounts.token_revoked", obj=actor, changes={"api_token": ["issued", "revoked"]}
        )
    return revoked


@transaction.atomic
def change_own_password(*, actor: User, old_password: str, new_password: str) -> User:
    """The user's own new password, after their current one; recorded (never
    the password itself). Saving it revokes the user's API tokens (User.save)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your current password is not correct.")})
    _set_password(user, new_password, field="new_password2")
    user.save(update_fields=["password"])
    audit.record(actor=user, event="accounts.password_changed", obj=user, changes={"password": ["***", "***"]})
    return user
