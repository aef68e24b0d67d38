from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin, bootstrap
from dudao.directory.models import CertificateLevel, EducationLevel, Jurisdiction

from .registry import CERTIFICATE_CODES, EDUCATION_CODES


class ParameterForm(BootstrapMixin, forms.Form):
    """The value field takes the parameter's shape: a number, yes/no, a
    certificate level, or one number per education level."""

    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none())
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, parameter, jurisdictions, **kwargs):
        self.parameter = parameter
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        if parameter.kind == "int":
            self.fields["value"] = forms.IntegerField(
                label=_("Value"), min_value=parameter.minimum, max_value=parameter.maximum
            )
        elif parameter.kind == "bool":
            self.fields["value"] = forms.TypedChoiceField(
                label=_("Value"), choices=[("true", _("Yes")), ("false", _("No"))], coerce=lambda v: v == "true"
            )
        elif parameter.kind == "choice":
            names = dict(CertificateLevel.objects.values_list("code", "name"))
            self.fields["value"] = forms.ChoiceField(
                label=_("Value"), choices=[(c, names.get(c, c)) for c in CERTIFICATE_CODES]
            )
        else:
            names = dict(EducationLevel.objects.values_list("code", "name"))
            for code in EDUCATION_CODES:
                self.fields[f"years_{code}"] = forms.IntegerField(
                    label=names.get(code, code), min_value=parameter.minimum, max_value=parameter.maximum
                )
        self.order_fields(
            ["jurisdiction", "value", *[f"years_{c}" for c in EDUCATION_CODES], "effective_from", "reason"]
        )
        bootstrap(self)

    def value(self):
        if self.parameter.kind == "years_by_education":
            return {code: self.cleaned_data[f"years_{code}"] for code in EDUCATION_CODES}
        return self.cleaned_data["value"]
