from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin
from dudao.core.validators import ModelMultipleIdsField
from dudao.directory.forms import StaffPickerField
from dudao.directory.models import ServiceDomain

from .models import Entry


def _domains_field():
    return ModelMultipleIdsField(
        label=_("Service domains"),
        queryset=ServiceDomain.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to take the person's own service domains."),
    )


class StatusChangeForm(BootstrapMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Entry.Status.choices)
        self.fields["to_status"].choices = [(s, labels[s]) for s in statuses] if statuses else Entry.Status.choices


class ClearFlagForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("What the review found"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LookupForm(BootstrapMixin, forms.Form):
    person = StaffPickerField(
        label=_("Person"), required=False, help_text=_("Type part of the name or of the unit, then choose.")
    )
    id_number = forms.CharField(label=_("Or the ID number of the person"), max_length=18, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].for_user(user)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("person") and not cleaned.get("id_number") and not self.errors.get("person"):
            self.add_error("person", _("Choose the person, or give their ID number."))
        return cleaned


class DistrictAdmitForm(BootstrapMixin, forms.Form):
    domains = _domains_field()
    reason = forms.CharField(
        label=_("Basis of the admission"),
        required=False,
        max_length=200,
        help_text=_("For example the district's selection document."),
    )


class DesignateForm(BootstrapMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Staff member"), queryset=None)
    domains = _domains_field()
    reason = forms.CharField(label=_("Basis of the designation"), required=False, max_length=200)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff


class VerifyForm(BootstrapMixin, forms.Form):
    # No length or format rules: a malformed code is "not found" like an unknown one.
    code = forms.CharField(
        label=_("Verification code"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
