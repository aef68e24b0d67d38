"""Evaluation cycles, the evaluations' indicators and the supervisees' service
results over the API. Out of scope is a 404, a write the caller may not make a
403 (before the payload is read), a rule a service enforces a 400."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dudao.core.api import IdField, MultiPartParser, service_errors
from dudao.directory.api import ImportErrorSerializer, ImportResultSerializer
from dudao.directory.models import Jurisdiction, Organization, Person
from dudao.pools.models import Entry

from .. import permissions
from ..cycle_filters import CycleFilter, EvaluationFilter, ServiceResultFilter
from ..models import Cycle, Evaluation, ServiceResult
from ..selectors import cycles as selectors
from ..services import cycles as services
from ..services import service_results


class CycleSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "owner",
            "owner_name",
            "level",
            "year",
            "title",
            "scoring_deadline",
            "review_deadline",
            "appeal_days",
            "status",
            "progress_done",
            "progress_total",
            "computed_at",
            "published_at",
        ]
        read_only_fields = fields


class CycleRequestSerializer(serializers.Serializer):
    owner = IdField(help_text="ID of the city or district whose pool is evaluated")
    level = serializers.ChoiceField(choices=Entry.Level.choices, help_text="city or district: the pool evaluated")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    scoring_deadline = serializers.DateField()
    review_deadline = serializers.DateField()

    def validate_level(self, value):
        if value == Entry.Level.AGENCY:
            raise serializers.ValidationError(_("Only the city pool and the district pools are evaluated in cycles."))
        return value


class ProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Cycle.Status.choices)
    progress_done = serializers.IntegerField()
    progress_total = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


def progress_of(cycle: Cycle) -> dict:
    total = cycle.progress_total
    if cycle.status == Cycle.Status.COMPUTING:
        percent = min(99, cycle.progress_done * 100 // total) if total else None
    else:
        percent = 100 if cycle.computed_at else 0
    return {
        "status": cycle.status,
        "progress_done": cycle.progress_done,
        "progress_total": total,
        "percent": percent,
    }


class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Annual evaluation cycles of the pools in the caller's jurisdiction."""

    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    ordering_fields = ["year", "id"]
    ordering = ["-year", "id"]

    def get_queryset(self):
        return selectors.cycles_for(self.request.user)

    @extend_schema(request=CycleRequestSerializer, responses={201: CycleSerializer})
    def create(self, request, *args, **kwargs):
        """Open a cycle: the city for the city pool, a district for its own pool."""
        if not permissions.opens_cycles(request.user):
            raise PermissionDenied(_("Only the keeper of a pool opens its evaluation cycle."))
        payload = CycleRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        owner = Jurisdiction.objects.filter(pk=d.pop("owner")).first()
        if owner is None:
            raise serializers.ValidationError({"owner": [_("No such jurisdiction.")]})
        with service_errors():
            cycle = services.open_cycle(actor=request.user, owner=owner, **d)
        return Response(CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: CycleSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def compute(self, request, pk=None):
        """Compute the indicators of every active supervisor in the pool (a background job; see `progress`)."""
        cycle = self.get_object()
        if not permissions.manages_cycle(request.user, cycle):
            raise PermissionDenied(_("Only the cycle's owner computes its indicators."))
        with service_errors():
            cycle = services.compute(actor=request.user, cycle=cycle)
        return Response(CycleSerializer(cycle).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ProgressSerializer})
    @action(detail=True, methods=["get"], filter_backends=[])
    def progress(self, request, pk=None):
        """How far the computation of the indicators has come."""
        return Response(progress_of(self.get_object()))


class EvaluationSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    home_organization_name = serializers.CharField(
        source="home_organization.name", read_only=True, allow_null=True, default=None
    )
    entry_number = serializers.CharField(source="entry.entry_number", read_only=True)
    breakdown = serializers.SerializerMethodField()
    # Unpublished, the result is the owner's under review (/evaluation-results/), not a reader's.
    score = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField()
    indicators = inline_serializer(
        "EvaluationIndicators",
        {
            "service_hours": serializers.DecimalField(max_digits=8, decimal_places=2),
            "practice_hours": serializers.DecimalField(max_digits=8, decimal_places=2),
            "satisfaction": serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True),
            "ratings": serializers.IntegerField(),
            "ability_gain": serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True),
            "assessed": serializers.IntegerField(),
            "training_hours": serializers.DecimalField(max_digits=8, decimal_places=2),
            "service_results": serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True),
            "service_results_count": serializers.IntegerField(),
        },
        read_only=True,
    )

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "cycle",
            "entry",
            "entry_number",
            "person",
            "person_name",
            "home_organization",
            "home_organization_name",
            "indicators",
            "indicator_part",
            "breakdown",
            "score",
            "grade",
            "status",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_breakdown(self, obj) -> dict:
        """The arithmetic: points and weight per indicator, and once the result is
        published its whole working (parties' scores and weights, the missing
        parties, the bands, the hours cap) as /evaluation-results/ shows it."""
        stored = obj.breakdown or {}
        published = selectors.result_read(obj)
        return {
            "indicator_points": stored.get("indicator_points") or {},
            "indicator_weights": stored.get("indicator_weights") or {},
            "result": (stored.get("result") or None) if published else None,
        }

    def get_score(self, obj) -> str | None:
        """Two places, as text like every amount of the API; none until published."""
        return f"{obj.score:.2f}" if selectors.result_read(obj) else None

    def get_grade(self, obj) -> str:
        return obj.grade if selectors.result_read(obj) else ""

    def to_representation(self, instance):
        # An evaluation written before its indicators were computed (or by an
        # older computation) lacks some keys: they read as "none yet", never a 500.
        instance.indicators = {**selectors.empty_indicators(), **(instance.indicators or {})}
        return super().to_representation(instance)


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """Per supervisor per cycle: the indicators computed from data (the scoring fields are the scoring area's)."""

    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    ordering_fields = ["id", "indicator_part"]
    ordering = ["cycle", "id"]

    def get_queryset(self):
        return selectors.evaluations_for(self.request.user)


class ServiceResultSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ServiceResult
        fields = ["id", "person", "person_name", "year", "score", "organization", "organization_name", "updated_at"]
        read_only_fields = fields


class ServiceResultRequestSerializer(serializers.Serializer):
    person = IdField(help_text="ID of a member of staff of an agency the caller enters results for")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)


class ServiceResultViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Supervisees' service evaluation results, per person per year."""

    serializer_class = ServiceResultSerializer
    filterset_class = ServiceResultFilter
    ordering_fields = ["year", "id", "score"]
    ordering = ["-year", "id"]

    def get_queryset(self):
        return selectors.service_results_for(self.request.user)

    @extend_schema(request=ServiceResultRequestSerializer, responses={201: ServiceResultSerializer})
    def create(self, request, *args, **kwargs):
        """Enter or change one person's result for a year."""
        if not permissions.enters_results(request.user):
            raise PermissionDenied(_("Only an agency or an authority enters service results."))
        payload = ServiceResultRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        person = Person.objects.filter(pk=d["person"]).first()
        if person is None or not permissions.enters_result_for(request.user, person):
            raise serializers.ValidationError({"person": [_("No such member of staff in your agencies.")]})
        with service_errors():
            result = service_results.record(actor=request.user, person=person, year=d["year"], score=d["score"])
        return Response(ServiceResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ServiceResultSheetUpload",
                {
                    "organization": IdField(),
                    "year": serializers.IntegerField(min_value=2000, max_value=2100),
                    "file": serializers.FileField(),
                },
            )
        },
        responses={201: ImportResultSerializer, 400: OpenApiResponse(ImportErrorSerializer)},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser], filter_backends=[])
    def import_sheet(self, request):
        """An agency's sheet of results (.xlsx: ID number, name, result): all rows or none."""
        if not permissions.enters_results(request.user):
            raise PermissionDenied(_("Only an agency or an authority imports service results."))

        def refuse(message):
            return Response({"errors": [{"row": 0, "message": message}]}, status=status.HTTP_400_BAD_REQUEST)

        try:
            organization_id, year = int(request.data.get("organization", "")), int(request.data.get("year", ""))
        except (TypeError, ValueError):
            return refuse(_("Give the agency's ID and the year as numbers."))
        organization = Organization.objects.filter(pk=organization_id).first() if 0 < organization_id < 2**63 else None
        if organization is None or not permissions.enters_results_of(request.user, organization):
            return refuse(_("No such agency among those you enter results for."))
        upload = request.FILES.get("file")
        if upload is None:
            return refuse(_("Attach the sheet as 'file'."))
        try:
            count = service_results.import_sheet(actor=request.user, organization=organization, year=year, file=upload)
        except service_results.ImportRejected as exc:
            return Response({"errors": [e.as_dict() for e in exc.errors]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"imported": count}, status=status.HTTP_201_CREATED)


def register(router):
    router.register("evaluation-cycles", CycleViewSet, basename="evaluation-cycle")
    router.register("evaluations", EvaluationViewSet, basename="evaluation")
    router.register("service-results", ServiceResultViewSet, basename="service-result")
