"""Engagements over the API: the scoped list with filters, a new engagement
(internal at once, external as a proposal), the actions of each party, and the
agreement as a PDF. Out of scope is 404; a party that may see but not act, 403."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dudao.core.api import IdField, service_errors
from dudao.directory.models import Organization, Person
from dudao.pools.api import PDFRenderer
from dudao.pools.models import Entry

from .. import agreement, permissions
from ..engagement_filters import EngagementFilter
from ..models import Engagement
from ..selectors import engagements as selectors
from ..services import engagements as services


class EngagementSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    home_organization_name = serializers.SerializerMethodField()
    entry_number = serializers.CharField(source="entry.entry_number", read_only=True)
    supervisees = serializers.SerializerMethodField(help_text="IDs of the supervisees; empty when covering all staff")
    functions = serializers.ListField(child=serializers.CharField(), read_only=True)
    agreement_confirmed = serializers.BooleanField(read_only=True)
    actions = serializers.SerializerMethodField(help_text="What the caller may do with the engagement now")

    class Meta:
        model = Engagement
        fields = [
            "id",
            "supervisor",
            "supervisor_name",
            "entry",
            "entry_number",
            "organization",
            "organization_name",
            "home_organization",
            "home_organization_name",
            "kind",
            "status",
            "starts_on",
            "ends_on",
            "hours_per_month",
            "covers_all_staff",
            "supervisees",
            "goals",
            "frequency",
            "functions",
            "confidentiality",
            "subsidy_basis",
            "agency_confirmed_at",
            "supervisor_confirmed_at",
            "agreement_confirmed",
            "decided_at",
            "decline_reason",
            "ended_on",
            "end_reason",
            "actions",
        ]
        read_only_fields = fields

    def get_home_organization_name(self, e) -> str | None:
        return e.home_organization.name if e.home_organization_id else None

    def get_supervisees(self, e) -> list[int]:
        return [p.pk for p in e.supervisees.all()]

    def get_actions(self, e) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        allowed = selectors.actions_for(request.user, e)
        names = {
            "accept": "accept",
            "decline": "decline",
            "withdraw": "withdraw",
            "end": "end",
            "confirm": "confirm-agreement",
            "change_agreement": "change-agreement",
        }
        return [name for field, name in names.items() if getattr(allowed, field)]


class EngagementCreateSerializer(serializers.Serializer):
    organization = IdField(help_text="ID of the using organisation (one the caller administers)")
    entry = IdField(help_text="ID of the supervisor's pool entry")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    hours_per_month = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal(9999)
    )
    covers_all_staff = serializers.BooleanField(default=False)
    supervisees = serializers.ListField(
        child=IdField(), required=False, default=list, max_length=500, help_text="IDs of current staff members"
    )
    goals = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    frequency = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    functions = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        default=list,
        max_length=20,
        help_text="From the policy list supervision.functions",
    )
    confidentiality = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    subsidy_basis = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EngagementDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class EngagementWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EngagementEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(help_text="The last day; today or earlier, within the term")
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Required when ending early"
    )


class EngagementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Engagements of supervisors the caller may see: the supervisor their own,
    an agency those it uses and those of its own supervisors, a district or
    the city those used under it."""

    serializer_class = EngagementSerializer
    filterset_class = EngagementFilter
    ordering_fields = ["starts_on", "ends_on", "hours_per_month"]
    ordering = ["-starts_on", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Engagement.objects.none()
        if self.action == "list" and not selectors.reads_engagements(self.request.user):
            raise PermissionDenied(_("Your role does not read supervisor engagements."))
        return selectors.engagements_for(self.request.user).prefetch_related(
            Prefetch("supervisees", queryset=Person.objects.only("pk"))
        )

    def finalize_response(self, request, response, *args, **kwargs):
        # A refusal is JSON and says so, even when the client asked for the PDF.
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), PDFRenderer):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def _respond(self, engagement, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=engagement.pk)
        return Response(EngagementSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _refuse_unless(self, allowed: bool):
        if not allowed:
            raise PermissionDenied(_("You may not do this with this engagement."))

    @extend_schema(request=EngagementCreateSerializer, responses={201: EngagementSerializer})
    def create(self, request):
        """Engage a supervisor: one of the organisation's own (active at once) or
        one from the city or a district pool (a proposal the supervisor answers)."""
        managed = permissions.managed_org_ids(request.user)
        if not managed:
            raise PermissionDenied(_("Only an agency's administrator engages supervisors for it."))
        serializer = EngagementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        organization = get_object_or_404(Organization.objects.filter(pk__in=managed), pk=d.pop("organization"))
        entry = Entry.objects.select_related("person").filter(pk=d.pop("entry")).first()
        if entry is None:
            raise serializers.ValidationError({"entry": [_("There is no such pool entry.")]})
        ids = list(dict.fromkeys(d.pop("supervisees")))
        people = list(Person.objects.filter(pk__in=ids))
        if len(people) != len(ids):
            raise serializers.ValidationError({"supervisees": [_("Some of these people do not exist.")]})
        kind = selectors.kind_for(organization, entry)
        make = services.engage_internal if kind == Engagement.Kind.INTERNAL else services.propose
        with service_errors():
            engagement = make(actor=request.user, organization=organization, entry=entry, supervisees=people, **d)
        return self._respond(engagement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EngagementSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The supervisor accepts a proposal."""
        engagement = self.get_object()
        self._refuse_unless(permissions.is_supervisor_of(request.user, engagement))
        with service_errors():
            engagement = services.accept(actor=request.user, engagement=engagement)
        return self._respond(engagement)

    @extend_schema(request=EngagementDeclineSerializer, responses={200: EngagementSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The supervisor declines a proposal, with a reason."""
        engagement = self.get_object()
        self._refuse_unless(permissions.is_supervisor_of(request.user, engagement))
        serializer = EngagementDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            engagement = services.decline(actor=request.user, engagement=engagement, **serializer.validated_data)
        return self._respond(engagement)

    @extend_schema(request=EngagementWithdrawSerializer, responses={200: EngagementSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The using agency withdraws a proposal not yet answered."""
        engagement = self.get_object()
        self._refuse_unless(permissions.uses(request.user, engagement))
        serializer = EngagementWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            engagement = services.withdraw(actor=request.user, engagement=engagement, **serializer.validated_data)
        return self._respond(engagement)

    @extend_schema(request=EngagementEndSerializer, responses={200: EngagementSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Either party ends an active engagement; before its agreed end only with a reason."""
        engagement = self.get_object()
        self._refuse_unless(
            permissions.uses(request.user, engagement) or permissions.is_supervisor_of(request.user, engagement)
        )
        serializer = EngagementEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            engagement = services.end(actor=request.user, engagement=engagement, **serializer.validated_data)
        return self._respond(engagement)

    @extend_schema(request=None, responses={200: EngagementSerializer})
    @action(detail=True, methods=["post"], url_path="confirm-agreement", url_name="confirm-agreement")
    def confirm_agreement(self, request, pk=None):
        """The caller's side confirms the agreement; the time is the server's."""
        engagement = self.get_object()
        self._refuse_unless(
            permissions.uses(request.user, engagement) or permissions.is_supervisor_of(request.user, engagement)
        )
        with service_errors():
            engagement = services.confirm_agreement(actor=request.user, engagement=engagement)
        return self._respond(engagement)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The supervision agreement (PDF)"
            )
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer], filter_backends=[])
    def agreement(self, request, pk=None):
        """The supervision agreement as a PDF."""
        engagement = self.get_object()
        response = HttpResponse(agreement.render(engagement), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="agreement-{engagement.pk}.pdf"'
        return response


def register(router):
    router.register("engagements", EngagementViewSet, basename="engagement")
