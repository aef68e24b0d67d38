from functools import reduce
from operator import or_

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.core.validators import validate_single_line_text
from dudao.directory.models import Jurisdiction, Organization, Person


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("Civil affairs bureau (city)")
    DISTRICT_ADMIN = "district_admin", _("Civil affairs department (district)")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    TRAINER = "trainer", _("Third-party trainer")
    ASSOCIATION = "association", _("Social work association")
    HRSS = "hrss", _("Human resources and social security")
    FINANCE = "finance", _("Finance")


# Which kind of scope each role carries. Kept as data beside the roles so a new
# role is one line here, not a hunt through views.
JURISDICTION_ROLES = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.ASSOCIATION, Role.HRSS, Role.FINANCE}
ORGANIZATION_ROLES = {Role.AGENCY_ADMIN, Role.TRAINER}
SELF_ROLES = {Role.SUPERVISOR, Role.SOCIAL_WORKER}


class ScopeLevel(models.TextChoices):
    """The kind of place a role assignment is held at. Stored beside the
    assignment so the database itself can check it against the role: a check
    constraint cannot look at the jurisdiction row, but it can look at this."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    ORGANIZATION = "organization", _("Organisation")
    SELF = "self", _("Self")


# Where each role may be held (DESIGN.md, roles): the bureau and the association
# at the city; a district administrator at a district; the HR&SS and finance
# bureaus read the city or one district; agencies and trainers their
# organisation; supervisors and social workers only themselves.
ROLE_SCOPE_LEVELS = {
    Role.CITY_ADMIN: {ScopeLevel.CITY},
    Role.DISTRICT_ADMIN: {ScopeLevel.DISTRICT},
    Role.AGENCY_ADMIN: {ScopeLevel.ORGANIZATION},
    Role.SUPERVISOR: {ScopeLevel.SELF},
    Role.SOCIAL_WORKER: {ScopeLevel.SELF},
    Role.TRAINER: {ScopeLevel.ORGANIZATION},
    Role.ASSOCIATION: {ScopeLevel.CITY},
    Role.HRSS: {ScopeLevel.CITY, ScopeLevel.DISTRICT},
    Role.FINANCE: {ScopeLevel.CITY, ScopeLevel.DISTRICT},
}


def scope_level_of(*, jurisdiction=None, organization=None) -> str:
    """The level of the place an assignment points at ("" for both places at
    once, which no role allows)."""
    if jurisdiction is not None and organization is None:
        return ScopeLevel.CITY if jurisdiction.is_city_level else ScopeLevel.DISTRICT
    if organization is not None and jurisdiction is None:
        return ScopeLevel.ORGANIZATION
    if jurisdiction is None and organization is None:
        return ScopeLevel.SELF
    return ""


class User(AbstractUser):
    display_name = models.CharField(
        _("display name"), max_length=64, blank=True, validators=[validate_single_line_text]
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    # What `unit_name` reads, for lists that name many users at once (the audit log).
    UNIT_PREFETCH = ("role_assignments__jurisdiction", "role_assignments__organization", "person__employer")

    @property
    def unit_name(self) -> str:
        """The unit this user acts for: the organisation of an agency or trainer
        role, the department of a jurisdiction role (郑州市 · 市民政局), else the
        person's employer."""
        units = []
        for assignment in self.role_assignments.all():
            if assignment.organization is not None:
                unit = assignment.organization.name
            elif assignment.jurisdiction is not None:
                unit = f"{assignment.jurisdiction.name} · {assignment.get_role_display()}"
            else:
                continue
            if unit not in units:
                units.append(unit)
        if not units and self.person is not None and self.person.employer is not None:
            units.append(self.person.employer.name)
        return "、".join(units)

    def get_full_name(self):
        # Chinese names are written family name first with no space.
        return self.display_name or f"{self.last_name}{self.first_name}".strip()

    def save(self, *args, **kwargs):
        # set_password() leaves the new raw password in _password until the
        # save; whichever path changed it (own form, reset, admin, shell), the
        # API tokens issued under the old password stop working.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), null=True, blank=True, on_delete=models.PROTECT
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Derived from the place on every save(); see ScopeLevel.
    scope_level = models.CharField(
        _("scope level"), max_length=16, choices=ScopeLevel.choices, blank=True, editable=False
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=reduce(
                    or_, (Q(role=role, scope_level__in=sorted(levels)) for role, levels in ROLE_SCOPE_LEVELS.items())
                ),
                name="role_assignment_scope_fits_role",
            ),
            models.CheckConstraint(
                condition=Q(
                    scope_level__in=[ScopeLevel.CITY, ScopeLevel.DISTRICT],
                    jurisdiction__isnull=False,
                    organization__isnull=True,
                )
                | Q(scope_level=ScopeLevel.ORGANIZATION, jurisdiction__isnull=True, organization__isnull=False)
                | Q(scope_level=ScopeLevel.SELF, jurisdiction__isnull=True, organization__isnull=True),
                name="role_assignment_one_place",
            ),
            # One constraint per kind of place, each over columns that are never
            # NULL where it applies: NULLs are distinct in a unique index, so a
            # single constraint over (user, role, jurisdiction, organization)
            # never fired. Partial unique indexes work on SQLite and PostgreSQL.
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction"],
                condition=Q(jurisdiction__isnull=False),
                name="role_assignment_unique_jurisdiction",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organization"],
                condition=Q(organization__isnull=False),
                name="role_assignment_unique_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(jurisdiction__isnull=True, organization__isnull=True),
                name="role_assignment_unique_self",
            ),
        ]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self):
        where = self.jurisdiction or self.organization or ""
        return f"{self.get_role_display()} {where}".strip()

    def save(self, *args, **kwargs):
        self.scope_level = scope_level_of(jurisdiction=self.jurisdiction, organization=self.organization)
        super().save(*args, **kwargs)

    def clean(self):
        jurisdiction = self.jurisdiction if self.jurisdiction_id else None
        organization = self.organization if self.organization_id else None
        errors = role_place_errors(
            self.role,
            jurisdiction=jurisdiction,
            organization=organization,
            has_person=bool(self.user_id and self.user.person_id),
        )
        if errors:
            raise ValidationError(errors)
        self.scope_level = scope_level_of(jurisdiction=jurisdiction, organization=organization)


def role_place_errors(role, *, jurisdiction=None, organization=None, has_person: bool) -> dict:
    """Where a role may be held (policy: city roles at the city, district roles
    at a district, agency roles at an organisation, self-service roles by a
    person alone): the one rule the grant form, the API and the model share.
    Returns {field: message} for what is wrong, empty when the place fits."""
    if role in JURISDICTION_ROLES:
        if jurisdiction is None:
            return {"jurisdiction": _("This role needs a jurisdiction.")}
        if organization is not None:
            return {"organization": _("This role applies to a jurisdiction, not an organisation.")}
    if role in ORGANIZATION_ROLES:
        if organization is None:
            return {"organization": _("This role needs an organisation.")}
        if jurisdiction is not None:
            return {"jurisdiction": _("This role applies to an organisation, not a jurisdiction.")}
    if role in SELF_ROLES:
        if jurisdiction is not None or organization is not None:
            return {"role": _("This role applies to the person alone, not to a jurisdiction or an organisation.")}
        if not has_person:
            return {"role": _("This role needs the user to be linked to a person.")}
    level = scope_level_of(jurisdiction=jurisdiction, organization=organization)
    if role in ROLE_SCOPE_LEVELS and level not in ROLE_SCOPE_LEVELS[role]:
        if role == Role.DISTRICT_ADMIN:
            return {"jurisdiction": _("A district administrator needs a district, not the city.")}
        return {"jurisdiction": _("This role is held for the whole city, not for a district.")}
    return {}


class AccessLogEntry(models.Model):
    """Who signed in, failed to, was locked out or signed out: when, from which
    address, how and with which browser. Written by signal receivers
    (accounts/access_log.py), never edited; the city administrator reads it."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        FAILURE = "failure", _("Failed login")
        LOCKOUT = "lockout", _("Locked out")
        REFUSED = "refused", _("Refused while locked")
        LOGOUT = "logout", _("Logged out")
        UNLOCK = "unlock", _("Unlocked")

    class Method(models.TextChoices):
        PAGE = "page", _("Login page")
        TOKEN = "token", _("API token")
        ADMIN = "admin", _("Django admin")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices, blank=True)
    # What was typed, kept even when no such account exists (guessing shows up).
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["ip_address", "at"])]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
