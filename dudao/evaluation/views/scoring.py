"""Pages of scoring and results: a party's forms and the scoring form, the
owner's review (compute, publish), the supervisor's result with the appeal
form, the owner's appeals and the keeper's renewals."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.forms import add_service_errors, posted
from dudao.core.views import ListPage
from dudao.directory.models import Organization

from .. import scoring_permissions as permissions
from ..models import Appeal, Cycle, Evaluation, Grade, Party
from ..scoring_filters import AppealFilter, RenewalFilter, ResultFilter
from ..selectors import scoring as selectors
from ..services import appeals as appeal_services
from ..services import results as result_services
from ..services import scoring as scoring_services


class ScoreForm(forms.Form):
    ethics = forms.DecimalField(label=gettext_lazy("Ethics"), min_value=0, max_value=100, decimal_places=2)
    ability = forms.DecimalField(label=gettext_lazy("Ability"), min_value=0, max_value=100, decimal_places=2)
    performance = forms.DecimalField(label=gettext_lazy("Performance"), min_value=0, max_value=100, decimal_places=2)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Grounds"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("1", gettext_lazy("Uphold")), ("0", gettext_lazy("Reject"))],
        coerce=lambda v: v == "1",
    )
    decision = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewDeadlineForm(forms.Form):
    review_deadline = forms.DateField(
        label=gettext_lazy("New deadline for review"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class RenewalForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("1", gettext_lazy("Approve")), ("0", gettext_lazy("Refuse"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def _bootstrap(form):
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


# --- a party's forms ---------------------------------------------------------------------


class FormList(ListPage):
    """A party's supervisors to score, one party at a time (an agency's admin is
    both home and served agency): read from the evaluations, with the party's
    scores where it has given them."""

    template_name = "evaluation/scoring/form_list.html"
    table_template = "evaluation/scoring/_form_table.html"
    sort_fields = {"name": ("person__name",), "submitted": ("scored_at",)}
    default_sort = "name"
    export_title = gettext_lazy("Evaluation forms")
    export_columns = [
        (gettext_lazy("Cycle"), lambda e: e.cycle.title),
        (gettext_lazy("Supervisor"), lambda e: e.person.name),
        (gettext_lazy("Party"), lambda e: Party(e.party).label),
        (gettext_lazy("Ethics"), lambda e: e.scored_ethics),
        (gettext_lazy("Ability"), lambda e: e.scored_ability),
        (gettext_lazy("Performance"), lambda e: e.scored_performance),
        (gettext_lazy("Submitted"), lambda e: e.scored_at),
    ]

    def party(self) -> str | None:
        if not hasattr(self, "_party"):
            held = selectors.parties_of(self.request.user)
            asked = self.request.GET.get("party", "")
            if asked in held:
                self._party = asked
            elif self.request.GET.get("todo") == "1":
                # From the 工作台's to-do: the first party that still owes scores.
                owing = [p for p in held if selectors.due(selectors.to_score(self.request.user, p)).exists()]
                self._party = (owing or held or [None])[0]
            else:
                # An agency's admin whose staff are not in the pool scores only as a served agency.
                with_rows = [p for p in held if selectors.to_score(self.request.user, p).exists()]
                self._party = (with_rows or held or [None])[0]
        return self._party

    def get_queryset(self):
        party = self.party()
        if party is None:
            return Evaluation.objects.none()
        queryset = selectors.to_score(self.request.user, party).annotate(party=Value(party, output_field=CharField()))
        cycle = self.request.GET.get("cycle")
        if cycle and cycle.isdigit():
            queryset = queryset.filter(cycle_id=int(cycle))
        if self.request.GET.get("todo") == "1":
            # The 工作台's to-do: not yet scored, cycle open for scoring.
            queryset = selectors.due(queryset)
        return queryset

    def decorate(self, rows):
        # The served agency's name, for the page's rows only.
        orgs = dict(
            Organization.objects.filter(pk__in={r.scoring_org for r in rows if r.scoring_org}).values_list("pk", "name")
        )
        for row in rows:
            row.scoring_org_name = orgs.get(row.scoring_org)
        return rows

    def get_context_data(self, **kwargs):
        party = self.party()
        held = selectors.parties_of(self.request.user)
        cycle_ids = (
            selectors.to_score(self.request.user, party).order_by().values("cycle_id").distinct() if party else []
        )
        cycles = Cycle.objects.filter(pk__in=cycle_ids) if party else Cycle.objects.none()
        return super().get_context_data(
            cycles=cycles,
            chosen=self.request.GET.get("cycle", ""),
            parties=[(p, Party(p).label) for p in held],
            party=party,
            **kwargs,
        )


def _slot(request, evaluation, party):
    """The user's slot (party, agency) on the evaluation, or 404."""
    slots = [slot for slot in selectors.scoring_slots(request.user, evaluation) if slot[0] == party]
    asked = request.GET.get("organization", "")
    if asked.isdigit():
        slots = [slot for slot in slots if slot[1] == int(asked)]
    if not slots:
        raise Http404
    return slots[0]


@login_required
def form_edit(request, evaluation, party):
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("cycle__owner", "person", "home_organization"), pk=evaluation
    )
    party, organization_id = _slot(request, evaluation, party)
    written = selectors.slot_forms(evaluation, [(party, organization_id)]).get((party, organization_id))
    initial = {n: getattr(written, n) for n in ("ethics", "ability", "performance", "comment")} if written else {}
    form = _bootstrap(ScoreForm(posted(request), initial=initial))
    if request.method == "POST" and form.is_valid():
        try:
            scoring_services.submit(
                actor=request.user,
                evaluation=evaluation,
                party=party,
                organization=organization_id,
                **form.cleaned_data,
            )
            messages.success(request, _("Your scores of %(name)s are saved.") % {"name": evaluation.person.name})
            return redirect(f"{reverse('evaluation:form_list')}?party={party}")
        except ValidationError as exc:
            add_service_errors(form, exc)
    organization = Organization.objects.filter(pk=organization_id).first() if organization_id else None
    return render(
        request,
        "evaluation/scoring/form_edit.html",
        {
            "party_label": Party(party).label,
            "party": party,
            "organization": organization,
            "evaluation": evaluation,
            "form": form,
        },
    )


# --- the owner's review ------------------------------------------------------------------


@login_required
def review(request, pk):
    cycle = get_object_or_404(selectors.owned_cycles(request.user), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    deadline_form = _bootstrap(ReviewDeadlineForm(request.POST if action == "move_deadline" else None))
    if action in ("compute", "publish"):
        try:
            if action == "compute":
                result_services.compute(actor=request.user, cycle=cycle)
                messages.success(request, _("The results are computed; review them before publishing."))
            else:
                result_services.publish(actor=request.user, cycle=cycle)
                messages.success(request, _("The results are published."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("evaluation:review", pk=cycle.pk)
    if action == "move_deadline" and deadline_form.is_valid():
        try:
            result_services.move_review_deadline(actor=request.user, cycle=cycle, **deadline_form.cleaned_data)
            messages.success(request, _("The review deadline is moved."))
            return redirect("evaluation:review", pk=cycle.pk)
        except ValidationError as exc:
            add_service_errors(deadline_form, exc)
    evaluations = list(
        Evaluation.objects.filter(cycle=cycle)
        .select_related("person", "home_organization")
        .order_by("person__name", "pk")
    )
    for e in evaluations:
        e.averages = [selectors.party_averages(e)[p] for p in Party.values]
    return render(
        request,
        "evaluation/scoring/review.html",
        {
            "cycle": cycle,
            "evaluations": evaluations,
            "parties": Party.choices,
            "Party": Party,
            "deadline_form": deadline_form,
            "review_closed": timezone.localdate() > cycle.review_deadline,
        },
    )


# --- results and appeals -----------------------------------------------------------------


@login_required
def result_detail(request, pk):
    evaluation = get_object_or_404(selectors.results_for(request.user), pk=pk)
    own = permissions.is_evaluated(request.user, evaluation)
    appeal_form = _bootstrap(AppealForm(posted(request)))
    if request.method == "POST":
        if not own:
            raise PermissionDenied(_("Only the supervisor evaluated appeals the result."))
        if appeal_form.is_valid():
            try:
                appeal_services.lodge(
                    actor=request.user, evaluation=evaluation, reason=appeal_form.cleaned_data["reason"]
                )
                messages.success(request, _("Your appeal is lodged."))
                return redirect("evaluation:result_detail", pk=evaluation.pk)
            except ValidationError as exc:
                add_service_errors(appeal_form, exc)
    ends = selectors.appeal_ends_on(evaluation)
    appeals = list(evaluation.appeals.order_by("-created_at"))
    comments = []
    if not own or selectors.shows_party_comments(evaluation):
        comments = [f for f in evaluation.forms.select_related("organization") if f.comment]

    return render(
        request,
        "evaluation/scoring/result_detail.html",
        {
            "evaluation": evaluation,
            "result": evaluation.breakdown.get("result") or {},
            "averages": [(label, selectors.party_averages(evaluation)[p]) for p, label in Party.choices],
            "own": own,
            "appeal_form": appeal_form,
            "appeal_ends": ends,
            "can_appeal": own
            and ends is not None
            and timezone.localdate() <= ends
            and not any(a.status == Appeal.Status.LODGED for a in appeals),
            "appeals": appeals,
            "comments": comments,
            "versions": evaluation.versions.order_by("number"),
        },
    )


def _grade_label(grade) -> str:
    return str(Grade(grade).label) if grade in Grade.values else ""


def _party_labels(parties) -> str:
    labels = dict(Party.choices)
    return "、".join(str(labels.get(p, p)) for p in parties or [])


class ResultList(ListPage):
    template_name = "evaluation/scoring/result_list.html"
    table_template = "evaluation/scoring/_result_table.html"
    filterset_class = ResultFilter
    sort_fields = {"year": ("cycle__year",), "score": ("score",), "name": ("person__name",)}
    default_sort = "-year"
    export_title = gettext_lazy("Evaluation results")
    # Scores and grades only: what an individual party wrote never leaves the result page.
    export_columns = [
        (gettext_lazy("Year"), lambda e: e.cycle.year),
        (gettext_lazy("Cycle"), lambda e: e.cycle.title),
        (gettext_lazy("Entry number"), lambda e: e.entry.entry_number),
        (gettext_lazy("Supervisor"), lambda e: e.person.name),
        (gettext_lazy("Home agency"), lambda e: e.home_organization.name if e.home_organization else ""),
        (gettext_lazy("Party part"), lambda e: e.party_part),
        (gettext_lazy("Indicator part"), lambda e: e.indicator_part),
        (gettext_lazy("Score"), lambda e: e.score),
        (gettext_lazy("Grade"), lambda e: _grade_label(e.grade)),
        (gettext_lazy("Capped for hours below the minimum"), lambda e: _("Yes") if e.hours_capped else ""),
        (gettext_lazy("Parties missing"), lambda e: _party_labels(e.parties_missing)),
        (gettext_lazy("Status"), lambda e: e.get_status_display()),
        (gettext_lazy("Published at"), lambda e: e.published_at or ""),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.reads_results(request.user):
            raise PermissionDenied(
                _("Evaluation results are read by the owners of cycles and the supervisors evaluated.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.request.GET.get("appeal_open") == "1":
            # The 工作台's to-do: the supervisor's results still open to appeal.
            return selectors.results_open_to_appeal(self.request.user)
        return selectors.results_for(self.request.user)

    def get_context_data(self, **kwargs):
        # The owner reaches each cycle's review from here.
        return super().get_context_data(
            cycles=selectors.owned_cycles(self.request.user).order_by("-year", "pk"), **kwargs
        )


class AppealList(ListPage):
    template_name = "evaluation/scoring/appeal_list.html"
    table_template = "evaluation/scoring/_appeal_table.html"
    filterset_class = AppealFilter
    sort_fields = {"lodged": ("created_at",)}
    default_sort = "-lodged"
    export_title = gettext_lazy("Evaluation appeals")
    export_columns = [
        (gettext_lazy("Lodged at"), lambda a: a.created_at),
        (gettext_lazy("Cycle"), lambda a: a.evaluation.cycle.title),
        (gettext_lazy("Supervisor"), lambda a: a.evaluation.person.name),
        (gettext_lazy("Grounds"), lambda a: a.reason),
        (gettext_lazy("Status"), lambda a: a.get_status_display()),
        (gettext_lazy("Decision"), lambda a: a.decision),
        (gettext_lazy("Decided at"), lambda a: a.decided_at or ""),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.reads_results(request.user):
            raise PermissionDenied(_("Appeals are read by the owners of cycles and the supervisors who lodge them."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.appeals_for(self.request.user)


@login_required
def appeal_decide(request, pk):
    appeal = get_object_or_404(selectors.appeals_for(request.user), pk=pk)
    evaluation = appeal.evaluation
    if not permissions.owns_cycle(request.user, evaluation.cycle):
        raise PermissionDenied(_("Only the authority that owns the cycle decides appeals."))
    form = _bootstrap(DecisionForm(posted(request)))
    party_forms = list(evaluation.forms.select_related("organization").order_by("party", "pk"))
    if request.method == "POST" and form.is_valid():
        changes = {"forms": {}, "indicator_points": {}}
        for pf in party_forms:
            for name in ("ethics", "ability", "performance"):
                raw = request.POST.get(f"form-{pf.pk}-{name}", "").strip()
                current = "" if getattr(pf, name) is None else str(getattr(pf, name))
                if raw and raw != current:
                    changes["forms"].setdefault(str(pf.pk), {})[name] = raw
        for name, points in (evaluation.breakdown.get("indicator_points") or {}).items():
            raw = request.POST.get(f"indicator-{name}", "").strip()
            if raw and raw != str(points):
                changes["indicator_points"][name] = raw
        changes = {k: v for k, v in changes.items() if v}
        try:
            appeal_services.decide(
                actor=request.user,
                appeal=appeal,
                upheld=form.cleaned_data["upheld"],
                decision=form.cleaned_data["decision"],
                changes=changes or None,
            )
            messages.success(request, _("The appeal is decided."))
            return redirect("evaluation:appeal_list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "evaluation/scoring/appeal_decide.html",
        {
            "appeal": appeal,
            "evaluation": evaluation,
            "form": form,
            "party_forms": party_forms,
            "points": sorted((evaluation.breakdown.get("indicator_points") or {}).items()),
        },
    )


# --- renewals ----------------------------------------------------------------------------


def _grades_in_term(renewal) -> str:
    return "；".join(f"{year}：{label}" for year, label in renewal.grades_shown())


class RenewalList(ListPage):
    template_name = "evaluation/scoring/renewal_list.html"
    table_template = "evaluation/scoring/_renewal_table.html"
    filterset_class = RenewalFilter
    sort_fields = {"expires": ("entry__expires_on",)}
    default_sort = "expires"
    export_title = gettext_lazy("Renewals")
    export_columns = [
        (gettext_lazy("Entry number"), lambda r: r.entry.entry_number),
        (gettext_lazy("Supervisor"), lambda r: r.entry.person.name),
        (gettext_lazy("Pool"), lambda r: r.entry.get_level_display()),
        (gettext_lazy("Kept by"), lambda r: r.entry.jurisdiction.name),
        (gettext_lazy("Term ends on"), lambda r: r.entry.expires_on),
        (gettext_lazy("Grades in the term"), _grades_in_term),
        (gettext_lazy("Status"), lambda r: r.get_status_display()),
        (gettext_lazy("New term ends on"), lambda r: r.new_expires_on or ""),
        (gettext_lazy("Reason"), lambda r: r.reason),
        (gettext_lazy("Decided at"), lambda r: r.decided_at or ""),
    ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_propose=bool(_kept_pools(self.request.user)), **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.keeps_pools(request.user):
            raise PermissionDenied(_("Renewals are decided by the keepers of the city and district pools."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.renewals_for(self.request.user)


def _kept_pools(user) -> list:
    """(level, jurisdiction) of the city and district pools the user keeps."""
    from dudao.core.scoping import scope_for
    from dudao.directory.models import Jurisdiction
    from dudao.pools import permissions as pool_permissions
    from dudao.pools.models import Entry

    scope = scope_for(user)
    kept = []
    for level, capability in (
        (Entry.Level.CITY, pool_permissions.KEEP_CITY),
        (Entry.Level.DISTRICT, pool_permissions.KEEP_DISTRICT),
    ):
        for node in scope.nodes_for(capability):
            kept.append((level, Jurisdiction.objects.get(pk=node.id)))
    return kept


@login_required
def renewal_propose(request):
    """The keeper asks for the entries due for renewal in the pools it keeps."""
    from ..services import renewals as renewal_services

    if request.method != "POST":
        return redirect("evaluation:renewal_list")
    pools = _kept_pools(request.user)
    if not pools:
        raise PermissionDenied(_("Only the keeper of this pool proposes renewals."))
    made = 0
    for level, jurisdiction in pools:
        made += len(renewal_services.propose_due(actor=request.user, level=level, jurisdiction=jurisdiction))
    messages.success(request, _("%(count)s renewals proposed.") % {"count": made})
    return redirect("evaluation:renewal_list")


@login_required
def renewal_decide(request, pk):
    from ..services import renewals as renewal_services

    renewal = get_object_or_404(selectors.renewals_for(request.user), pk=pk)
    form = _bootstrap(RenewalForm(posted(request)))
    if request.method == "POST" and form.is_valid():
        try:
            renewal_services.decide(actor=request.user, renewal=renewal, **form.cleaned_data)
            messages.success(request, _("The renewal is decided."))
            return redirect("evaluation:renewal_list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "evaluation/scoring/renewal_decide.html", {"renewal": renewal, "form": form})


urlpatterns = [
    path("forms/", FormList.as_view(), name="form_list"),
    path("forms/<int:evaluation>/<str:party>/", form_edit, name="form_edit"),
    path("cycles/<int:pk>/review/", review, name="review"),
    path("results/", ResultList.as_view(), name="result_list"),
    path("results/<int:pk>/", result_detail, name="result_detail"),
    path("appeals/", AppealList.as_view(), name="appeal_list"),
    path("appeals/<int:pk>/", appeal_decide, name="appeal_decide"),
    path("renewals/", RenewalList.as_view(), name="renewal_list"),
    path("renewals/propose/", renewal_propose, name="renewal_propose"),
    path("renewals/<int:pk>/", renewal_decide, name="renewal_decide"),
]
