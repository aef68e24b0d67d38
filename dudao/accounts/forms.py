from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin
from dudao.directory.models import Jurisdiction, Organization
from dudao.directory.selectors import find_by_id_number, manageable_jurisdictions, organizations_for

from .models import Role, role_place_errors
from .permissions import SELF_SERVICE_ROLES, grantable_roles

# Read when the form is shown, in the user's language.
password_rules = lazy(lambda: " ".join(str(t) for t in password_validators_help_texts()), str)()


class LoginForm(BootstrapMixin, AuthenticationForm):
    pass


class OwnPasswordForm(BootstrapMixin, PasswordChangeForm):
    pass


class RoleFields(BootstrapMixin, forms.Form):
    """Role with the one place it applies to: a jurisdiction, an organisation
    or (for the self-service roles) the person, found by ID number."""

    role = forms.ChoiceField(label=_("Role"))
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(), required=False)
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none(), required=False)
    person_id_number = forms.CharField(
        label=_("ID number of the person"),
        required=False,
        max_length=18,
        help_text=_("For supervisors and social workers: the person must be on a roster you manage."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        labels = dict(Role.choices)
        self.fields["role"].choices = [(r, labels[r]) for r in grantable_roles(actor)]
        self.fields["jurisdiction"].queryset = manageable_jurisdictions(actor)
        self.fields["organization"].queryset = organizations_for(actor).filter(is_active=True)

    def clean(self):
        data = super().clean()
        role = data.get("role")
        data["person"] = None
        id_number = (data.get("person_id_number") or "").strip().upper()
        if id_number:
            data["person"] = find_by_id_number(self.actor, id_number)
            if data["person"] is None:
                self.add_error("person_id_number", _("No person with this ID number is on a roster you can see."))
        elif role in SELF_SERVICE_ROLES:
            self.add_error("person_id_number", _("Supervisors and social workers are linked to their person record."))
        if role:
            # The same rule the model holds, said on the form before anything is written.
            has_person = data["person"] is not None
            for field, message in role_place_errors(
                role,
                jurisdiction=data.get("jurisdiction"),
                organization=data.get("organization"),
                has_person=has_person,
            ).items():
                if field == "role" and role in SELF_SERVICE_ROLES and not has_person:
                    continue  # already said on the ID number field
                self.add_error(field if field in self.fields else None, message)
        return data


class UserCreateForm(RoleFields):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=64)
    email = forms.EmailField(label=_("E-mail"), required=False)
    # Length and kinds of character are the password validators' (settings) job.
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, help_text=password_rules)

    field_order = [
        "username",
        "display_name",
        "email",
        "password",
        "role",
        "jurisdiction",
        "organization",
        "person_id_number",
        "reason",
    ]


class ActiveForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PasswordResetForm(BootstrapMixin, forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, help_text=password_rules)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class UnlockForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
