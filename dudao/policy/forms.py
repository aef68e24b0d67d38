from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin, bootstrap
from dudao.directory.models import Jurisdiction


class ParameterForm(BootstrapMixin, forms.Form):
    """The value fields are the parameter's kind's (policy/kinds.py): a number,
    yes/no, a reference-data choice, one number per education level, an amount,
    weights, a list; the kind cleans what they hold, so the page refuses what
    the API refuses, with the same words."""

    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none())
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, parameter, jurisdictions, **kwargs):
        self.parameter = parameter
        self.kind = parameter.value_kind
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        self.value_fields = self.kind.form_fields(parameter)
        self.fields.update(self.value_fields)
        self.order_fields(["jurisdiction", *self.value_fields, "effective_from", "reason"])
        bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        if not any(name in self.errors for name in self.value_fields):
            try:
                self._value = self.kind.clean(self.parameter, self.kind.form_value(self.parameter, cleaned))
            except ValidationError as exc:
                self.add_error(next(iter(self.value_fields)), exc.messages)
        return cleaned

    def value(self):
        return self._value
