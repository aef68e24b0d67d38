from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dudao.accounts.scopes import scope_for
from dudao.core.api import IdField, MultiPartParser, PDFErrorsAsJSON, PDFRenderer, query_id, service_errors
from dudao.directory.models import Jurisdiction
from dudao.directory.selectors import organizations_for, people_for

from . import documents, permissions, selectors, services
from .filters import NominationFilter, TraineeFilter
from .models import Nomination, Round, Trainee, Transition


class RoundSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.filter(is_active=True))
    accepts_submissions = serializers.BooleanField(read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "jurisdiction",
            "year",
            "title",
            "snapshot_date",
            "submission_deadline",
            "district_review_deadline",
            "city_review_deadline",
            "closed_at",
            "accepts_submissions",
        ]
        read_only_fields = ["closed_at"]
        validators = []


class QuotaSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    certified = serializers.IntegerField()
    ratio = serializers.IntegerField()
    quota = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Transition
        fields = ["from_status", "to_status", "actor", "at", "reason"]


class NominationSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    eligibility = RuleSerializer(many=True, read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "round",
            "person",
            "person_name",
            "organization",
            "organization_name",
            "path",
            "category",
            "status",
            "statement",
            "eligibility",
            "submitted_at",
            "decided_at",
            "transitions",
        ]
        read_only_fields = ["status", "eligibility", "submitted_at", "decided_at", "organization"]


class NominationCreateSerializer(serializers.Serializer):
    round = serializers.PrimaryKeyRelatedField(queryset=Round.objects.all())
    person = IdField(help_text="ID of a person on a roster the caller can see")
    path = serializers.ChoiceField(choices=Nomination.Path.choices, default=Nomination.Path.QUOTA)
    category = serializers.ChoiceField(
        choices=Nomination.Category.choices, required=False, allow_blank=True, default=""
    )
    statement = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    submit = serializers.BooleanField(required=False, default=False)


class NominationEditSerializer(serializers.Serializer):
    statement = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    category = serializers.ChoiceField(choices=Nomination.Category.choices, required=False)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[(d, d) for d in services.DECISIONS])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    expected_status = serializers.ChoiceField(
        choices=Nomination.Status.choices, required=False, allow_null=True, default=None
    )


class BatchApproveSerializer(serializers.Serializer):
    nominations = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500, help_text="IDs to approve"
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    expected_status = serializers.ChoiceField(
        choices=Nomination.Status.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Approve only those still in this status (a concurrency guard)",
    )


class BatchOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.CharField(allow_null=True, help_text="The status after the attempt; null if not visible")
    error = serializers.CharField(allow_blank=True)


class BatchResultSerializer(serializers.Serializer):
    approved = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BatchOutcomeSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class TraineeSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    organization = serializers.IntegerField(source="nomination.organization_id", read_only=True)
    organization_name = serializers.CharField(source="nomination.organization.name", read_only=True)
    path = serializers.CharField(source="nomination.path", read_only=True)

    class Meta:
        model = Trainee
        fields = [
            "id",
            "round",
            "person",
            "person_name",
            "organization",
            "organization_name",
            "path",
            "nomination",
            "since",
        ]


class RoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RoundSerializer
    ordering_fields = ["year", "submission_deadline"]
    ordering = ["-year"]

    def get_queryset(self):
        return selectors.rounds_for(self.request.user)

    # Permission first, then the payload: a role that may not write gets 403
    # whatever it sends, not a 400 that describes the validation rules.
    def create(self, request, *args, **kwargs):
        if not permissions.can_manage_rounds(request.user):
            raise PermissionDenied(_("Only the city civil affairs bureau manages nomination rounds."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.open_round(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=ReasonSerializer, responses={200: RoundSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        round_ = self.get_object()
        if not permissions.can_manage_rounds(request.user, round_.jurisdiction):
            raise PermissionDenied(_("Only the city civil affairs bureau manages nomination rounds."))
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            round_ = services.close_round(actor=request.user, round_=round_, **serializer.validated_data)
        return Response(RoundSerializer(round_).data)

    @extend_schema(parameters=[OpenApiParameter("organization", int)], responses={200: QuotaSerializer(many=True)})
    # A plain list: no paging, filtering or ordering parameters (the schema says so too).
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def quota(self, request, pk=None):
        """Quota of each unit the caller may see (or `?organization=<id>`)."""
        round_ = self.get_object()
        organizations = organizations_for(request.user)
        if org := query_id(request, "organization"):
            organizations = [get_object_or_404(organizations, pk=org)]
        else:
            organizations = organizations.filter(pk__in=scope_for(request.user).managed_org_ids)
        rows = []
        for organization in organizations:
            q = selectors.quota_for(round_, organization)
            rows.append(
                {
                    "organization": organization.pk,
                    "certified": q.certified,
                    "ratio": q.ratio,
                    "quota": q.quota,
                    "used": q.used,
                    "remaining": q.remaining,
                }
            )
        return Response(QuotaSerializer(rows, many=True).data)

    @extend_schema(
        responses={
            200: inline_serializer(
                "DistrictSummary",
                {
                    "district": serializers.CharField(),
                    "agencies": serializers.IntegerField(),
                    "certified": serializers.IntegerField(),
                    "quota": serializers.IntegerField(),
                    "nominated": serializers.IntegerField(),
                    "direct": serializers.IntegerField(),
                    "pending": serializers.IntegerField(),
                    "approved": serializers.IntegerField(),
                },
                many=True,
            )
        }
    )
    # A plain list: no paging, filtering or ordering parameters (the schema says so too).
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request, pk=None):
        if not scope_for(request.user).read_paths:
            raise PermissionDenied
        return Response(selectors.district_summary(self.get_object(), request.user))

    @extend_schema(
        parameters=[
            OpenApiParameter("person", int, required=True),
            OpenApiParameter("organization", int),
            OpenApiParameter("path", str),
            OpenApiParameter("category", str),
        ],
        responses={200: RuleSerializer(many=True)},
    )
    # A plain list: no paging, filtering or ordering parameters (the schema says so too).
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def eligibility(self, request, pk=None):
        """Check a person against the round's rules without nominating."""
        round_ = self.get_object()
        person = get_object_or_404(people_for(request.user), pk=query_id(request, "person", required=True))
        organization_id = query_id(request, "organization")
        organization = (
            get_object_or_404(organizations_for(request.user), pk=organization_id)
            if organization_id
            else person.current_employer
        )
        if organization is None:
            raise serializers.ValidationError({"organization": [_("The person has no current employer.")]})
        path = request.query_params.get("path", Nomination.Path.QUOTA)
        results = selectors.checked_eligibility(
            round_, person, organization, path, request.query_params.get("category", "")
        )
        return Response(RuleSerializer([r.as_dict() for r in results], many=True).data)


class NominationViewSet(PDFErrorsAsJSON, viewsets.ReadOnlyModelViewSet):
    serializer_class = NominationSerializer
    filterset_class = NominationFilter
    ordering_fields = ["updated_at", "submitted_at", "status"]
    ordering = ["-updated_at"]

    def get_queryset(self):
        return selectors.nominations_for(self.request.user).prefetch_related("transitions__actor")

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The nomination form (PDF)")
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer], filter_backends=[])
    def form(self, request, pk=None):
        """The 推荐表 as a PDF: the nominee's particulars, the eligibility rule
        by rule, the statement, the reviews, room for seals and signatures."""
        content, filename = documents.nomination_form_for(request.user, pk)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = (
            f"attachment; filename=\"nomination-{pk}.pdf\"; filename*=UTF-8''{quote(filename)}"
        )
        return response

    @extend_schema(request=NominationCreateSerializer, responses={201: NominationSerializer})
    def create(self, request):
        """Create a nomination (a draft; `submit: true` also submits it)."""
        if not permissions.can_nominate_anywhere(request.user):
            raise PermissionDenied(_("You may only nominate for a unit you manage."))
        serializer = NominationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        person = get_object_or_404(people_for(request.user), pk=d["person"])
        employer = person.current_employer
        if employer is None:
            raise serializers.ValidationError({"person": [_("The person has no current employer.")]})
        with service_errors():
            nomination = services.create_nomination(
                actor=request.user,
                round_=d["round"],
                person=person,
                organization=employer,
                path=d["path"],
                category=d["category"],
                statement=d["statement"],
            )
            if d["submit"]:
                nomination = services.submit(actor=request.user, nomination=nomination)
        return Response(
            NominationSerializer(self.get_queryset().get(pk=nomination.pk)).data, status=status.HTTP_201_CREATED
        )

    def _owned(self):
        """The unit's own nomination (else 403), checked before the payload."""
        nomination = self.get_object()
        if not permissions.can_nominate(
            self.request.user, nomination.organization, nomination.path, nomination.category
        ):
            raise PermissionDenied(_("Only the nominating unit may change this nomination."))
        return nomination

    @extend_schema(request=NominationEditSerializer, responses={200: NominationSerializer})
    def partial_update(self, request, pk=None):
        nomination = self._owned()
        serializer = NominationEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        with service_errors():
            services.update_nomination(
                actor=request.user, nomination=nomination, statement=d.get("statement"), category=d.get("category")
            )
        return Response(NominationSerializer(self.get_queryset().get(pk=nomination.pk)).data)

    def _respond(self, nomination):
        return Response(NominationSerializer(self.get_queryset().get(pk=nomination.pk)).data)

    @extend_schema(request=None, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        with service_errors():
            return self._respond(services.submit(actor=request.user, nomination=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        nomination = self._owned()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            return self._respond(
                services.withdraw(actor=request.user, nomination=nomination, **serializer.validated_data)
            )

    @extend_schema(request=ReviewSerializer, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """approve, return (for revision) or reject at the stage the caller reviews."""
        nomination = self.get_object()
        if not permissions.reviews(request.user, nomination):
            raise PermissionDenied(_("You do not review nominations at this stage."))
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            return self._respond(
                services.review(actor=request.user, nomination=nomination, **serializer.validated_data)
            )

    @extend_schema(request=BatchApproveSerializer, responses={200: BatchResultSerializer})
    @action(detail=False, methods=["post"], url_path="approve-batch")
    def approve_batch(self, request):
        """Approve several nominations at the stage the caller reviews. Each goes
        through the same review as one by one and is audited on its own; the
        answer lists every item with its outcome (an ID the caller cannot see is
        reported as not found, without saying whether it exists)."""
        if not permissions.queue_stages(request.user):
            raise PermissionDenied(_("You do not review nominations."))
        serializer = BatchApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        ids = list(dict.fromkeys(d["nominations"]))
        visible = selectors.nominations_for(request.user).in_bulk(ids)
        outcomes = services.approve_many(
            actor=request.user,
            nominations=[(visible.get(pk), pk, d["expected_status"]) for pk in ids],
            reason=d["reason"],
        )
        after = dict(Nomination.objects.filter(pk__in=visible).values_list("pk", "status"))
        results = [
            {"id": o.nomination_id, "ok": o.ok, "status": after.get(o.nomination_id), "error": o.error}
            for o in outcomes
        ]
        approved = sum(1 for o in outcomes if o.ok)
        return Response(
            BatchResultSerializer({"approved": approved, "failed": len(outcomes) - approved, "results": results}).data
        )

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "EvidenceUpload",
                {"file": serializers.FileField(), "description": serializers.CharField(required=False)},
            )
        },
        responses={
            201: inline_serializer(
                "EvidenceResult", {"id": serializers.IntegerField(), "name": serializers.CharField()}
            )
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request, pk=None):
        nomination = self._owned()
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Attach the file as 'file'.")]})
        with service_errors():
            evidence = services.add_evidence(
                actor=request.user,
                nomination=nomination,
                upload=upload,
                description=request.data.get("description", ""),
            )
        return Response({"id": evidence.pk, "name": evidence.original_name}, status=status.HTTP_201_CREATED)


class TraineeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TraineeSerializer
    filterset_class = TraineeFilter
    ordering_fields = ["since"]
    ordering = ["person_name", "id"]

    def get_queryset(self):
        return selectors.trainees_for(self.request.user)
