from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import add_service_errors, posted
from dudao.core.views import ListPage

from .. import permissions, selectors, services
from ..filters import ProgrammeFilter
from ..forms import CohortForm, ModuleForm, ProgrammeForm
from .common import visible_programme


class ProgrammeList(ListPage):
    template_name = "training/programme_list.html"
    table_template = "training/_programme_table.html"
    filterset_class = ProgrammeFilter
    sort_fields = {"name": ("name",), "starts": ("starts_on",)}
    default_sort = "-starts"
    export_title = gettext_lazy("Training programmes")
    export_columns = [
        (gettext_lazy("Programme"), lambda p: p.name),
        (gettext_lazy("Commissioned trainer"), lambda p: p.trainer.name),
        (gettext_lazy("Starts on"), lambda p: p.starts_on),
        (gettext_lazy("Ends on"), lambda p: p.ends_on),
        (gettext_lazy("Target size"), lambda p: p.target_size),
        (gettext_lazy("Trainees in cohorts"), lambda p: p.member_count),
        (gettext_lazy("Cohorts"), lambda p: p.cohort_count),
    ]

    def get_queryset(self):
        return selectors.programmes_for(self.request.user).annotate(
            cohort_count=Count("cohorts", distinct=True), member_count=Count("cohorts__members", distinct=True)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_create=permissions.may_create_programmes(self.request.user), **kwargs)


@login_required
def programme_create(request):
    city = selectors.programme_jurisdiction_for(request.user)
    if city is None:
        raise PermissionDenied
    form = ProgrammeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(actor=request.user, jurisdiction=city, **form.cleaned_data)
            messages.success(request, _("The programme is set up. Add its modules and cohorts."))
            return redirect("training:programme_detail", pk=programme.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "training/programme_form.html", {"form": form})


def _cohort_form(request, programme, data=None):
    rounds = selectors.rounds_of_programme(request.user, programme)
    round_id = (data or {}).get("round") or request.GET.get("round")
    chosen = rounds.filter(pk=round_id).first() if str(round_id or "").isdigit() else None
    chosen = chosen or rounds.first()
    return CohortForm(
        data,
        rounds=rounds,
        trainees=selectors.available_trainees(programme, chosen),
        initial={"round": chosen.pk if chosen else None},
    )


def _render_programme(request, programme, *, module_form=None, cohort_form=None, status=200):
    context = selectors.programme_page(request.user, programme)
    if context["can_run"]:
        context["module_form"] = module_form or ModuleForm()
        context["cohort_form"] = cohort_form or _cohort_form(request, programme)
    return render(request, "training/programme_detail.html", context, status=status)


@login_required
def programme_detail(request, pk):
    return _render_programme(request, visible_programme(request, pk))


@login_required
@require_POST
def module_create(request, pk):
    programme = visible_programme(request, pk)
    form = ModuleForm(request.POST)
    if form.is_valid():
        try:
            services.add_module(actor=request.user, programme=programme, **form.cleaned_data)
            messages.success(request, _("Module added."))
            return redirect(reverse("training:programme_detail", args=[programme.pk]) + "#modules")
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not permissions.can_run_programme(request.user, programme):
        raise PermissionDenied
    return _render_programme(request, programme, module_form=form)


@login_required
@require_POST
def cohort_create(request, pk):
    programme = visible_programme(request, pk)
    form = _cohort_form(request, programme, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            cohort = services.create_cohort(
                actor=request.user, programme=programme, name=d["name"], round_=d["round"], trainees=d["trainees"]
            )
            messages.success(request, _("Cohort %(name)s created.") % {"name": cohort.name})
            return redirect("training:cohort_detail", pk=cohort.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif not permissions.can_run_programme(request.user, programme):
        raise PermissionDenied
    return _render_programme(request, programme, cohort_form=form)
