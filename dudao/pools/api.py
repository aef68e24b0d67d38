"""The talent pools over the API: the search, status changes, certificates,
district admissions, internal designations, and the public verification."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from dudao.core.api import IdField, PDFRenderer, query_id, service_errors
from dudao.directory.models import ServiceDomain
from dudao.directory.selectors import organizations_for, people_for
from dudao.selection import eligibility
from dudao.selection.api import RuleSerializer

from . import certificates, selectors, services
from . import permissions as pool_permissions
from .filters import EntryFilter
from .models import Entry, StatusChange
from .throttling import VerifyThrottle

STATUS_HELP = "active, suspended, retired or expired"


class StatusChangeSerializer(serializers.ModelSerializer):
    # Plain strings: the status enum is documented once, on PoolEntry.status.
    from_status = serializers.CharField(read_only=True, help_text=f"Empty for the admission; else {STATUS_HELP}")
    to_status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "reason", "actor", "at"]


class PoolEntrySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The city or district whose pool this is"
    )
    organization_name = serializers.SerializerMethodField()
    home_district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    home_district_name = serializers.CharField(source="home_district.name", read_only=True)
    domains = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    status = serializers.ChoiceField(
        source="effective_status",
        choices=Entry.Status.choices,
        read_only=True,
        help_text="As of today: an active entry past its term is expired",
    )
    available = serializers.SerializerMethodField(help_text="Active and within the term")
    history = StatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "person",
            "person_name",
            "level",
            "jurisdiction",
            "organization",
            "organization_name",
            "home_district",
            "home_district_name",
            "entry_number",
            "verification_code",
            "admitted_on",
            "certificate_issued_on",
            "expires_on",
            "domains",
            "status",
            "available",
            "source",
            "history",
        ]
        read_only_fields = fields

    def get_organization_name(self, entry) -> str | None:
        return entry.organization.name if entry.organization_id else None

    def get_available(self, entry) -> bool:
        return selectors.is_available(entry)


class StatusChangeRequestSerializer(serializers.Serializer):
    # Expired is reached only by the term running out, never by request.
    to_status = serializers.ChoiceField(
        choices=[
            (s, Entry.Status(s).label) for s in (Entry.Status.ACTIVE, Entry.Status.SUSPENDED, Entry.Status.RETIRED)
        ]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _domains_field():
    return serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=ServiceDomain.objects.filter(is_active=True),
        help_text="Service domain codes; by default the person's own",
    )


class DistrictAdmissionSerializer(serializers.Serializer):
    person = IdField(help_text="ID of a person working at a unit in the caller's district")
    domains = _domains_field()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class InternalDesignationSerializer(serializers.Serializer):
    organization = IdField(help_text="ID of the agency the caller administers")
    person = IdField(help_text="ID of a current staff member of that agency")
    domains = _domains_field()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class PublicVerificationSerializer(serializers.Serializer):
    """Only these six fields: nothing that identifies the person further."""

    name = serializers.CharField()
    entry_number = serializers.CharField()
    level = serializers.CharField(help_text="city, district or agency")
    status = serializers.CharField(help_text=f"As of today: {STATUS_HELP}")
    term_start = serializers.DateField()
    term_end = serializers.DateField()


def _entry_queryset(user):
    return selectors.entries_for(user).prefetch_related(
        Prefetch("history", queryset=StatusChange.objects.select_related("actor"))
    )


class PoolEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Every pool entry the caller may see: the city pool, district pools and
    agencies' internal supervisors."""

    serializer_class = PoolEntrySerializer
    filterset_class = EntryFilter
    ordering_fields = ["entry_number", "admitted_on", "expires_on"]
    ordering = ["entry_number"]

    def get_queryset(self):
        return _entry_queryset(self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        # A refusal is JSON and says so, even when the client asked for the PDF
        # (?format=pdf): a "PDF" holding a JSON error would mislead a client.
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), PDFRenderer):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def _respond(self, entry):
        return Response(PoolEntrySerializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(request=StatusChangeRequestSerializer, responses={200: PoolEntrySerializer})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Change the status (keeper of the pool only); a reason is required."""
        entry = self.get_object()
        # Permission first, then the payload: a refusal is never a form error.
        if not pool_permissions.can_keep(request.user, entry):
            raise PermissionDenied(_("Only the keeper of this pool changes its entries."))
        serializer = StatusChangeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            entry = services.change_status(actor=request.user, entry=entry, **serializer.validated_data)
        return self._respond(entry)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The certificate of admission (PDF)"
            )
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer], filter_backends=[])
    def certificate(self, request, pk=None):
        """The certificate of admission as a PDF, with the entry number and the verification code."""
        entry = self.get_object()
        response = HttpResponse(certificates.render(entry), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{entry.entry_number}.pdf"'
        return response


class DistrictAdmissionViewSet(viewsets.GenericViewSet):
    """A district admits a supervisor to its pool under the district's rules."""

    serializer_class = DistrictAdmissionSerializer
    queryset = Entry.objects.none()
    pagination_class = None
    filter_backends = []

    def _districts(self):
        districts = selectors.admitting_districts(self.request.user)
        if not districts.exists():
            raise PermissionDenied(_("A district admits supervisors to its own pool."))
        return districts

    def _person_and_district(self, person_id):
        districts = self._districts()
        person = get_object_or_404(people_for(self.request.user), pk=person_id)
        return person, selectors.district_for(self.request.user, person) or districts.first()

    @extend_schema(request=DistrictAdmissionSerializer, responses={201: PoolEntrySerializer})
    def create(self, request):
        self._districts()  # the role before the payload
        serializer = DistrictAdmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        person, district = self._person_and_district(d["person"])
        with service_errors():
            entry = services.admit_to_district_pool(
                actor=request.user, person=person, district=district, domains=d.get("domains") or (), reason=d["reason"]
            )
        return Response(
            PoolEntrySerializer(_entry_queryset(request.user).get(pk=entry.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        parameters=[OpenApiParameter("person", int, required=True)],
        responses={
            200: inline_serializer(
                "DistrictRulesCheck",
                {
                    "district": serializers.CharField(),
                    "eligible": serializers.BooleanField(),
                    "rules": RuleSerializer(many=True),
                },
            )
        },
    )
    @action(detail=False, methods=["get"])
    def check(self, request):
        """The district's rules checked one by one for a person, without admitting."""
        person_id = query_id(request, "person", required=True)
        person, district = self._person_and_district(person_id)
        results = services.district_rules_check(person, district)
        return Response(
            {
                "district": district.code,
                "eligible": eligibility.all_passed(results),
                "rules": RuleSerializer([r.as_dict() for r in results], many=True).data,
            }
        )


class InternalDesignationViewSet(viewsets.GenericViewSet):
    """An agency designates one of its current staff an internal supervisor."""

    serializer_class = InternalDesignationSerializer
    queryset = Entry.objects.none()
    pagination_class = None
    filter_backends = []

    @extend_schema(request=InternalDesignationSerializer, responses={201: PoolEntrySerializer})
    def create(self, request):
        # The role before the payload.
        if not selectors.designating_organizations(request.user).exists():
            raise PermissionDenied(_("An agency designates its own internal supervisors."))
        serializer = InternalDesignationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        organization = get_object_or_404(organizations_for(request.user), pk=d["organization"])
        person = get_object_or_404(people_for(request.user), pk=d["person"])
        with service_errors():
            entry = services.designate_internal(
                actor=request.user,
                organization=organization,
                person=person,
                domains=d.get("domains") or (),
                reason=d["reason"],
            )
        return Response(
            PoolEntrySerializer(_entry_queryset(request.user).get(pk=entry.pk)).data, status=status.HTTP_201_CREATED
        )


class VerificationViewSet(viewsets.GenericViewSet):
    """Public: verify a certificate by its code. No authentication; answers
    only name, entry number, level, status and term."""

    serializer_class = PublicVerificationSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [VerifyThrottle]
    pagination_class = None
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code", str, OpenApiParameter.PATH, description="The 16-character code printed on the certificate"
            )
        ],
        responses={
            200: PublicVerificationSerializer,
            404: OpenApiResponse(description="No certificate with this code"),
        },
        auth=[],
    )
    def retrieve(self, request, code=None):
        record = selectors.public_record(code)
        if record is None:
            raise NotFound(_("No certificate with this verification code was found."))
        return Response(
            PublicVerificationSerializer(
                {
                    "name": record.name,
                    "entry_number": record.entry_number,
                    "level": record.level,
                    "status": record.status,
                    "term_start": record.term_start,
                    "term_end": record.term_end,
                }
            ).data
        )


def register(router):
    """Add this app's API viewsets to the /api/v1/ router."""
    router.register("pool-entries", PoolEntryViewSet, basename="pool-entry")
    router.register("pool-district-admissions", DistrictAdmissionViewSet, basename="pool-district-admission")
    router.register("pool-internal-designations", InternalDesignationViewSet, basename="pool-internal-designation")
    router.register("verify", VerificationViewSet, basename="pool-verify")
