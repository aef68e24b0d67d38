"""Scoring and results over the API: a party's own forms (listed, and per
evaluation under /evaluations/<id>/party-scores/), results (the owner per
cycle, a supervisor their own published ones), computing and publishing a
cycle's results, appeals (listed, and per evaluation under
/evaluations/<id>/appeal/) and renewals. Out of scope is a 404, a write the
caller may not make a 403, a rule a service enforces a 400."""

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Value
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from dudao.core.api import IdField, service_errors
from dudao.directory.models import Organization

from .. import scoring_permissions as permissions
from ..models import Appeal, Cycle, Evaluation, Party, PartyForm, Renewal
from ..selectors import scoring as selectors
from ..services import appeals as appeal_services
from ..services import renewals as renewal_services
from ..services import results as result_services
from ..services import scoring as scoring_services


def _cycle_filter(queryset, request, field):
    raw = request.query_params.get("cycle", "")
    if raw.strip():
        if not raw.strip().isdigit():
            raise serializers.ValidationError({"cycle": [_("Give the id of a cycle.")]})
        queryset = queryset.filter(**{field: int(raw)})
    return queryset


class PartyFormSerializer(serializers.ModelSerializer):
    cycle = serializers.IntegerField(source="evaluation.cycle_id", read_only=True)
    supervisor = serializers.IntegerField(source="evaluation.person_id", read_only=True)
    supervisor_name = serializers.CharField(source="evaluation.person.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)
    deadline = serializers.DateField(source="evaluation.cycle.scoring_deadline", read_only=True)

    class Meta:
        model = PartyForm
        fields = [
            "id",
            "evaluation",
            "cycle",
            "supervisor",
            "supervisor_name",
            "party",
            "organization",
            "organization_name",
            "ethics",
            "ability",
            "performance",
            "comment",
            "submitted_at",
            "deadline",
        ]
        read_only_fields = fields


class ScoresRequestSerializer(serializers.Serializer):
    ethics = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    ability = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    performance = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ToScoreSerializer(serializers.ModelSerializer):
    """One supervisor the caller scores as a party, with its scores once given."""

    evaluation = serializers.IntegerField(source="pk", read_only=True)
    supervisor = serializers.IntegerField(source="person_id", read_only=True)
    supervisor_name = serializers.CharField(source="person.name", read_only=True)
    party = serializers.CharField(read_only=True)
    organization = serializers.IntegerField(source="scoring_org", read_only=True, allow_null=True)
    form = serializers.IntegerField(source="form_id", read_only=True, allow_null=True)
    ethics = serializers.DecimalField(
        source="scored_ethics", max_digits=5, decimal_places=2, read_only=True, allow_null=True
    )
    ability = serializers.DecimalField(
        source="scored_ability", max_digits=5, decimal_places=2, read_only=True, allow_null=True
    )
    performance = serializers.DecimalField(
        source="scored_performance", max_digits=5, decimal_places=2, read_only=True, allow_null=True
    )
    submitted_at = serializers.DateTimeField(source="scored_at", read_only=True, allow_null=True)
    deadline = serializers.DateField(source="cycle.scoring_deadline", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "evaluation",
            "cycle",
            "supervisor",
            "supervisor_name",
            "party",
            "organization",
            "form",
            "ethics",
            "ability",
            "performance",
            "submitted_at",
            "deadline",
        ]
        read_only_fields = fields


class PartyFormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A party's own evaluation forms (home agency, served agency, association,
    authority): those written, and under to-score/ every supervisor the party
    is due to score, written or not."""

    serializer_class = PartyFormSerializer
    ordering = ["evaluation__person__name", "id"]

    def get_queryset(self):
        queryset = selectors.forms_for(self.request.user).order_by("evaluation__person__name", "id")
        if self.action == "list":
            queryset = _cycle_filter(queryset, self.request, "evaluation__cycle_id")
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("party", str, enum=Party.values, required=True),
            OpenApiParameter("cycle", int),
            OpenApiParameter("todo", bool, description="Only those not yet scored in cycles open for scoring"),
        ],
        responses={200: ToScoreSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="to-score", filter_backends=[])
    def to_score(self, request):
        """The supervisors the caller scores as `party`, with its scores where given (none for a party it is not)."""
        party = request.query_params.get("party", "")
        if party not in Party.values:
            raise serializers.ValidationError({"party": [_("Choose one of the four parties.")]})
        queryset = selectors.to_score(request.user, party).annotate(party=Value(party, output_field=CharField()))
        queryset = _cycle_filter(queryset, request, "cycle_id")
        if request.query_params.get("todo", "").lower() in ("1", "true"):
            queryset = selectors.due(queryset)
        page = self.paginate_queryset(queryset.order_by("person__name", "pk"))
        return self.get_paginated_response(ToScoreSerializer(page, many=True).data)

    @extend_schema(request=ScoresRequestSerializer, responses={200: PartyFormSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        """Record or change the party's scores (0–100, two places) before the cycle's deadline."""
        form = self.get_object()
        payload = ScoresRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            form = scoring_services.submit(
                actor=request.user,
                evaluation=form.evaluation,
                party=form.party,
                organization=form.organization_id,
                **payload.validated_data,
            )
        return Response(PartyFormSerializer(self.get_queryset().get(pk=form.pk)).data)


class EvaluationResultSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="person.name", read_only=True)
    cycle_title = serializers.CharField(source="cycle.title", read_only=True)
    breakdown = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "cycle",
            "cycle_title",
            "person",
            "supervisor_name",
            "party_part",
            "indicator_part",
            "score",
            "grade",
            "hours_capped",
            "parties_missing",
            "status",
            "published_at",
            "breakdown",
        ]
        read_only_fields = fields

    def get_breakdown(self, obj) -> dict:
        """The result's arithmetic: parties' scores and weights, indicator points and weights, bands, cap."""
        return obj.breakdown.get("result") or {}


class EvaluationResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Results: the owner sees every evaluation of its cycles, a supervisor their own published ones."""

    serializer_class = EvaluationResultSerializer

    def get_queryset(self):
        queryset = selectors.results_for(self.request.user).order_by("-cycle__year", "person__name", "id")
        if self.action == "list":
            queryset = _cycle_filter(queryset, self.request, "cycle_id")
        return queryset


class CycleStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["id", "title", "year", "level", "status", "scoring_deadline", "review_deadline", "published_at"]
        read_only_fields = fields


class _CycleResultsView(APIView):
    service = None

    @extend_schema(request=None, responses={200: CycleStatusSerializer})
    def post(self, request, pk):
        cycle = Cycle.objects.filter(pk=pk).select_related("owner").first()
        if cycle is None or not (
            permissions.owns_cycle(request.user, cycle)
            or selectors.results_for(request.user).filter(cycle=cycle).exists()
        ):
            raise NotFound
        if not permissions.owns_cycle(request.user, cycle):
            raise PermissionDenied(_("Only the authority that owns the cycle does this."))
        with service_errors():
            cycle = type(self).service(actor=request.user, cycle=cycle)
        return Response(CycleStatusSerializer(cycle).data)


class ComputeResultsView(_CycleResultsView):
    """Compute every evaluation's score, grade and breakdown (the owner); the cycle goes to review."""

    service = staticmethod(result_services.compute)

    @extend_schema(
        request=None, responses={200: CycleStatusSerializer}, operation_id="evaluation_cycles_compute_results"
    )
    def post(self, request, pk):
        return super().post(request, pk)


class PublishResultsView(_CycleResultsView):
    """Publish the reviewed results (the owner): supervisors are told, consequences follow."""

    service = staticmethod(result_services.publish)

    @extend_schema(
        request=None, responses={200: CycleStatusSerializer}, operation_id="evaluation_cycles_publish_results"
    )
    def post(self, request, pk):
        return super().post(request, pk)


class ReviewDeadlineRequestSerializer(serializers.Serializer):
    review_deadline = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class ReviewDeadlineView(APIView):
    """Move the cycle's review deadline, with a reason (the owner, before publication).
    Results are computed and published only on or before the review deadline."""

    @extend_schema(
        request=ReviewDeadlineRequestSerializer,
        responses={200: CycleStatusSerializer},
        operation_id="evaluation_cycles_move_review_deadline",
    )
    def post(self, request, pk):
        cycle = Cycle.objects.filter(pk=pk).select_related("owner").first()
        if cycle is None or not (
            permissions.owns_cycle(request.user, cycle)
            or selectors.results_for(request.user).filter(cycle=cycle).exists()
        ):
            raise NotFound
        if not permissions.owns_cycle(request.user, cycle):
            raise PermissionDenied(_("Only the authority that owns the cycle does this."))
        payload = ReviewDeadlineRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            cycle = result_services.move_review_deadline(actor=request.user, cycle=cycle, **payload.validated_data)
        return Response(CycleStatusSerializer(cycle).data)


class AppealSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="evaluation.person.name", read_only=True)
    cycle = serializers.IntegerField(source="evaluation.cycle_id", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "evaluation",
            "cycle",
            "supervisor_name",
            "reason",
            "status",
            "decision",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class AppealReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class LodgeRequestSerializer(AppealReasonSerializer):
    evaluation = IdField(help_text="ID of the caller's own published result")


class DecideAppealRequestSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField(max_length=2000)
    changes = serializers.JSONField(
        required=False,
        help_text='Corrections of an upheld appeal: {"forms": {form id: {"ethics": "90.00", ...}}, '
        '"indicator_points": {name: "80.00"}}',
    )


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Appeals of published results: lodged by the supervisor, decided by the cycle's owner."""

    serializer_class = AppealSerializer

    def get_queryset(self):
        return selectors.appeals_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=LodgeRequestSerializer, responses={201: AppealSerializer})
    def create(self, request, *args, **kwargs):
        """Appeal one's own published result within the cycle's appeal days."""
        payload = LodgeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evaluation = get_object_or_404(selectors.own_results(request.user), pk=payload.validated_data["evaluation"])
        with service_errors():
            appeal = appeal_services.lodge(
                actor=request.user, evaluation=evaluation, reason=payload.validated_data["reason"]
            )
        return Response(AppealSerializer(self.get_queryset().get(pk=appeal.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideAppealRequestSerializer, responses={200: AppealSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        """Uphold (with corrections, recomputed and republished) or reject, with a reason (the owner)."""
        appeal = self.get_object()
        if not permissions.owns_cycle(request.user, appeal.evaluation.cycle):
            raise PermissionDenied(_("Only the authority that owns the cycle decides appeals."))
        payload = DecideAppealRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        with service_errors():
            appeal = appeal_services.decide(
                actor=request.user, appeal=appeal, upheld=d["upheld"], decision=d["decision"], changes=d.get("changes")
            )
        return Response(AppealSerializer(self.get_queryset().get(pk=appeal.pk)).data)


class RenewalSerializer(serializers.ModelSerializer):
    entry_number = serializers.CharField(source="entry.entry_number", read_only=True)
    supervisor_name = serializers.CharField(source="entry.person.name", read_only=True)
    expires_on = serializers.DateField(source="entry.expires_on", read_only=True)
    grades = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Renewal
        fields = [
            "id",
            "entry",
            "entry_number",
            "supervisor_name",
            "expires_on",
            "term_ends_on",
            "grades",
            "status",
            "reason",
            "new_expires_on",
            "decided_at",
        ]
        read_only_fields = fields


class DecideRenewalRequestSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=300)


class RenewalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Renewals proposed at the end of a pool term, decided by the pool's keeper."""

    serializer_class = RenewalSerializer

    def get_queryset(self):
        return selectors.renewals_for(self.request.user).order_by("entry__expires_on", "id")

    @extend_schema(request=DecideRenewalRequestSerializer, responses={200: RenewalSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        """Approve (the term is extended) or refuse, with a reason."""
        renewal = self.get_object()
        payload = DecideRenewalRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            renewal = renewal_services.decide(actor=request.user, renewal=renewal, **payload.validated_data)
        return Response(RenewalSerializer(self.get_queryset().get(pk=renewal.pk)).data)


# --- per evaluation: /evaluations/<id>/party-scores/ and /evaluations/<id>/appeal/ ----------------


class PartyScoreSerializer(serializers.Serializer):
    """One of the caller's parties on the evaluation, with its scores once given."""

    party = serializers.ChoiceField(choices=Party.choices)
    organization = serializers.IntegerField(allow_null=True, help_text="The scoring agency (agency parties)")
    organization_name = serializers.CharField(allow_null=True)
    form = serializers.IntegerField(allow_null=True, help_text="ID of the form once written (evaluation-forms)")
    ethics = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    ability = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    performance = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateField()


class PartyScoresRequestSerializer(ScoresRequestSerializer):
    party = serializers.ChoiceField(choices=Party.choices)
    organization = IdField(
        required=False,
        allow_null=True,
        help_text="The scoring agency, needed only by the admin of several agencies that served the supervisor",
    )


def _slot_rows(user, evaluation) -> list[dict]:
    slots = selectors.scoring_slots(user, evaluation)
    forms = selectors.slot_forms(evaluation, slots)
    names = dict(Organization.objects.filter(pk__in=[org for _party, org in slots if org]).values_list("pk", "name"))
    rows = []
    for party, org in slots:
        form = forms.get((party, org))
        rows.append(
            {
                "party": party,
                "organization": org,
                "organization_name": names.get(org),
                "form": form.pk if form else None,
                "ethics": form.ethics if form else None,
                "ability": form.ability if form else None,
                "performance": form.performance if form else None,
                "comment": form.comment if form else "",
                "submitted_at": form.submitted_at if form else None,
                "deadline": evaluation.cycle.scoring_deadline,
            }
        )
    return rows


def _scored_evaluation(user, pk) -> tuple[Evaluation, list[dict]]:
    """The evaluation and the caller's parties on it; 404 for one the caller scores as no party."""
    evaluation = Evaluation.objects.select_related("cycle__owner").filter(pk=pk).first()
    rows = _slot_rows(user, evaluation) if evaluation is not None else []
    if not rows:
        raise NotFound
    return evaluation, rows


class EvaluationPartyScoresView(APIView):
    """Each party's own scores of one supervisor: an agency as home or served
    agency, the association, the owning authority. Another party's scores are
    never shown; an evaluation the caller scores as no party is not found."""

    @extend_schema(responses={200: PartyScoreSerializer(many=True)})
    def get(self, request, pk):
        """The caller's parties on this evaluation and their scores so far."""
        _evaluation, rows = _scored_evaluation(request.user, pk)
        return Response(PartyScoreSerializer(rows, many=True).data)

    @extend_schema(request=PartyScoresRequestSerializer, responses={200: PartyScoreSerializer(many=True)})
    def post(self, request, pk):
        """Record or change one party's scores (0–100, two places) before the cycle's scoring deadline."""
        evaluation, _rows = _scored_evaluation(request.user, pk)
        payload = PartyScoresRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            scoring_services.submit(actor=request.user, evaluation=evaluation, **payload.validated_data)
        return Response(PartyScoreSerializer(_slot_rows(request.user, evaluation), many=True).data)


def _appealable_evaluation(user, pk) -> Evaluation:
    """An evaluation whose appeals the caller sees: the supervisor's own published result, or one of the owner's."""
    evaluation = selectors.results_for(user).filter(pk=pk).first()
    if evaluation is None:
        raise NotFound
    return evaluation


class EvaluationAppealView(APIView):
    """The appeals of one result: the supervisor lodges one within the cycle's appeal days."""

    @extend_schema(responses={200: AppealSerializer(many=True)})
    def get(self, request, pk):
        """The appeals of this result, latest first."""
        evaluation = _appealable_evaluation(request.user, pk)
        appeals = selectors.appeals_for(request.user).filter(evaluation=evaluation).order_by("-created_at", "-id")
        return Response(AppealSerializer(appeals, many=True).data)

    @extend_schema(request=AppealReasonSerializer, responses={201: AppealSerializer})
    def post(self, request, pk):
        """Appeal one's own published result, with grounds."""
        evaluation = _appealable_evaluation(request.user, pk)
        payload = AppealReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            appeal = appeal_services.lodge(
                actor=request.user, evaluation=evaluation, reason=payload.validated_data["reason"]
            )
        appeal = selectors.appeals_for(request.user).get(pk=appeal.pk)
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class EvaluationAppealDecisionView(APIView):
    """The owner's decision on the appeal of one result that waits for one."""

    @extend_schema(request=DecideAppealRequestSerializer, responses={200: AppealSerializer})
    def post(self, request, pk):
        """Uphold (with corrections, recomputed and republished) or reject, with a reason."""
        evaluation = _appealable_evaluation(request.user, pk)
        if not permissions.owns_cycle(request.user, evaluation.cycle):
            raise PermissionDenied(_("Only the authority that owns the cycle decides appeals."))
        appeal = evaluation.appeals.filter(status=Appeal.Status.LODGED).first()
        if appeal is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("No appeal of this result is waiting for a decision.")]}
            )
        payload = DecideAppealRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        with service_errors():
            appeal = appeal_services.decide(
                actor=request.user, appeal=appeal, upheld=d["upheld"], decision=d["decision"], changes=d.get("changes")
            )
        return Response(AppealSerializer(selectors.appeals_for(request.user).get(pk=appeal.pk)).data)


def register(router):
    router.register("evaluation-forms", PartyFormViewSet, basename="evaluation-form")
    router.register("evaluation-results", EvaluationResultViewSet, basename="evaluation-result")
    router.register("evaluation-appeals", AppealViewSet, basename="evaluation-appeal")
    router.register("renewals", RenewalViewSet, basename="renewal")


urlpatterns = [
    path(
        "evaluation-cycles/<int:pk>/compute-results/",
        ComputeResultsView.as_view(),
        name="evaluation-cycle-compute-results",
    ),
    path("evaluation-cycles/<int:pk>/publish/", PublishResultsView.as_view(), name="evaluation-cycle-publish"),
    path("evaluations/<int:pk>/party-scores/", EvaluationPartyScoresView.as_view(), name="evaluation-party-scores"),
    path("evaluations/<int:pk>/appeal/", EvaluationAppealView.as_view(), name="evaluation-appeal"),
    path(
        "evaluations/<int:pk>/appeal/decision/",
        EvaluationAppealDecisionView.as_view(),
        name="evaluation-appeal-decision",
    ),
    path(
        "evaluation-cycles/<int:pk>/review-deadline/",
        ReviewDeadlineView.as_view(),
        name="evaluation-cycle-review-deadline",
    ),
]
