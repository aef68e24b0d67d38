import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.crypto import BlindIndexField, EncryptedTextField, blind_indexes
from dudao.core.models import ReferenceModel, TimeStampedModel
from dudao.core.scoping import MAX_DEPTH, JurisdictionChain, chain_indexes
from dudao.core.validators import (
    birth_date_from_id,
    gender_from_id,
    mask_id_number,
    validate_credit_code,
    validate_id_number,
    validate_phone,
    validate_single_line_text,
)


class Jurisdiction(JurisdictionChain):
    """The city, its districts, county-level cities, counties and development
    zones. `path` is the chain of codes from the root, for checks on one
    object; lists filter on the chain of ancestor ids (dudao.core.scoping),
    which a jurisdiction also carries, its own id at its own depth."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        COUNTY_CITY = "county_city", _("County-level city")
        COUNTY = "county", _("County")
        ZONE = "zone", _("Development zone")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        parent = self.parent if self.parent_id else None
        self.path = (parent.path if parent else "") + self.code + "/"
        self.depth = parent.depth + 1 if parent else 0
        if self.depth > MAX_DEPTH:
            raise ValueError(f"{self.code}: jurisdictions may nest at most {MAX_DEPTH} levels below the root")
        self.set_chain(parent)
        own = f"scope_j{self.depth}"
        if self.pk is not None:
            setattr(self, own, self.pk)
        super().save(*args, **kwargs)
        if getattr(self, own) != self.pk:
            # A new row learns its id only from the insert.
            setattr(self, own, self.pk)
            type(self).objects.filter(pk=self.pk).update(**{own: self.pk})

    @property
    def is_city_level(self) -> bool:
        return self.kind in {self.Kind.CITY, self.Kind.PROVINCE}

    @property
    def district_label(self) -> str:
        """The name shown where districts are listed (a district column or
        filter): the city itself there is the city level (市级), not a district."""
        return str(_("City level")) if self.is_city_level else self.name


class City(models.Model):
    """What differs between the cities one instance serves, kept as reference
    data on the city's jurisdiction (the `city` block of its reference file):
    how it is named, the prefix of its pool entry numbers, the policy document
    it carries out, and the policy values where its document departs from the
    registry's defaults. dudao.directory.cities finds the city above any row."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="city_attributes",
        limit_choices_to={"kind": Jurisdiction.Kind.CITY},
    )
    display_name = models.CharField(_("display name"), max_length=64)
    entry_prefix = models.CharField(
        _("pool entry number prefix"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Two to eight capital letters."))],
    )
    policy_document = models.CharField(_("policy document number"), max_length=64)
    policy_title = models.CharField(_("policy document title"), max_length=255, blank=True)
    policy_date = models.DateField(_("policy date"))
    parameter_defaults = models.JSONField(
        _("policy values of its own"),
        default=dict,
        blank=True,
        help_text=_("Policy parameter values where the city's document departs from the defaults."),
    )

    class Meta:
        ordering = ["jurisdiction__path"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return self.display_name

    @property
    def policy_citation(self) -> str:
        """The document as a footer or a reason cites it: 《title》（number）, or the number alone."""
        return f"《{self.policy_title}》（{self.policy_document}）" if self.policy_title else self.policy_document


class OrganizationType(ReferenceModel):
    class Meta(ReferenceModel.Meta):
        verbose_name = _("organisation type")
        verbose_name_plural = _("organisation types")


class ServiceDomain(ReferenceModel):
    class Meta(ReferenceModel.Meta):
        verbose_name = _("service domain")
        verbose_name_plural = _("service domains")


class EducationLevel(ReferenceModel):
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)

    class Meta(ReferenceModel.Meta):
        verbose_name = _("education level")
        verbose_name_plural = _("education levels")


class CertificateLevel(ReferenceModel):
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)

    class Meta(ReferenceModel.Meta):
        verbose_name = _("certificate level")
        verbose_name_plural = _("certificate levels")


class Organization(TimeStampedModel, JurisdictionChain):
    name = models.CharField(_("name"), max_length=128, validators=[validate_single_line_text])
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    type = models.ForeignKey(OrganizationType, verbose_name=_("type"), on_delete=models.PROTECT)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="organizations"
    )
    address = models.CharField(_("address"), max_length=255, blank=True, validators=[validate_single_line_text])
    contact_name = models.CharField(
        _("contact person"), max_length=64, blank=True, validators=[validate_single_line_text]
    )
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            *chain_indexes("org", "name", "id"),
            models.Index(fields=["jurisdiction", "name", "id"], name="org_jurisdiction"),
            models.Index(fields=["type", "name", "id"], name="org_type"),
            models.Index(fields=["created_at", "id"], name="org_created"),
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The chain follows the jurisdiction; moving the organisation's staff
        # with it is the service's job (directory.scoping.organization_moved).
        if self.jurisdiction_id:
            self.set_chain(self.jurisdiction)
        super().save(*args, **kwargs)


class PersonQuerySet(models.QuerySet):
    def with_id_number(self, id_number: str):
        """Exact match on the ID number, through its blind index."""
        value = (id_number or "").strip().upper()
        if not value:
            return self.none()
        return self.filter(id_number_hash__in=blind_indexes(value, purpose="person.id_number"))

    def with_id_numbers(self, id_numbers):
        hashes = [h for value in id_numbers for h in blind_indexes(value, purpose="person.id_number")]
        return self.filter(id_number_hash__in=hashes)

    def with_phone(self, phone: str):
        value = (phone or "").strip()
        if not value:
            return self.none()
        return self.filter(phone_hash__in=blind_indexes(value, purpose="person.phone"))


class Person(TimeStampedModel, JurisdictionChain):
    """A social worker, supervisor or anyone else the programme records.

    `employer`, `employed` and the jurisdiction chain are derived from the
    employment history (directory.scoping.refresh_people): the current employer,
    or the last one for someone between jobs, whose jurisdiction keeps them.
    They are stored so that every list of people is an index range scan."""

    name = models.CharField(_("name"), max_length=64, db_index=True, validators=[validate_single_line_text])
    # Encrypted at rest; uniqueness and exact lookups go through the blind
    # indexes (dudao.core.crypto, Person.objects.with_id_number).
    id_number = EncryptedTextField(
        _("ID number"), max_length=18, purpose="person.id_number", validators=[validate_id_number]
    )
    id_number_hash = BlindIndexField(source="id_number", purpose="person.id_number", unique=True)
    education = models.ForeignKey(
        EducationLevel, verbose_name=_("education"), null=True, blank=True, on_delete=models.PROTECT
    )
    major = models.CharField(_("major"), max_length=64, blank=True, validators=[validate_single_line_text])
    phone = EncryptedTextField(
        _("phone"), max_length=32, blank=True, purpose="person.phone", validators=[validate_phone]
    )
    phone_hash = BlindIndexField(source="phone", purpose="person.phone", db_index=True)
    frontline_since = models.DateField(_("frontline practice since"), null=True, blank=True)
    service_domains = models.ManyToManyField(ServiceDomain, verbose_name=_("service domains"), blank=True)
    employer = models.ForeignKey(
        "Organization",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    employed = models.BooleanField(_("currently employed"), default=False, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            *chain_indexes("person", "employed", "name", "id"),
            models.Index(fields=["employer", "employed", "name", "id"], name="person_employer"),
            models.Index(fields=["frontline_since", "id"], name="person_frontline"),
            models.Index(fields=["created_at", "id"], name="person_created"),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name

    @property
    def current_employer(self) -> "Organization | None":
        return self.employer if self.employed else None

    @property
    def birth_date(self) -> dt.date | None:
        return birth_date_from_id(self.id_number)

    @property
    def gender(self) -> str:
        return gender_from_id(self.id_number)

    def get_gender_display(self) -> str:
        return str(_("Male")) if self.gender == "M" else str(_("Female"))

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def practice_years(self, on: dt.date | None = None) -> int:
        if not self.frontline_since:
            return 0
        on = on or timezone.localdate()
        years = on.year - self.frontline_since.year
        if (on.month, on.day) < (self.frontline_since.month, self.frontline_since.day):
            years -= 1
        return max(years, 0)


class Certificate(TimeStampedModel):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="certificates")
    level = models.ForeignKey(CertificateLevel, verbose_name=_("level"), on_delete=models.PROTECT)
    number = models.CharField(_("certificate number"), max_length=64, validators=[validate_single_line_text])
    issued_on = models.DateField(_("issued on"))

    class Meta:
        ordering = ["-level__rank", "issued_on"]
        constraints = [models.UniqueConstraint(fields=["level", "number"], name="certificate_number_unique_per_level")]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return f"{self.level} {self.number}"


class Employment(TimeStampedModel):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="employments")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="employments"
    )
    position = models.CharField(_("position"), max_length=64, blank=True, validators=[validate_single_line_text])
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [
            # Staff counts of a page of organisations (selectors.with_staff_counts)
            # from the index alone, not from heap rows scattered across the table.
            models.Index(fields=["organization", "id"], condition=Q(end_date__isnull=True), name="employment_current")
        ]
        constraints = [
            # One current employer: the roster, quotas and scopes all rely on it.
            models.UniqueConstraint(
                fields=["person"], condition=Q(end_date__isnull=True), name="one_current_employer_per_person"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="employment_ends_after_it_starts",
            ),
        ]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")

    def __str__(self):
        return f"{self.person} @ {self.organization}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class DisciplinaryRecord(TimeStampedModel):
    """A disciplinary action against a person; the selection rules may exclude
    anyone with one (policy parameter selection.no_disciplinary_record)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="disciplinary_records"
    )
    decided_on = models.DateField(_("decided on"))
    description = models.CharField(_("description"), max_length=300, validators=[validate_single_line_text])
    authority = models.CharField(_("decided by"), max_length=128, blank=True, validators=[validate_single_line_text])

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = _("disciplinary record")
        verbose_name_plural = _("disciplinary records")

    def __str__(self):
        return f"{self.person} {self.decided_on}"
