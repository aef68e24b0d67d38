"""The API of background exports: a user's own jobs and their files. Kept out
of core.api, which DRF imports while it is itself loading (the pagination
class), so nothing there may import DRF's views."""

import json

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .excel import XLSX_TYPE
from .jobs import clean_query, describe_export, exportable_lists, file_response, jobs_for, start_export
from .models import Job


class ExportRequestSerializer(serializers.Serializer):
    list = serializers.ChoiceField(
        choices=[],
        help_text="The list page to export, by its URL name (e.g. directory:person_list); "
        "the rows are those the page would export for you.",
    )
    query = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="The page's filters and sort as in its address, e.g. name=张&sort=-created.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list"].choices = [(name, str(view.export_title)) for name, view in exportable_lists().items()]


class ExportJobSerializer(serializers.ModelSerializer):
    list = serializers.SerializerMethodField()
    query = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField(help_text="Where to fetch the file once status is done; else null.")

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "list",
            "query",
            "title",
            "status",
            "rows_done",
            "rows_total",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "error",
            "download",
        ]
        read_only_fields = fields

    def get_list(self, job) -> str:
        return (job.parameters or {}).get("list", "")

    def get_query(self, job) -> str:
        return (job.parameters or {}).get("query", "")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, job):
        if job.status != Job.Status.DONE or not job.file:
            return None
        url = reverse("export-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class XlsxRenderer(renderers.BaseRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Errors reach here as data when the client asked only for .xlsx: they
        # are JSON, and say so.
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode()


class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own Excel exports, built in the background. Nobody else sees a job
    or its file (404). Files are deleted DUDAO_EXPORT_KEEP_DAYS after they are ready."""

    serializer_class = ExportJobSerializer
    filterset_fields = ["status"]
    ordering_fields = ["created_at", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return jobs_for(self.request.user).filter(kind=Job.Kind.EXPORT)

    @extend_schema(request=ExportRequestSerializer, responses={201: ExportJobSerializer})
    def create(self, request):
        """Ask for an export of a list page with its filters; poll the job until
        its status is done, then fetch its download address."""
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        list_name = serializer.validated_data["list"]
        query = clean_query(serializer.validated_data["query"])
        title = describe_export(user=request.user, list_name=list_name, query=query)
        job = start_export(actor=request.user, list_name=list_name, query=query, title=title)
        data = ExportJobSerializer(job, context=self.get_serializer_context()).data
        return Response(
            data, status=status.HTTP_201_CREATED, headers={"Location": reverse("export-detail", args=[job.pk])}
        )

    @extend_schema(
        responses={
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The Excel file"),
            409: OpenApiResponse(description="Not ready yet, failed, or deleted after its keeping time"),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, XlsxRenderer], filter_backends=[])
    def download(self, request, pk=None):
        """The finished file."""
        job = self.get_object()
        if job.status != Job.Status.DONE or not job.file:
            return Response(
                {"detail": _("The file is not ready, or has been deleted.")}, status=status.HTTP_409_CONFLICT
            )
        return file_response(job)
