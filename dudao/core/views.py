"""The list page every domain app uses: scoped queryset in, filtered, sorted,
paged table or Excel file out. htmx requests get only the table. Paging reads
only the rows shown (dudao.core.paging)."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from . import paging
from .excel import workbook_bytes, xlsx_response
from .filters import readable_choices
from .forms import bootstrap

# Rows fetched per database round trip while an export streams.
EXPORT_CHUNK = 2000


class ListPage(LoginRequiredMixin, TemplateView):
    filterset_class = None
    # Public sort key -> ORM ordering; only these keys are accepted from the URL.
    sort_fields: dict[str, tuple[str, ...]] = {}
    default_sort = ""
    paginate_by = 25
    table_template = ""
    export_title = ""
    export_columns: list = []
    # Set by dudao.core.jobs when a background job runs this view: export() then
    # hands (title, columns, rows, queryset) to it instead of answering the request.
    export_sink = None

    def get_queryset(self):
        raise NotImplementedError

    def get_export_queryset(self, queryset):
        return queryset

    def export_table(self, queryset):
        """Title, columns and rows of this list's Excel file, rows streamed in
        chunks: the one source of an export, immediate or in a job."""
        rows = self.get_export_queryset(queryset)
        if isinstance(rows, QuerySet):
            rows = rows.iterator(chunk_size=EXPORT_CHUNK)
        return str(self.export_title), self.export_columns, rows

    def export(self, request, queryset):
        """The filtered, sorted list as .xlsx: at once when small, otherwise as a
        background job whose page shows progress. A bounded count decides, so
        asking never costs a COUNT over everything in scope."""
        if not self.export_columns:
            raise Http404
        if self.export_sink is not None:
            return self.export_sink(*self.export_table(queryset), queryset)
        from .jobs import exportable_lists, start_export  # jobs imports this module

        limit = settings.DUDAO_EXPORT_SYNC_MAX_ROWS
        list_name = getattr(request.resolver_match, "view_name", "")
        # Ordering does not change how many rows there are, only what a count costs.
        # A page a job cannot reopen (one with URL arguments) still exports at once.
        if list_name in exportable_lists() and queryset.order_by()[: limit + 1].count() > limit:
            query = request.GET.copy()
            query.pop("export", None)
            query.pop("page", None)
            job = start_export(
                actor=request.user,
                list_name=list_name,
                query=query.urlencode(),
                title=str(self.export_title),
            )
            return redirect("core:job_detail", pk=job.pk)
        title, columns, rows = self.export_table(queryset)
        return xlsx_response(
            f"{title}-{timezone.localdate():%Y%m%d}.xlsx", workbook_bytes(title, columns, rows, user=request.user)
        )

    def sorted(self, queryset):
        key = self.request.GET.get("sort") or self.default_sort
        bare = key.lstrip("-")
        if bare not in self.sort_fields:
            key, bare = self.default_sort, self.default_sort.lstrip("-")
        if not bare:
            return queryset, ""
        fields = self.sort_fields[bare]
        if key.startswith("-"):
            fields = tuple(f[1:] if f.startswith("-") else "-" + f for f in fields)
        return paging.stable(queryset.order_by(*fields, "pk")), key

    def decorate(self, rows: list) -> list:
        """Add what the page shows but the list query should not compute for
        every row in scope (counts, aggregates): only the rows on the page."""
        return rows

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        filterset = None
        if self.filterset_class:
            filterset = self.filterset_class(request.GET or None, queryset=queryset, request=request)
            bootstrap(filterset.form)
            readable_choices(filterset.form)
            if filterset.is_bound:
                # A filter value that cannot be applied (a stale link, an
                # organisation outside the scope) must not silently widen the
                # list, or the export, to every record: show none and say why.
                queryset = filterset.qs if filterset.is_valid() else queryset.none()
        queryset, sort = self.sorted(queryset)
        if request.GET.get("export") == "xlsx":
            return self.export(request, queryset)
        page = paging.page(queryset, request.GET.get("page"), self.paginate_by)
        page.object_list = self.decorate(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        sort_base = query.copy()
        sort_base.pop("sort", None)
        context = self.get_context_data(
            filter=filterset,
            # How many filters are set, shown on the phone's folded filter button.
            active_filters=sum(1 for name in filterset.form.fields if request.GET.get(name)) if filterset else 0,
            page_obj=page,
            object_list=page.object_list,
            sort=sort,
            querystring=query.urlencode(),
            sort_base=sort_base.urlencode(),
            **kwargs,
        )
        if request.htmx and not request.htmx.boosted:
            return self.response_class(request, self.table_template, context)
        return self.render_to_response(context)
