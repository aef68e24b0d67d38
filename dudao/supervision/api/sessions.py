"""Supervision records over the API: the list per way in (`view`), recording,
confirming with a rating, disputing, resolving; an engagement's month signed
off and reopened; ratings only as aggregates, never per supervisee."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from dudao.core.api import IdField, query_id, service_errors
from dudao.directory.models import Organization, Person

from .. import permissions
from ..models import Attendance, MonthSignOff, Session, SuperviseeType
from ..selectors import sessions as selectors
from ..services import sessions as services
from ..views.sessions import SessionFilter, parse_month


class SupervisionAttendanceSerializer(serializers.ModelSerializer):
    """A supervisee present and their confirmation; never their rating."""

    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "person",
            "person_name",
            "supervisee_type",
            "status",
            "confirmed_at",
            "dispute_reason",
            "disputed_at",
            "resolution",
            "resolution_upheld",
            "resolved_at",
        ]
        read_only_fields = fields


class SupervisionSessionSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    start_time = serializers.SerializerMethodField(help_text="HH:MM, local time")
    functions = serializers.ListField(child=serializers.CharField(), read_only=True)
    notes = serializers.SerializerMethodField(
        help_text="Null for readers who may not read the notes (the home agency, the authorities)"
    )
    attendances = SupervisionAttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "engagement",
            "supervisor",
            "supervisor_name",
            "organization",
            "organization_name",
            "date",
            "start_time",
            "duration_minutes",
            "month",
            "form",
            "functions",
            "topics",
            "notes",
            "status",
            "attendances",
        ]
        read_only_fields = fields

    def get_start_time(self, session) -> str:
        return session.start_time.strftime("%H:%M")

    def get_notes(self, session) -> str | None:
        return session.notes if self.context.get("notes") else None


class LocalTimeField(serializers.CharField):
    """A time of day as HH:MM, local: no offset, which a session's time has none of."""

    PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
    default_error_messages = {"invalid": gettext_lazy("Give the time as HH:MM.")}

    def __init__(self, **kwargs):
        super().__init__(help_text="HH:MM, local time", **kwargs)

    def to_internal_value(self, data):
        match = self.PATTERN.match(super().to_internal_value(data))
        if match is None:
            self.fail("invalid")
        return dt.time(int(match[1]), int(match[2]))


class SupervisionSessionCreateSerializer(serializers.Serializer):
    engagement = IdField(help_text="An active engagement the caller supervises under")
    date = serializers.DateField()
    start_time = LocalTimeField()
    duration_minutes = serializers.IntegerField(min_value=0, max_value=32767)
    form = serializers.ChoiceField(choices=Session.Form.choices)
    functions = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20)
    supervisees = serializers.ListField(
        child=IdField(), max_length=200, help_text="Person ids of the supervisees present"
    )
    supervisee_types = serializers.DictField(
        child=serializers.ChoiceField(choices=SuperviseeType.choices),
        required=False,
        help_text="Corrections of the type read from the data, by person id",
    )
    topics = serializers.CharField(max_length=300)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class SupervisionSessionChangeSerializer(SupervisionSessionCreateSerializer):
    """Any of the record's terms, to correct a session nobody has confirmed yet."""

    engagement = None
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "reason":
                field.required = False
        self.fields["notes"].default = serializers.empty


class SupervisionSessionDeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class SupervisionConfirmSerializer(serializers.Serializer):
    """The time of the confirmation is the server's: any time sent is ignored."""

    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class SupervisionDisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class SupervisionResolveSerializer(serializers.Serializer):
    attendance = IdField(help_text="The disputed attendance of this session")
    upheld = serializers.BooleanField(help_text="Whether the session stands as recorded")
    resolution = serializers.CharField(max_length=300)


def _types_by_person(raw) -> dict:
    kinds = {}
    for key, kind in (raw or {}).items():
        if not (str(key).isascii() and str(key).isdigit()):
            raise serializers.ValidationError({"supervisee_types": [_("Key each type by a person id.")]})
        kinds[int(key)] = kind
    return kinds


def _prefetched(queryset):
    return queryset.prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("person").order_by("pk"))
    )


class SupervisionSessionViewSet(viewsets.GenericViewSet):
    """Supervision sessions the caller may read (督导记录)."""

    serializer_class = SupervisionSessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["date"]
    ordering = ["-date", "-start_time"]
    queryset = Session.objects.none()

    def _view(self):
        return selectors.view_named(self.request.user, self.request.query_params.get("view"))

    def get_queryset(self):
        view = self._view()
        if view is None:
            return Session.objects.none()
        return _prefetched(selectors.sessions_for(self.request.user, view.key))

    def list(self, request):
        view = self._view()
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context() | {"notes": bool(view and view.notes)}
        return self.get_paginated_response(SupervisionSessionSerializer(page, many=True, context=context).data)

    def _visible(self, pk):
        return selectors.visible_session(self.request.user, pk)

    def _respond(self, pk, code=status.HTTP_200_OK):
        seen = self._visible(pk)
        session = _prefetched(Session.objects.select_related("supervisor", "organization")).get(pk=seen.session.pk)
        return Response(SupervisionSessionSerializer(session, context={"notes": seen.notes}).data, status=code)

    def retrieve(self, request, pk=None):
        return self._respond(pk)

    @extend_schema(request=SupervisionSessionCreateSerializer, responses={201: SupervisionSessionSerializer})
    def create(self, request):
        """The supervisor records a session under an active engagement."""
        if permissions.supervisor_person_id(request.user) is None:
            raise PermissionDenied(_("Only the engagement's supervisor records its sessions."))
        serializer = SupervisionSessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        engagement = selectors.engagement_for(request.user, d["engagement"])
        if not permissions.is_supervisor_of(request.user, engagement):
            raise PermissionDenied(_("Only the engagement's supervisor records its sessions."))
        supervisees = self._people(d["supervisees"])
        kinds = _types_by_person(d.get("supervisee_types"))
        with service_errors():
            session = services.record(
                actor=request.user,
                engagement=engagement,
                date=d["date"],
                start_time=d["start_time"],
                duration_minutes=d["duration_minutes"],
                form=d["form"],
                functions=d["functions"],
                supervisees=supervisees,
                topics=d["topics"],
                notes=d["notes"],
                supervisee_types=kinds,
            )
        return self._respond(session.pk, status.HTTP_201_CREATED)

    def _as_supervisor(self, pk):
        seen = self._visible(pk)
        if not permissions.is_supervisor_of(self.request.user, seen.session.engagement):
            raise PermissionDenied(_("Only the engagement's supervisor records its sessions."))
        return seen.session

    def _people(self, ids):
        people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
        if missing := [pk for pk in ids if pk not in people]:
            raise serializers.ValidationError(
                {"supervisees": [_("No such person: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]}
            )
        return [people[pk] for pk in ids]

    @extend_schema(request=SupervisionSessionChangeSerializer, responses={200: SupervisionSessionSerializer})
    def partial_update(self, request, pk=None):
        """The supervisor corrects a session nobody has confirmed yet, in a month not signed off."""
        session = self._as_supervisor(pk)
        serializer = SupervisionSessionChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        reason = d.pop("reason", "")
        kinds = _types_by_person(d.pop("supervisee_types", None))
        if "supervisees" in d:
            d["supervisees"] = self._people(d["supervisees"])
        with service_errors():
            services.update(actor=request.user, session=session, reason=reason, supervisee_types=kinds, **d)
        return self._respond(pk)

    @extend_schema(request=SupervisionSessionDeleteSerializer, responses={204: None})
    def destroy(self, request, pk=None):
        """The supervisor withdraws a session nobody has confirmed yet, in a month not signed off."""
        session = self._as_supervisor(pk)
        serializer = SupervisionSessionDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.delete(actor=request.user, session=session, reason=serializer.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _as_supervisee(self, pk):
        seen = self._visible(pk)
        if not seen.attended:
            raise PermissionDenied(_("Only a supervisee present at the session confirms or disputes it."))
        return seen.session

    @extend_schema(request=SupervisionConfirmSerializer, responses={200: SupervisionSessionSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """A supervisee present confirms the session and rates it 1–5; the rating is stored without their name."""
        session = self._as_supervisee(pk)
        serializer = SupervisionConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.confirm(actor=request.user, session=session, **serializer.validated_data)
        return self._respond(pk)

    @extend_schema(request=SupervisionDisputeSerializer, responses={200: SupervisionSessionSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """A supervisee present disputes the session with a reason; the using agency resolves it."""
        session = self._as_supervisee(pk)
        serializer = SupervisionDisputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.dispute(actor=request.user, session=session, **serializer.validated_data)
        return self._respond(pk)

    @extend_schema(request=SupervisionResolveSerializer, responses={200: SupervisionSessionSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The using agency resolves a supervisee's dispute."""
        session = self._visible(pk).session
        if not permissions.uses(request.user, session.engagement):
            raise PermissionDenied(_("Only the agency using the supervisor resolves disputes over its sessions."))
        serializer = SupervisionResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        attendance = get_object_or_404(Attendance, pk=d["attendance"], session=session)
        with service_errors():
            services.resolve(actor=request.user, attendance=attendance, upheld=d["upheld"], resolution=d["resolution"])
        return self._respond(pk)


# --- months ---------------------------------------------------------------------------


class SupervisionMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM", max_length=7)

    def validate_month(self, value):
        month = parse_month(value)
        if month is None or len(value.strip()) != 7:
            raise serializers.ValidationError(_("Give the month as YYYY-MM."))
        return month


class SupervisionReopenSerializer(SupervisionMonthSerializer):
    reason = serializers.CharField(max_length=300)


class SupervisionSignOffSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")

    class Meta:
        model = MonthSignOff
        fields = ["engagement", "month", "status", "signed_at", "reopened_at", "reopen_reason"]
        read_only_fields = fields


class _MonthView(APIView):
    request_serializer = SupervisionMonthSerializer

    def _engagement(self, request, pk):
        engagement = selectors.engagement_for(request.user, pk)
        # The role before the payload.
        if not permissions.uses(request.user, engagement):
            raise PermissionDenied(_("Only the agency using the supervisor signs off its months."))
        serializer = self.request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return engagement, serializer.validated_data


class SignOffView(_MonthView):
    """The using agency signs off an engagement's month once every session in it is settled."""

    @extend_schema(
        request=SupervisionMonthSerializer,
        responses={200: SupervisionSignOffSerializer},
        operation_id="engagements_sign_off",
    )
    def post(self, request, pk):
        engagement, d = self._engagement(request, pk)
        with service_errors():
            signed = services.sign_off(actor=request.user, engagement=engagement, month=d["month"])
        return Response(SupervisionSignOffSerializer(signed).data)


class ReopenView(_MonthView):
    """The using agency reopens a signed-off month with a reason; the supervisor is told."""

    request_serializer = SupervisionReopenSerializer

    @extend_schema(
        request=SupervisionReopenSerializer,
        responses={200: SupervisionSignOffSerializer},
        operation_id="engagements_reopen",
    )
    def post(self, request, pk):
        engagement, d = self._engagement(request, pk)
        with service_errors():
            reopened = services.reopen(actor=request.user, engagement=engagement, month=d["month"], reason=d["reason"])
        return Response(SupervisionSignOffSerializer(reopened).data)


# --- rating aggregates ----------------------------------------------------------------------

RatingSummary = inline_serializer(
    "SupervisionRatingSummary",
    {
        "count": serializers.IntegerField(help_text="Every rating in the period"),
        "counted": serializers.IntegerField(
            help_text="The ratings in the average: those of a supervisor, organisation and month with at least the fewest ratings shown"
        ),
        "average": serializers.FloatField(allow_null=True, help_text="Null below the policy's fewest ratings shown"),
        "comments": serializers.ListField(
            child=serializers.CharField(),
            allow_null=True,
            help_text="The comments' text only, in text order; null below the fewest ratings shown",
        ),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
    },
)


def _query_date(request, name, default):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise serializers.ValidationError({name: [_("Give the date as YYYY-MM-DD or YYYY-MM.")]})


class RatingSummaryView(APIView):
    """How a supervisor was rated over a period (count, average, comments),
    for a supervisor, an organisation or both: aggregates only, and nothing
    but the count below the policy's fewest ratings shown."""

    @extend_schema(
        parameters=[
            OpenApiParameter("supervisor", int, required=False, description="Person id of the supervisor"),
            OpenApiParameter("organization", int, required=False, description="Id of the using organisation"),
            OpenApiParameter("start", str, required=False, description="YYYY-MM or YYYY-MM-DD; default 1 January"),
            OpenApiParameter("end", str, required=False, description="YYYY-MM or YYYY-MM-DD; default today"),
        ],
        responses={200: RatingSummary},
        operation_id="supervision_ratings_summary",
    )
    def get(self, request):
        today = timezone.localdate()
        start = _query_date(request, "start", today.replace(month=1, day=1))
        end = _query_date(request, "end", today)
        if end < start:
            raise serializers.ValidationError({"end": [_("The end comes before the start.")]})
        supervisor_id = query_id(request, "supervisor")
        organization_id = query_id(request, "organization")
        if supervisor_id is None and organization_id is None:
            raise serializers.ValidationError({"non_field_errors": [_("Give a supervisor, an organisation or both.")]})
        user = request.user
        organization = supervisor = None
        if organization_id is not None:
            organization = Organization.objects.select_related("jurisdiction").filter(pk=organization_id).first()
            if organization is None or not (
                permissions.manages_organization(user, organization.pk)
                or organization.in_chain(permissions.coverage_nodes(user))
            ):
                raise NotFound
        if supervisor_id is not None:
            supervisor = Person.objects.select_related("employer__jurisdiction").filter(pk=supervisor_id).first()
            if supervisor is None:
                raise NotFound
            own = permissions.supervisor_person_id(user) == supervisor.pk
            watched = supervisor.in_chain(permissions.coverage_nodes(user))
            if not (own or organization is not None or watched):
                raise NotFound
        summary = selectors.rating_summary(supervisor=supervisor, organization=organization, start=start, end=end)
        return Response(summary | {"start": start, "end": end})


def register(router):
    router.register("supervision-sessions", SupervisionSessionViewSet, basename="supervision-session")


urlpatterns = [
    path("engagements/<int:pk>/sign-off/", SignOffView.as_view(), name="engagement-sign-off"),
    path("engagements/<int:pk>/reopen/", ReopenView.as_view(), name="engagement-reopen"),
    path("supervision-ratings/summary/", RatingSummaryView.as_view(), name="supervision-rating-summary"),
]
