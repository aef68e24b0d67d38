from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin

from .models import Objection


class ObjectionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Objection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("State the facts and, where you can, how they may be checked."),
    )
    anonymous = forms.BooleanField(
        label=_("Lodge anonymously"),
        required=False,
        help_text=_("Your name is not kept; leave a contact so the keeper can reach you."),
    )
    contact = forms.CharField(label=_("Contact (phone or e-mail)"), max_length=100, required=False)


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Objection.Status.UPHELD, _("Uphold: stop this item")), (Objection.Status.DISMISSED, _("Dismiss"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (findings of the investigation)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ContactForm(BootstrapMixin, forms.Form):
    contact = forms.CharField(label=_("Contact for objections"), max_length=200)
