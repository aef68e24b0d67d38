"""公示 over the API: the lists and their items (every signed-in user), the
objections (lodge: anyone signed in; decide: the keeper)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dudao.core.api import IdField, query_id, service_errors

from . import kinds, permissions, selectors, services
from .filters import ItemFilter, NoticeFilter, ObjectionFilter
from .models import Item, Notice, Objection


class NoticeSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="The keeper")
    kind_label = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)
    pending_objections = serializers.IntegerField(read_only=True, help_text="Objections awaiting decision")

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "jurisdiction",
            "starts_on",
            "ends_on",
            "contact",
            "item_count",
            "pending_objections",
        ]
        read_only_fields = fields

    def get_kind_label(self, notice) -> str:
        return kinds.label(notice.kind)


class ItemSerializer(serializers.ModelSerializer):
    objection_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Item
        fields = ["id", "notice", "name", "unit", "district", "path", "status", "status_reason", "objection_count"]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer):
    lodged_by = serializers.SerializerMethodField(help_text="Empty for an anonymous objection")
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    name = serializers.CharField(source="item.name", read_only=True)
    notice = serializers.IntegerField(source="item.notice_id", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "item",
            "notice",
            "name",
            "anonymous",
            "lodged_by",
            "contact",
            "text",
            "lodged_at",
            "status",
            "decision_reason",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields

    def get_lodged_by(self, objection) -> str | None:
        return objection.lodged_by.username if objection.lodged_by_id else None


class LodgeSerializer(serializers.Serializer):
    item = IdField(help_text="ID of an item in a running public notice")
    text = serializers.CharField(max_length=2000)
    anonymous = serializers.BooleanField(required=False, default=False)
    contact = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Required when anonymous"
    )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Objection.Status.UPHELD, Objection.Status.DISMISSED])
    reason = serializers.CharField(max_length=1000)


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Published lists (公示), newest first."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    ordering_fields = ["starts_on", "ends_on", "title"]
    ordering = ["-starts_on", "-id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Periods that ended take effect when the lists are read, not only at night.
        services.settle_due()

    def get_queryset(self):
        return selectors.notices_for(self.request.user)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("notice", OpenApiTypes.INT, description="Only the items of this notice")]
    )
)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The people on the lists (name, unit, district, path); `?notice=` narrows to one list."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    ordering_fields = ["name", "unit", "district"]
    ordering = ["name", "id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        services.settle_due()

    def get_queryset(self):
        queryset = selectors.items_for(self.request.user)
        if getattr(self, "swagger_fake_view", False):
            return queryset
        notice = query_id(self.request, "notice")
        return queryset if notice is None else queryset.filter(notice_id=notice)


class ObjectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The keeper's objections and the caller's own; lodge one, decide one (keeper)."""

    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter
    ordering_fields = ["lodged_at"]
    ordering = ["-lodged_at", "-id"]

    def get_queryset(self):
        return selectors.objections_for(self.request.user)

    @extend_schema(request=LodgeSerializer, responses={201: ObjectionSerializer})
    def create(self, request, *args, **kwargs):
        """Lodge an objection to an item while its period runs; anonymous ones need a contact."""
        payload = LodgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        item = get_object_or_404(selectors.items_for(request.user), pk=data.pop("item"))
        with service_errors():
            objection = services.lodge_objection(actor=request.user, item=item, **data)
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Uphold (the item stops) or dismiss an objection, with a reason (keeper only)."""
        objection = self.get_object()
        if not permissions.can_keep(request.user, objection.item.notice):
            raise PermissionDenied(_("Only the keeper of this public notice decides its objections."))
        payload = DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with service_errors():
            objection = services.decide_objection(actor=request.user, objection=objection, **payload.validated_data)
        return Response(ObjectionSerializer(self.get_queryset().get(pk=objection.pk)).data)


def register(router):
    router.register("publicity-notices", NoticeViewSet, basename="publicity-notice")
    router.register("publicity-items", ItemViewSet, basename="publicity-item")
    router.register("publicity-objections", ObjectionViewSet, basename="publicity-objection")
