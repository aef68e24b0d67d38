import json
import logging
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, parsers, renderers, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import paging
from .validators import MAX_ID

logger = logging.getLogger(__name__)


class Pagination(BasePagination):
    """Page numbers (`?page=`) with a count that is exact while small and an
    estimate beyond (`count_is_estimate`), or keyset cursors (`?cursor=`, empty
    to start) whose pages cost the same at any depth. Both read only the rows
    returned (dudao.core.paging). A view may define `decorate(rows)` to add
    per-row figures for the page only."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except (TypeError, ValueError):
            return self.page_size
        return min(max(size, 1), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        self.cursor_mode = "cursor" in request.query_params
        if self.cursor_mode:
            try:
                result = paging.cursor_page(queryset, request.query_params.get("cursor"), size)
            except paging.BadCursor:
                raise serializers.ValidationError(
                    {"cursor": [_("This cursor is not valid; start again with an empty cursor.")]}
                ) from None
            self.cursor_result, rows = result, result.object_list
        else:
            self.page = paging.page(queryset, request.query_params.get("page"), size, clamp=False)
            rows = self.page.object_list
            if not rows and self.page.number > 1:
                raise NotFound(_("There is no such page."))
        decorate = getattr(view, "decorate", None)
        return decorate(rows) if decorate else rows

    def _link(self, **params):
        url = self.request.build_absolute_uri()
        for key in ("page", "cursor"):
            url = remove_query_param(url, key)
        for key, value in params.items():
            if value is not None:
                url = replace_query_param(url, key, value)
        return url

    def get_paginated_response(self, data):
        if self.cursor_mode:
            result = self.cursor_result
            body = {
                "count": None,
                "count_is_estimate": False,
                "next": self._link(cursor=result.next_cursor) if result.next_cursor else None,
                "previous": self._link(cursor=result.previous_cursor) if result.previous_cursor else None,
            }
        else:
            page = self.page
            body = {
                "count": page.total.value,
                "count_is_estimate": not page.total.exact,
                "next": self._link(page=page.next_page_number()) if page.has_next() else None,
                "previous": (
                    self._link(page=page.previous_page_number() if page.previous_page_number() > 1 else None)
                    if page.has_previous()
                    else None
                ),
            }
        return Response({**body, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_is_estimate", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": "Exact up to a limit, then an estimate (see count_is_estimate); null with a cursor.",
                },
                "count_is_estimate": {"type": "boolean"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "A page number.",
                "schema": {"type": "integer", "minimum": 1},
                "example": 1,
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Keyset paging: empty for the first page, then the value from next or previous.",
                "schema": {"type": "string"},
                "example": "",
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Rows per page (at most 200).",
                "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                "example": 25,
            },
        ]


@contextmanager
def service_errors():
    """Services raise Django's ValidationError; the API answers it as a 400."""
    try:
        yield
    except DjangoValidationError as exc:
        raise _as_api_error(exc) from exc


def _as_api_error(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return serializers.ValidationError({"non_field_errors": exc.messages})


# --- input that must never reach a serializer ------------------------------------------------

# No request to this API nests deeper than a few levels (a list of survey
# answers inside an object); 32 leaves room and stops a body of 50,000
# brackets long before Python's recursion limit.
MAX_JSON_DEPTH = 32


def _depth_exceeds(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


def _unstorable_text(data) -> str | None:
    """Why some text in the body can be stored nowhere, or None. JSON may spell
    a lone surrogate (\\ud800), which is no character and has no UTF-8 form;
    any body may carry a NUL, which PostgreSQL refuses in every text, even in
    a lookup. Either would fail deep inside the database driver (a 500), so
    the request is refused before any field sees it."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return _("The request contains a NUL character, which no field accepts.")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return _("The request contains text that is not valid Unicode.")
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded: too deep a structure or text that is not
    Unicode is a 400 with a message, never a RecursionError or a driver error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_depth_message()) from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(_depth_message())
        if problem := _unstorable_text(data):
            raise exceptions.ParseError(problem)
        return data


def _form_text(data) -> list[str]:
    return [*data.keys(), *(value for key in data for value in data.getlist(key))]


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing text no field can store (see JSONParser)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if problem := _unstorable_text(_form_text(data)):
            raise exceptions.ParseError(problem)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing text no field can store (see JSONParser)."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        if problem := _unstorable_text(_form_text(result.data) + [f.name or "" for f in result.files.values()]):
            raise exceptions.ParseError(problem)
        return result


def _depth_message() -> str:
    return _("The request body is nested more than %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH}


class IdField(serializers.IntegerField):
    """A record id: a positive whole number the database can hold (64 bits).
    A larger one is refused here rather than overflowing in a query."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def query_id(request, name: str, *, required: bool = False) -> int | None:
    """The id in query parameter `name`, or None when it is absent and optional;
    anything but a whole number in the id range is a 400 naming the parameter."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        if required:
            raise serializers.ValidationError({name: [_("Give the id as a whole number.")]})
        return None
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        raise serializers.ValidationError({name: [_("Give the id as a whole number.")]})
    return int(raw)


# --- errors the views did not turn into answers themselves ------------------------------------

CONFLICT_MESSAGE = gettext_lazy(
    "Someone saved the same record at the same moment, or it already exists. Reload the page and check before trying again."
)
BUSY_MESSAGE = gettext_lazy("The database is busy with another change. Try again in a moment.")


def exception_handler(exc, context):
    """DRF's handler, plus the errors a concurrent identical request can meet
    in the database: a unique constraint that fired (IntegrityError) is a 409,
    a write lock not granted in time (SQLite's "database is locked") a 503 to
    retry. A service's ValidationError that escaped service_errors() is a 400.
    Anything else stays a server error: it is a defect to fix, not to hide."""
    # Imported here: rest_framework.views reads the settings that name this module.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, DjangoValidationError):
        exc = _as_api_error(exc)
    if isinstance(exc, IntegrityError):
        logger.info("Conflicting write answered 409: %s", exc)
        set_rollback()
        return Response({"detail": str(CONFLICT_MESSAGE)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        logger.warning("Database busy, answered 503: %s", exc)
        set_rollback()
        return Response(
            {"detail": str(BUSY_MESSAGE)}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "1"}
        )
    return drf_exception_handler(exc, context)


# --- the refusals in the OpenAPI document ---------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "A refusal with its reason.",
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "description": (
        "Why the request was refused: a message per field name (a list of strings), "
        "`non_field_errors`, or `detail` when the body could not be read."
    ),
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the
    refusals it can answer with, so a client (and the schema conformance run
    in the tests) knows them: 400 for input, 401/403 for who is asking, 404,
    409 and 503 for a write that met a concurrent one, 429 where throttled."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationErrors", VALIDATION_ERROR_SCHEMA)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    invalid = {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrors"}}}
    descriptions = {
        400: "The input is invalid.",
        401: "Not signed in, or the token is not valid.",
        403: "The caller may not do this.",
        404: "Not found, or outside the caller's scope.",
        409: "A concurrent identical write got there first.",
        429: "Too many requests; retry after the time in Retry-After.",
        503: "The database is busy; retry in a moment.",
    }
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = [400, 404]
            authenticated = any(requirement for requirement in operation.get("security", [{}]))
            if authenticated:
                codes += [401, 403]
            if method in WRITE_METHODS:
                codes += [409, 503]
            if "verify" in operation.get("operationId", ""):
                codes.append(429)
            for code in codes:
                key = str(code)
                if key in operation["responses"]:
                    continue
                operation["responses"][key] = {
                    "content": invalid if code == 400 else error,
                    "description": descriptions[code],
                }
    return result


class PDFRenderer(renderers.BaseRenderer):
    """For the actions that answer a PDF (certificates, the 推荐表)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Errors reach here as data when the client asked only for PDF.
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()


class PDFErrorsAsJSON:
    """A viewset mix-in: a refusal is JSON and says so, even when the client
    asked for the PDF (?format=pdf): a "PDF" holding a JSON error would
    mislead a client."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and isinstance(getattr(request, "accepted_renderer", None), PDFRenderer):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
