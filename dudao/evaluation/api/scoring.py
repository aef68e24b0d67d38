"""Scoring and results over the API: a party's own forms, results (the owner
per cycle, a supervisor their own published ones), computing and publishing a
cycle's results, appeals and renewals. Out of scope is a 404, a write the
caller may not make a 403, a rule a service enforces a 400."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from dudao.core.api import IdField, service_errors

from .. import scoring_permissions as permissions
from ..models import Appeal, Cycle, Evaluation, PartyForm, Renewal
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


class PartyFormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A party's own evaluation forms (home agency, served agency, association, authority)."""

    serializer_class = PartyFormSerializer
    ordering = ["evaluation__person__name", "id"]

    def get_queryset(self):
        queryset = selectors.forms_for(self.request.user).order_by("evaluation__person__name", "id")
        if self.action == "list":
            queryset = _cycle_filter(queryset, self.request, "evaluation__cycle_id")
        return queryset

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
            from rest_framework.exceptions import NotFound

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
            from rest_framework.exceptions import NotFound

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


class LodgeRequestSerializer(serializers.Serializer):
    evaluation = IdField(help_text="ID of the caller's own published result")
    reason = serializers.CharField(max_length=2000)


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
    path(
        "evaluation-cycles/<int:pk>/review-deadline/",
        ReviewDeadlineView.as_view(),
        name="evaluation-cycle-review-deadline",
    ),
]
