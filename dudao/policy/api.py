import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from dudao.core.api import service_errors
from dudao.directory.cities import default_city
from dudao.directory.models import Jurisdiction

from . import services
from .kinds import KINDS, KindValueField
from .models import ParameterVersion
from .registry import BY_KEY, PARAMETERS
from .selectors import resolve_many, settable_jurisdictions, versions_for


class VersionSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    value = KindValueField(read_only=True)

    class Meta:
        model = ParameterVersion
        fields = ["id", "key", "jurisdiction", "effective_from", "value", "reason", "created_by", "created_at"]


class NewVersionSerializer(serializers.Serializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", queryset=Jurisdiction.objects.filter(is_active=True))
    effective_from = serializers.DateField()
    value = KindValueField()
    reason = serializers.CharField()

    def __init__(self, *args, parameter=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parameter is not None:
            # The parameter's kind cleans the value, with its own words for what is wrong.
            self.fields["value"] = parameter.value_kind.serializer_field(parameter)


class ParameterSchema(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=list(KINDS))
    district_may_override = serializers.BooleanField()
    value = KindValueField()
    source = VersionSerializer(allow_null=True)


class ParameterViewSet(viewsets.ViewSet):
    """Policy parameters: the value in force for a jurisdiction on a date
    (`?jurisdiction=<code>&on=<date>`, the user's city and today by default), their
    history, and new versions."""

    lookup_field = "key"
    lookup_value_regex = r"[a-z_.]+"

    def _jurisdiction(self, request):
        code = request.query_params.get("jurisdiction")
        if code and not (code.isascii() and code.isalnum()):
            # Codes are letters and digits; anything else (a NUL byte that
            # PostgreSQL refuses outright) names no jurisdiction.
            raise Http404
        if code:
            jurisdiction = Jurisdiction.objects.filter(code=code).first()
        else:
            city = default_city(request.user)
            jurisdiction = city.jurisdiction if city else None
        if jurisdiction is None:
            raise Http404
        return jurisdiction

    def _on(self, request):
        try:
            return (
                dt.date.fromisoformat(request.query_params["on"])
                if "on" in request.query_params
                else timezone.localdate()
            )
        except ValueError:
            raise serializers.ValidationError({"on": ["YYYY-MM-DD"]}) from None

    def _row(self, parameter, value, source):
        return {
            "key": parameter.key,
            "label": str(parameter.label),
            "kind": parameter.kind,
            "district_may_override": parameter.district_may_override,
            "value": value,
            "source": VersionSerializer(source).data if source else None,
        }

    @extend_schema(
        parameters=[OpenApiParameter("jurisdiction", str), OpenApiParameter("on", dt.date)],
        responses={200: ParameterSchema(many=True)},
    )
    def list(self, request):
        resolved = resolve_many([p.key for p in PARAMETERS], self._jurisdiction(request), self._on(request))
        return Response([self._row(p, *resolved[p.key]) for p in PARAMETERS])

    @extend_schema(
        parameters=[OpenApiParameter("jurisdiction", str), OpenApiParameter("on", dt.date)],
        responses={
            200: inline_serializer(
                "PolicyParameterDetail", {"parameter": ParameterSchema(), "history": VersionSerializer(many=True)}
            )
        },
    )
    def retrieve(self, request, key=None):
        parameter = BY_KEY.get(key)
        if parameter is None:
            raise Http404
        value, source = resolve_many([key], self._jurisdiction(request), self._on(request))[key]
        history = VersionSerializer(versions_for(request.user, key), many=True).data
        return Response({"parameter": self._row(parameter, value, source), "history": history})

    @extend_schema(request=NewVersionSerializer, responses={201: VersionSerializer})
    def update(self, request, key=None):
        """Record a new version (values are never overwritten)."""
        if key not in BY_KEY:
            raise Http404
        # The role before the payload: who may set it nowhere gets 403 whatever it sends.
        if not settable_jurisdictions(request.user, key).exists():
            raise PermissionDenied(_("You may not set this parameter for this jurisdiction."))
        serializer = NewVersionSerializer(data=request.data, parameter=BY_KEY[key])
        serializer.is_valid(raise_exception=True)
        with service_errors():
            version = services.set_parameter(actor=request.user, key=key, **serializer.validated_data)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)
