"""Subsidy statements over the API: list and read in scope, the payer's
confirm and pay, compute for a signed-off month, and finance's figures. Out of
scope is a 404, a write the caller may not make a 403 (before the payload is
read), a rule a service enforces a 400."""

from django.core.exceptions import PermissionDenied
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
from dudao.supervision.models import Engagement

from .. import permissions
from ..filters import StatementFilter, parse_month
from ..models import Line, Statement
from ..selectors import statements as selectors
from ..selectors.summary import summary
from ..services import statements as services

MONEY = {"max_digits": 12, "decimal_places": 2}


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Line
        fields = ["position", "kind", "session", "date", "minutes", "hours", "rate", "amount", "description"]
        read_only_fields = fields


class PurposesSerializer(serializers.Serializer):
    self_training = serializers.DecimalField(**MONEY, min_value=0, required=False)
    self_improvement = serializers.DecimalField(**MONEY, min_value=0, required=False)
    transport = serializers.DecimalField(**MONEY, min_value=0, required=False)
    other = serializers.DecimalField(**MONEY, min_value=0, required=False)


class StatementSerializer(serializers.ModelSerializer):
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    payer_name = serializers.CharField(read_only=True)
    # The pools' level choices already have their schema name (LevelEnum).
    pool_level = serializers.CharField(read_only=True, help_text="agency, district or city")
    purposes = PurposesSerializer(read_only=True, help_text="The paid total split across the purposes")

    class Meta:
        model = Statement
        fields = [
            "id",
            "kind",
            "status",
            "engagement",
            "month",
            "supervisor",
            "supervisor_name",
            "organization",
            "organization_name",
            "pool_level",
            "payer_organization",
            "payer_jurisdiction",
            "payer_name",
            "hours",
            "gross",
            "ceiling",
            "total",
            "confirmed_at",
            "paid_on",
            "paid_reference",
            "purposes",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields


class StatementDetailSerializer(StatementSerializer):
    lines = LineSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class PayRequestSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)
    purposes = PurposesSerializer(help_text="The total split across the purposes; the parts add up to it exactly")


class ComputeRequestSerializer(serializers.Serializer):
    engagement = IdField(help_text="ID of an engagement whose subsidy the caller pays")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="A signed-off month, YYYY-MM")


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Subsidy statements and government supplements: the supervisor's own, the
    payer's, and everything in a finance or authority reader's jurisdiction."""

    filterset_class = StatementFilter
    ordering_fields = ["month", "total", "status"]
    ordering = ["-month", "-id"]

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action != "list" else StatementSerializer

    def get_queryset(self):
        queryset = selectors.statements_for(self.request.user)
        if self.action != "list":
            queryset = queryset.prefetch_related("lines")
        return queryset

    def _payable(self):
        statement = self.get_object()
        if not permissions.pays(self.request.user, statement):
            raise PermissionDenied(_("Only the payer confirms and pays this statement."))
        return statement

    def _data(self, statement):
        return StatementDetailSerializer(self.get_queryset().get(pk=statement.pk)).data

    @extend_schema(request=None, responses={200: StatementDetailSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        """Confirm what is owed (the payer)."""
        statement = self._payable()
        with service_errors():
            statement = services.confirm(actor=request.user, statement=statement)
        return Response(self._data(statement))

    @extend_schema(request=PayRequestSerializer, responses={200: StatementDetailSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def pay(self, request, pk=None):
        """Record the payment: date, reference and the split across purposes (the payer)."""
        statement = self._payable()
        payload = PayRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        with service_errors():
            statement = services.pay(
                actor=request.user,
                statement=statement,
                paid_on=d["paid_on"],
                reference=d["reference"],
                purposes=dict(d["purposes"]),
            )
        return Response(self._data(statement))

    @extend_schema(request=ComputeRequestSerializer, responses={201: StatementDetailSerializer(many=True)})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def compute(self, request):
        """Compute a signed-off month's statement (and supplement) of an engagement (the paying agency)."""
        if not permissions.paying_org_ids(request.user) and not permissions.budget_line_ids(request.user):
            raise PermissionDenied(_("Only the paying agency, or the pool's city or district, computes subsidies."))
        payload = ComputeRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        month = parse_month(d["month"])
        if month is None:
            raise serializers.ValidationError({"month": [_("Give the month as YYYY-MM.")]})
        engagement = Engagement.objects.select_related("entry").filter(pk=d["engagement"]).first()
        if engagement is None or not permissions.computes_for(request.user, engagement):
            raise NotFound
        with service_errors():
            made = services.compute(actor=request.user, engagement=engagement, month=month)
        rows = self.get_queryset().filter(pk__in=[s.pk for s in made]).order_by("kind")
        return Response(StatementDetailSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class KindTotalSerializer(serializers.Serializer):
    kind = serializers.CharField()
    count = serializers.IntegerField()
    owed = serializers.DecimalField(**MONEY)
    confirmed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)


class BudgetLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The jurisdiction whose budget line pays the supplements")
    name = serializers.CharField()
    owed = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)


class CostRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A district id or a pool level")
    name = serializers.CharField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    statement = serializers.DecimalField(**MONEY)
    supplement = serializers.DecimalField(**MONEY)
    cost = serializers.DecimalField(**MONEY)
    per_hour = serializers.DecimalField(**MONEY, allow_null=True)


class SummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    cost = serializers.DecimalField(**MONEY)
    per_hour = serializers.DecimalField(**MONEY, allow_null=True)
    totals = KindTotalSerializer(many=True)
    budget_lines = BudgetLineSerializer(many=True)
    districts = CostRowSerializer(many=True)
    levels = CostRowSerializer(many=True)


class SummaryView(APIView):
    """Finance's figures for a year: statements and payments, supplements
    against each budget line, cost per confirmed hour by district and pool level."""

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="A calendar year; this year by default")],
        responses={200: SummarySerializer},
        operation_id="subsidy_summary",
    )
    def get(self, request):
        if not permissions.read_nodes(request.user):
            raise PermissionDenied(_("Your role does not read the subsidy figures."))
        this = timezone.localdate().year
        raw = request.query_params.get("year")
        if raw in (None, ""):
            year = this
        else:
            try:
                year = int(raw)
            except ValueError:
                raise serializers.ValidationError({"year": [_("Give a year such as 2026.")]}) from None
            if not 2000 <= year <= this + 1:
                raise serializers.ValidationError({"year": [_("Give a year such as 2026.")]})
        figures = summary(request.user, year)
        for row in figures["districts"]:
            row["key"] = str(row["key"])
        return Response(SummarySerializer(figures).data)


def register(router):
    router.register("subsidy-statements", StatementViewSet, basename="subsidy-statement")


urlpatterns = [path("subsidy-summary/", SummaryView.as_view(), name="subsidy-summary")]
