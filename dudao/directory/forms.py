from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin
from dudao.core.validators import ModelMultipleIdsField, mask_id_number, normalize_phone, validate_phone
from dudao.core.widgets import SearchSelect

from .models import CertificateLevel, EducationLevel, Employment, Organization, OrganizationType, Person, ServiceDomain
from .selectors import employer_choices, manageable_jurisdictions, search_managed_staff


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def person_choice_label(person: Person) -> str:
    """How a picker names a person: name, unit and the ID number masked (two
    namesakes stay apart; the full number is never sent to the browser)."""
    unit = person.employer.name if person.employer_id and person.employed else "—"
    return f"{person.name} · {unit} · {mask_id_number(person.id_number)}"


class StaffPickerField(forms.ModelChoiceField):
    """Choose one of the current staff the user manages by typing part of the
    name or of the unit (core.widgets.SearchSelect; directory:person_choices)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Person.objects.none())
        kwargs.setdefault("widget", SearchSelect(reverse_lazy("directory:person_choices")))
        super().__init__(**kwargs)

    def for_user(self, user):
        self.queryset = search_managed_staff(user, "")
        return self

    def label_from_instance(self, obj):
        return person_choice_label(obj)


class PhoneField(forms.CharField):
    """A phone as people type it ("+86 138 1234 5678", "(0371) 6123 4567"),
    normalised before it is checked, as the services store it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("required", False)
        super().__init__(validators=[validate_phone], **kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value))


class OrganizationForm(BootstrapMixin, forms.ModelForm):
    contact_phone = PhoneField(label=_("Contact phone"))
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = Organization
        fields = ["name", "credit_code", "type", "jurisdiction", "address", "contact_name", "contact_phone"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = manageable_jurisdictions(user)
        self.fields["type"].queryset = OrganizationType.objects.filter(is_active=True)
        self.fields["credit_code"].help_text = _("18 characters, as on the registration certificate.")

    def _post_clean(self):
        # The service validates the model; a second full_clean here would query twice.
        pass


class ArchiveForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PersonForm(BootstrapMixin, forms.ModelForm):
    service_domains = ModelMultipleIdsField(
        label=_("Service domains"),
        queryset=ServiceDomain.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = PhoneField(label=_("Phone"))
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = Person
        fields = ["name", "id_number", "education", "major", "phone", "frontline_since", "service_domains"]
        widgets = {"frontline_since": DateInput()}

    def __init__(self, *args, **kwargs):
        kwargs.pop("user", None)
        super().__init__(*args, **kwargs)
        self.fields["education"].queryset = EducationLevel.objects.filter(is_active=True)
        self.fields["id_number"].help_text = _("18 characters; the last may be X.")
        # The model's own validators, said on the form before the service runs
        # (the roster import holds cells to the same ones).
        for name, field in self.fields.items():
            if name in self.Meta.fields and name != "id_number":
                extra = [v for v in Person._meta.get_field(name).validators if v not in field.validators]
                field.validators.extend(extra)

    def _post_clean(self):
        pass


class PersonCreateForm(PersonForm):
    employer = forms.ModelChoiceField(label=_("Employer"), queryset=Organization.objects.none())
    start_date = forms.DateField(label=_("Employed since"), widget=DateInput())
    position = Employment._meta.get_field("position").formfield(label=_("Position"), required=False)
    certificate_level = forms.ModelChoiceField(
        label=_("Certificate level"), queryset=CertificateLevel.objects.filter(is_active=True), required=False
    )
    certificate_number = forms.CharField(label=_("Certificate number"), required=False, max_length=64)
    certificate_date = forms.DateField(label=_("Certificate issued on"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employer_choices(user)

    def clean(self):
        data = super().clean()
        cert = [data.get("certificate_level"), data.get("certificate_number"), data.get("certificate_date")]
        if any(cert) and not all(cert):
            raise forms.ValidationError(_("A certificate needs its level, number and date."))
        return data


class CertificateForm(BootstrapMixin, forms.Form):
    level = forms.ModelChoiceField(
        label=_("Certificate level"), queryset=CertificateLevel.objects.filter(is_active=True)
    )
    number = forms.CharField(label=_("Certificate number"), max_length=64)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput())


class EndEmploymentForm(BootstrapMixin, forms.Form):
    end_date = forms.DateField(label=_("Last day"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class RosterUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Roster file (.xlsx)"))


class DisciplinaryRecordForm(BootstrapMixin, forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    description = forms.CharField(label=_("Description"), max_length=300)
    authority = forms.CharField(label=_("Decided by"), max_length=128, required=False)
