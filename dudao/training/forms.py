from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from dudao.core.forms import BootstrapMixin
from dudao.core.validators import ModelMultipleIdsField
from dudao.core.widgets import SearchSelectMultiple
from dudao.directory.models import Organization, ServiceDomain

from .models import Activity, Module, Question

CHECK = {"class": "form-check-input"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProgrammeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Programme name"), max_length=128)
    trainer = forms.ModelChoiceField(
        label=_("Commissioned trainer"),
        queryset=Organization.objects.filter(type__code="trainer", is_active=True).order_by("name"),
        help_text=_("The third-party training organisation that trains and assesses the trainees."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())


class ModuleForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=Module.Kind.choices)
    domain = forms.ModelChoiceField(
        label=_("Service domain"), queryset=ServiceDomain.objects.filter(is_active=True), required=False
    )
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1)
    is_ethics = forms.BooleanField(label=_("Professional ethics"), required=False)


class CohortForm(BootstrapMixin, forms.Form):
    """A cohort drawn from one round's trainees. The trainee choices are those
    of the chosen round not yet in a cohort of the programme (the view passes them)."""

    name = forms.CharField(label=_("Cohort name"), max_length=128)
    round = forms.ModelChoiceField(label=_("Round"), queryset=None)
    trainees = ModelMultipleIdsField(
        label=_("Trainees"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )

    def __init__(self, *args, rounds, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        self.fields["trainees"].queryset = trainees
        self.fields["trainees"].label_from_instance = lambda t: f"{t.person.name}（{t.nomination.organization.name}）"


class MembersForm(BootstrapMixin, forms.Form):
    trainees = ModelMultipleIdsField(
        label=_("Trainees"), queryset=None, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainees"].queryset = trainees
        self.fields["trainees"].label_from_instance = lambda t: f"{t.person.name}（{t.nomination.organization.name}）"


class SessionForm(BootstrapMixin, forms.Form):
    module = forms.ModelChoiceField(label=_("Module"), queryset=None)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=5,
        decimal_places=1,
        required=False,
        help_text=_("Leave empty to use the module's hours."),
    )
    location = forms.CharField(label=_("Location"), max_length=128, required=False)

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules
        self.fields["module"].label_from_instance = lambda m: f"{m.title}（{m.get_kind_display()} · {m.hours}）"


class ScoresUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Score sheet (.xlsx)"))


class SurveyForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=128)


class QuestionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices, initial=Question.Kind.CHOICE)
    choices = forms.CharField(
        label=_("Choices, one per line"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def as_question(self) -> dict | None:
        """The question as the service takes it; None for a row left blank."""
        data = self.cleaned_data
        if not (data.get("text") or "").strip():
            return None
        return {"text": data["text"], "kind": data["kind"], "choices": (data.get("choices") or "").splitlines()}


QuestionFormSet = forms.formset_factory(QuestionForm, extra=5, max_num=30, absolute_max=30)


class SurveyAnswerForm(forms.Form):
    """One field per question. Whether every question is answered, and with one
    of the offered answers, is the service's to decide."""

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        for q in self.questions:
            name = str(q.pk)
            if q.kind == Question.Kind.CHOICE:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in q.choices], widget=forms.RadioSelect(attrs=CHECK), required=False
                )
            elif q.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in q.choices],
                    widget=forms.CheckboxSelectMultiple(attrs=CHECK),
                    required=False,
                )
            elif q.kind == Question.Kind.SCALE:
                field = forms.ChoiceField(
                    choices=[(str(n), str(n)) for n in range(1, 6)],
                    widget=forms.RadioSelect(attrs=CHECK),
                    required=False,
                )
            else:
                field = forms.CharField(
                    max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
                )
            field.label = q.text
            self.fields[name] = field

    def answers(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [])}


def participant_label(person) -> str:
    """A person as the participant picker shows them: name and current unit."""
    return f"{person.name}（{person.employer.name}）" if person.employer_id else person.name


class ActivityForm(BootstrapMixin, forms.Form):
    organiser = forms.ChoiceField(label=_("Organised by"))
    title = forms.CharField(label=_("Title"), max_length=128)
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    domain = forms.ModelChoiceField(
        label=_("Service domain"), queryset=ServiceDomain.objects.filter(is_active=True), required=False
    )
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(label=_("Hours"), max_digits=5, decimal_places=1)
    is_plan = forms.BooleanField(label=_("Planned (not yet held)"), required=False)
    participants = ModelMultipleIdsField(
        label=_("Participants"),
        queryset=None,
        required=False,
        widget=SearchSelectMultiple(reverse_lazy("training:participant_choices")),
        help_text=_("Type a name or a unit to find people on the rosters you manage; choose as many as took part."),
    )

    def __init__(self, *args, organizations, jurisdictions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = {str(o.pk): o for o in organizations}
        self.jurisdictions = {str(j.pk): j for j in jurisdictions}
        choices = [(f"org:{pk}", o.name) for pk, o in self.organizations.items()]
        choices += [(f"jur:{pk}", j.name) for pk, j in self.jurisdictions.items()]
        self.fields["organiser"].choices = choices
        self.fields["participants"].queryset = people
        self.fields["participants"].label_from_instance = participant_label

    def organiser_kwargs(self) -> dict:
        kind, _sep, pk = self.cleaned_data["organiser"].partition(":")
        if kind == "org":
            return {"organization": self.organizations[pk]}
        return {"jurisdiction": self.jurisdictions[pk]}
