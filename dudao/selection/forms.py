from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin
from dudao.directory.forms import StaffPickerField

from .models import Nomination


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RoundForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=128)
    snapshot_date = forms.DateField(label=_("Snapshot date"), widget=forms.DateInput(attrs={"type": "date"}))
    submission_deadline = forms.DateTimeField(label=_("Submission deadline"), widget=DateTimeInput())
    district_review_deadline = forms.DateTimeField(label=_("District review deadline"), widget=DateTimeInput())
    city_review_deadline = forms.DateTimeField(label=_("City review deadline"), widget=DateTimeInput())


class NominateForm(BootstrapMixin, forms.Form):
    statement = forms.CharField(
        label=_("Recommendation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DirectNominationForm(BootstrapMixin, forms.Form):
    person = StaffPickerField(
        label=_("Person"), required=False, help_text=_("Type part of the name or of the unit, then choose.")
    )
    person_id_number = forms.CharField(label=_("Or the ID number of the person"), max_length=18, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Nomination.Category.choices)
    statement = forms.CharField(
        label=_("Recommendation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].for_user(user)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("person") and not cleaned.get("person_id_number") and not self.errors.get("person"):
            self.add_error("person", _("Choose the person, or give their ID number."))
        return cleaned


class EditNominationForm(BootstrapMixin, forms.Form):
    statement = forms.CharField(
        label=_("Recommendation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Evidence (PDF, PNG or JPEG)"))
    description = forms.CharField(label=_("Description"), required=False, max_length=200)


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return for revision")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when returning or rejecting."),
    )
    expected_status = forms.CharField(widget=forms.HiddenInput)


class BatchApproveForm(BootstrapMixin, forms.Form):
    """The review queue's batch approval: the ticked rows, each sent as
    "<id>:<status seen>" (the status guards against a decision taken meanwhile)."""

    MAX_ITEMS = 500  # a technical bound on one request, not a policy number

    reason = forms.CharField(label=_("Remark (optional)"), required=False, max_length=1000)

    def clean(self):
        cleaned = super().clean()
        items, seen = [], set()
        for value in self.data.getlist("selected")[: self.MAX_ITEMS]:
            pk, _sep, status = str(value).partition(":")
            if not pk.isdigit() or status not in Nomination.Status.values:
                raise ValidationError(_("The selection could not be read; reload the queue and try again."))
            if int(pk) not in seen:
                seen.add(int(pk))
                items.append((int(pk), status))
        if not items:
            raise ValidationError(_("Select at least one nomination to approve."))
        cleaned["items"] = items
        return cleaned


class WithdrawForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class CloseRoundForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
