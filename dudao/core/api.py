from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from . import paging


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
                raise NotFound(_("This cursor is not valid; start again without it.")) from None
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
                "schema": {"type": "integer"},
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Keyset paging: empty for the first page, then the value from next or previous.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Rows per page (at most 200).",
                "schema": {"type": "integer"},
            },
        ]


@contextmanager
def service_errors():
    """Services raise Django's ValidationError; the API answers it as a 400."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise serializers.ValidationError(
                {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            ) from exc
        raise serializers.ValidationError({"non_field_errors": exc.messages}) from exc
