"""Need against supply, ranked candidates, coverage per agency and the
city-wide supervisor directory over the API."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from dudao.core import paging
from dudao.pools.models import Entry

from .. import matching, permissions
from .. import need as need_rules
from ..coverage_filters import CoverageFilter, DirectoryFilter
from ..models import Engagement, OrganizationCoverage
from ..selectors import coverage as selectors

HOURS = {"max_digits": 9, "decimal_places": 2}
PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Page number (from 1)"),
    OpenApiParameter("page_size", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Rows per page (1–200)"),
]
ORG_PARAMETER = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Organisation ID")


def _page_size(request, default=25) -> int:
    try:
        return min(max(int(request.query_params.get("page_size", default)), 1), 200)
    except (TypeError, ValueError):
        return default


def _page(rows: list, request):
    """A page of an in-memory list (the ranking is computed whole to be sorted)."""
    size = _page_size(request)
    number = paging.page_number(request.query_params.get("page"), size)
    start = (number - 1) * size
    if start and start >= len(rows):
        raise NotFound(_("There is no such page."))
    return rows[start : start + size], number, start + size < len(rows), start


# --- supervision need ----------------------------------------------------------------------


class StaffLineSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(source="person.name")
    type = serializers.CharField(help_text="new, intern, frontline or other")
    corrected = serializers.BooleanField(help_text="The agency corrected the type read from the data")
    covered_by = serializers.ListField(
        child=serializers.CharField(), help_text="Names of the supervisors covering them"
    )
    need_month = serializers.DecimalField(**HOURS)
    received_month = serializers.DecimalField(**HOURS)
    need_year = serializers.DecimalField(**HOURS, help_text="Monthly need times the months of the year so far")
    received_year = serializers.DecimalField(**HOURS)


class LiveEngagementSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name")

    class Meta:
        model = Engagement
        fields = ["id", "supervisor", "supervisor_name", "kind", "hours_per_month", "covers_all_staff", "ends_on"]


class NeedSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.pk")
    organization_name = serializers.CharField(source="organization.name")
    on = serializers.DateField()
    rates = serializers.DictField(
        child=serializers.DecimalField(**HOURS), help_text="Monthly hours per supervisee type (policy)"
    )
    staff = serializers.IntegerField()
    need_hours = serializers.DecimalField(**HOURS)
    supply_hours = serializers.DecimalField(**HOURS)
    internal_hours = serializers.DecimalField(**HOURS)
    external_hours = serializers.DecimalField(**HOURS)
    received_hours = serializers.DecimalField(**HOURS, help_text="Confirmed hours received by the staff this month")
    uncovered = serializers.IntegerField(help_text="Staff needing supervision whom no live engagement covers")
    shortfall = serializers.DecimalField(**HOURS)
    internal_enough = serializers.BooleanField(help_text="Internal supply alone meets the need")
    engagements = LiveEngagementSerializer(many=True)
    lines = StaffLineSerializer(many=True, help_text="One page of the staff (`page`, `page_size`)")
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()


class SupervisionNeedView(APIView):
    """An agency's supervision need against its supply and each staff member's
    coverage: to the agency and the jurisdictions watching it."""

    @extend_schema(parameters=[ORG_PARAMETER, *PAGE_PARAMETERS], responses={200: NeedSerializer})
    def get(self, request, pk):
        organization = selectors.organization_for(request.user, pk)
        need = need_rules.need_of(organization)
        staff = selectors.staff_of(organization).order_by("name", "pk")
        size = _page_size(request)
        number = paging.page_number(request.query_params.get("page"), size)
        page = paging.page(staff, number, size, with_count=False, clamp=False)
        if not page.object_list and number > 1:
            raise NotFound(_("There is no such page."))
        data = NeedSerializer(
            {
                **{
                    name: getattr(need, name)
                    for name in (
                        "organization",
                        "on",
                        "rates",
                        "staff",
                        "need_hours",
                        "supply_hours",
                        "internal_hours",
                        "external_hours",
                        "received_hours",
                        "uncovered",
                        "shortfall",
                        "internal_enough",
                        "engagements",
                    )
                },
                "lines": need.lines(page.object_list),
                "page": page.number,
                "has_next": page.has_next(),
            }
        ).data
        return Response(data)


# --- candidates ------------------------------------------------------------------------------


class FactorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="领域匹配, 同区优先, 本市选拔, 服务余量 or 考评等级")
    score = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="0 to 1")
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    words = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    place = serializers.IntegerField()
    entry = serializers.IntegerField(help_text="Pool entry ID: propose an engagement with it")
    entry_number = serializers.CharField()
    supervisor = serializers.IntegerField(help_text="Person ID")
    name = serializers.CharField()
    level = serializers.CharField(help_text="city or district")
    home_district = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())
    total = serializers.DecimalField(max_digits=7, decimal_places=2)
    spare_capacity = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="0 (full) to 1")
    factors = FactorSerializer(many=True)


class RankingSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    internal_enough = serializers.BooleanField(help_text="Internal supply already meets the need: say so first")
    message = serializers.CharField()
    wanted_domains = serializers.ListField(child=serializers.CharField())
    candidates = CandidateSerializer(many=True, help_text="One page of the ranking (`page`, `page_size`)")
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()


class CandidatesView(APIView):
    """The supervisors an agency short of supervision may hire, ranked and
    explained factor by factor (agency admins of the organisation only)."""

    @extend_schema(parameters=[ORG_PARAMETER, *PAGE_PARAMETERS], responses={200: RankingSerializer})
    def get(self, request, pk):
        organization = selectors.organization_for(request.user, pk)
        if not permissions.manages_organization(request.user, organization.pk):
            raise PermissionDenied(_("Only the agency itself hires supervisors for it."))
        ranking = matching.candidates(organization=organization)
        rows, number, has_next, start = _page(ranking.candidates, request)
        candidates = [{**c.as_dict(), "place": start + i} for i, c in enumerate(rows, start=1)]
        return Response(
            RankingSerializer(
                {
                    "organization": organization.pk,
                    "internal_enough": ranking.internal_enough,
                    "message": ranking.message,
                    "wanted_domains": [d.name for d in ranking.wanted_domains],
                    "candidates": candidates,
                    "count": len(ranking.candidates),
                    "page": number,
                    "has_next": has_next,
                }
            ).data
        )


# --- coverage per agency ----------------------------------------------------------------


class CoverageSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    district = serializers.CharField(source="organization.jurisdiction.name")

    class Meta:
        model = OrganizationCoverage
        fields = [
            "organization",
            "organization_name",
            "district",
            "month",
            "staff",
            "need_hours",
            "supply_hours",
            "internal_hours",
            "received_hours",
            "uncovered",
            "shortfall",
            "refreshed_at",
        ]
        read_only_fields = fields


class CoverageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Need against supply per organisation, worst first: a district's
    agencies, a city's; an agency sees its own row."""

    serializer_class = CoverageSerializer
    filterset_class = CoverageFilter
    ordering_fields = ["shortfall", "uncovered", "need_hours"]
    ordering = ["-shortfall", "-organization_id"]

    def get_queryset(self):
        return selectors.coverage_rows_for(self.request.user, with_own=True)


# --- the supervisor directory -----------------------------------------------------------


class DirectorySerializer(serializers.ModelSerializer):
    """Public fields only: never the ID number, the phone or the employer."""

    name = serializers.CharField(source="person.name")
    pool = serializers.CharField(source="jurisdiction.name")
    home_district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    home_district_name = serializers.CharField(source="home_district.name")
    domains = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    spare_hours = serializers.DecimalField(source="capacity.spare_hours", max_digits=7, decimal_places=1)
    spare_supervisees = serializers.IntegerField(source="capacity.spare_supervisees")
    spare_capacity = serializers.SerializerMethodField(help_text="0 (full) to 1")
    grade = serializers.SerializerMethodField(help_text="Latest evaluation grade; null until evaluations exist")

    class Meta:
        model = Entry
        fields = [
            "id",
            "entry_number",
            "name",
            "level",
            "pool",
            "home_district",
            "home_district_name",
            "domains",
            "spare_hours",
            "spare_supervisees",
            "spare_capacity",
            "grade",
        ]
        read_only_fields = fields

    def get_spare_capacity(self, entry) -> float:
        return float(round(entry.capacity.spare, 2))

    def get_grade(self, entry) -> str | None:
        return None if entry.grade is None else str(entry.grade)


class SupervisorDirectoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Available supervisors of the city pool and the district pools of the
    caller's city, for agencies, districts and the city."""

    serializer_class = DirectorySerializer
    filterset_class = DirectoryFilter
    ordering_fields = ["entry_number"]
    ordering = ["entry_number"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Entry.objects.none()
        if not permissions.uses_directory(self.request.user):
            raise PermissionDenied(_("The supervisor directory is for agencies, districts and the city."))
        return selectors.directory_for(self.request.user)

    def decorate(self, rows):
        return selectors.with_capacity(rows)


def register(router):
    router.register("supervision-coverage", CoverageViewSet, basename="supervision-coverage")
    router.register("supervisors", SupervisorDirectoryViewSet, basename="supervisor-directory")


urlpatterns = [
    path("organizations/<int:pk>/supervision-need/", SupervisionNeedView.as_view(), name="supervision-need"),
    path("organizations/<int:pk>/candidates/", CandidatesView.as_view(), name="supervision-candidates"),
]
