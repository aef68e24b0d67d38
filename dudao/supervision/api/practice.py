"""Practice hours, ability assessments and a supervisor's yearly summary over
the API. Out of scope is a 404, a write the caller may not make a 403 (before
the payload is read), a rule a service enforces a 400."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from dudao.core.api import IdField, service_errors
from dudao.directory.models import Organization, Person
from dudao.pools.models import Entry

from .. import permissions
from ..models import Assessment, Engagement, PracticeLog
from ..practice_forms import FIRST_YEAR, LAST_YEAR, AssessmentFilter, PracticeFilter
from ..selectors import practice as selectors
from ..selectors.summary import supervisor_summary
from ..services import assessments as assessment_services
from ..services import practice as practice_services


class PracticeLogSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = PracticeLog
        fields = [
            "id",
            "supervisor",
            "supervisor_name",
            "organization",
            "organization_name",
            "date",
            "hours",
            "description",
            "status",
            "decided_at",
            "reject_reason",
        ]
        read_only_fields = fields


class PracticeLogRequestSerializer(serializers.Serializer):
    organization = IdField(help_text="ID of the organisation where the practice took place")
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="More than 0, at most 24")
    description = serializers.CharField(max_length=300)


class RejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class AssessmentSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    supervisee_name = serializers.CharField(source="supervisee.name", read_only=True)
    organization = serializers.IntegerField(source="engagement.organization_id", read_only=True)
    scores = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "engagement",
            "organization",
            "supervisor",
            "supervisor_name",
            "supervisee",
            "supervisee_name",
            "year",
            "phase",
            "scores",
            "average",
            "assessed_on",
        ]
        read_only_fields = fields


class AssessmentRequestSerializer(serializers.Serializer):
    engagement = IdField(help_text="ID of an engagement of the caller as supervisor")
    supervisee = IdField(help_text="ID of a person the engagement covers")
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    phase = serializers.ChoiceField(choices=Assessment.Phase.choices)
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text="Every competency item (policy supervision.competencies) with a whole score from 1 to 5",
    )
    assessed_on = serializers.DateField()


class PracticeLogViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """A supervisor's own frontline practice hours, confirmed by the organisation where it happened."""

    serializer_class = PracticeLogSerializer
    filterset_class = PracticeFilter
    ordering_fields = ["date", "hours", "status"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        return selectors.practice_for(self.request.user)

    @extend_schema(request=PracticeLogRequestSerializer, responses={201: PracticeLogSerializer})
    def create(self, request, *args, **kwargs):
        """Log practice hours (a supervisor only)."""
        if permissions.supervisor_person_id(request.user) is None:
            raise PermissionDenied(_("Only a supervisor logs practice hours."))
        payload = PracticeLogRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        organization = Organization.objects.filter(pk=d["organization"]).first()
        if organization is None:
            raise serializers.ValidationError({"organization": [_("No such organisation.")]})
        with service_errors():
            entry = practice_services.log(
                actor=request.user,
                organization=organization,
                date=d["date"],
                hours=d["hours"],
                description=d["description"],
            )
        return Response(self._data(entry), status=status.HTTP_201_CREATED)

    def _data(self, entry):
        return PracticeLogSerializer(
            PracticeLog.objects.select_related("supervisor", "organization").get(pk=entry.pk)
        ).data

    def _decidable(self):
        entry = self.get_object()
        if not permissions.manages_organization(self.request.user, entry.organization_id):
            raise PermissionDenied(_("Only the organisation where the practice took place confirms it."))
        return entry

    @extend_schema(request=None, responses={200: PracticeLogSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        """Confirm the hours (the organisation where the practice took place)."""
        entry = self._decidable()
        with service_errors():
            entry = practice_services.confirm(actor=request.user, log=entry)
        return Response(self._data(entry))

    @extend_schema(request=RejectRequestSerializer, responses={200: PracticeLogSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        """Reject the hours with a reason (the organisation where the practice took place)."""
        entry = self._decidable()
        payload = RejectRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            entry = practice_services.reject(actor=request.user, log=entry, reason=payload.validated_data["reason"])
        return Response(self._data(entry))


class AssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Ability assessments of supervisees at the start and the end of a year."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ["assessed_on", "year", "average"]
    ordering = ["-assessed_on", "-id"]

    def get_queryset(self):
        return selectors.assessments_for(self.request.user)

    @extend_schema(request=AssessmentRequestSerializer, responses={201: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        """Record an assessment (the engagement's supervisor only)."""
        supervisor_id = permissions.supervisor_person_id(request.user)
        if supervisor_id is None:
            raise PermissionDenied(_("Only a supervisor assesses supervisees."))
        payload = AssessmentRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        engagement = get_object_or_404(
            Engagement.objects.select_related("organization__jurisdiction"),
            pk=d["engagement"],
            supervisor_id=supervisor_id,
        )
        supervisee = Person.objects.filter(pk=d["supervisee"]).first()
        if supervisee is None:
            raise serializers.ValidationError({"supervisee": [_("No such person.")]})
        with service_errors():
            assessment = assessment_services.assess(
                actor=request.user,
                engagement=engagement,
                supervisee=supervisee,
                year=d["year"],
                phase=d["phase"],
                scores=dict(d["scores"]),
                assessed_on=d["assessed_on"],
            )
        return Response(
            AssessmentSerializer(self.get_queryset().get(pk=assessment.pk)).data, status=status.HTTP_201_CREATED
        )


class SupervisorSummarySerializer(serializers.Serializer):
    person = serializers.IntegerField()
    year = serializers.IntegerField()
    service_hours = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="Confirmed sessions")
    service_minimum = serializers.DecimalField(max_digits=9, decimal_places=2)
    service_percent = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    practice_hours = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="Confirmed practice logs")
    practice_minimum = serializers.DecimalField(max_digits=9, decimal_places=2)
    practice_percent = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    rating_count = serializers.IntegerField()
    rating_average = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="Null below ratings_needed ratings"
    )
    ratings_needed = serializers.IntegerField()
    assessed_at_start = serializers.IntegerField()
    assessed_both = serializers.IntegerField(help_text="Supervisees assessed at both the start and the end")
    average_gain = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


def _is_supervisor(person) -> bool:
    """In a pool (any level, any status) or engaged as a supervisor: anyone else has no summary."""
    return Entry.objects.filter(person=person).exists() or Engagement.objects.filter(supervisor=person).exists()


class SupervisorSummaryView(APIView):
    """A supervisor's year: supervision and practice hours against the policy
    minimums, the rating average and count, the supervisees' ability gain."""

    @extend_schema(
        parameters=[
            OpenApiParameter("person_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("year", OpenApiTypes.INT, description="A calendar year; this year by default"),
        ],
        responses={200: SupervisorSummarySerializer},
        operation_id="supervisors_summary",
    )
    def get(self, request, person_id):
        person = Person.objects.filter(pk=person_id).first()
        if person is None or not _is_supervisor(person) or not permissions.sees_supervisor(request.user, person):
            raise NotFound
        raw = request.query_params.get("year")
        if raw in (None, ""):
            year = timezone.localdate().year
        else:
            raw = raw.strip()
            if not (raw.isascii() and raw.isdigit()) or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
                raise serializers.ValidationError(
                    {"year": [_("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}]}
                )
            year = int(raw)
        return Response(SupervisorSummarySerializer(supervisor_summary(person, year)).data)


def register(router):
    router.register("practice-hours", PracticeLogViewSet, basename="practice-hours")
    router.register("assessments", AssessmentViewSet, basename="assessment")


urlpatterns = [
    path("supervisors/<int:person_id>/summary/", SupervisorSummaryView.as_view(), name="supervisor-summary"),
]
