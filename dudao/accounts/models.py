from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese names are written family name first with no space.
        return self.display_name or f"{self.last_name}{self.first_name}".strip()


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), null=True, blank=True, on_delete=models.PROTECT
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction", "organization"], name="role_assignment_unique"
            )
        ]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self):
        where = self.jurisdiction or self.organization or ""
        return f"{self.get_role_display()} {where}".strip()

    def clean(self):
        if self.role in JURISDICTION_ROLES and not self.jurisdiction_id:
            raise ValidationError({"jurisdiction": _("This role needs a jurisdiction.")})
        if self.role == Role.DISTRICT_ADMIN and self.jurisdiction_id and self.jurisdiction.is_city_level:
            raise ValidationError({"jurisdiction": _("A district administrator needs a district, not the city.")})
        if self.role in ORGANIZATION_ROLES and not self.organization_id:
            raise ValidationError({"organization": _("This role needs an organisation.")})
        if self.role in SELF_ROLES and not self.user.person_id:
            raise ValidationError({"role": _("This role needs the user to be linked to a person.")})
