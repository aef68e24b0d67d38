"""The audit log over the API: the city administrator's alone, as on the page,
with the same filters (by event among them), and the declared events."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import audit
from .filters import AuditFilter
from .models import AuditEntry
from .selectors import audit_entries_for


class AuditApiFilter(AuditFilter):
    # A flat list of codes, so the schema lists them (the page groups them by app).
    event = django_filters.ChoiceFilter(label=_("Event"), choices=audit.choices)


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    event_label = serializers.CharField(read_only=True, help_text="The event's name in the request's language.")
    object_type = serializers.SerializerMethodField(help_text="app_label.model of the object, e.g. directory.person.")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "event",
            "event_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "reason",
        ]
        read_only_fields = fields

    def get_object_type(self, entry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"


class AuditEventSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    action = serializers.CharField()
    legacy = serializers.BooleanField(help_text="Only on entries written before events existed.")


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Audit entries, newest first; filter with ?event=<code> (see audit/events/),
    ?actor=<username>, ?action=, ?content_type=<id>, ?q=<object>, ?since= and ?until=."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditApiFilter
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks without a user
            return AuditEntry.objects.none()
        entries = audit_entries_for(self.request.user)
        if entries is None:
            raise PermissionDenied
        return entries

    @extend_schema(responses={200: AuditEventSerializer(many=True)}, filters=False)
    @action(detail=False, pagination_class=None, filter_backends=[])
    def events(self, request):
        """Every declared event: its stable code, its label and its kind of change."""
        self.get_queryset()  # the same permission as the log itself
        return Response(
            [{"code": e.code, "label": str(e.label), "action": e.action, "legacy": e.legacy} for e in audit.events()]
        )
