"""The list page every domain app uses: scoped queryset in, filtered, sorted,
paged table or Excel file out. htmx requests get only the table. Paging reads
only the rows shown (dudao.core.paging)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from . import paging
from .excel import workbook_bytes, xlsx_response
from .forms import bootstrap


class ListPage(LoginRequiredMixin, TemplateView):
    filterset_class = None
    # Public sort key -> ORM ordering; only these keys are accepted from the URL.
    sort_fields: dict[str, tuple[str, ...]] = {}
    default_sort = ""
    paginate_by = 25
    table_template = ""
    export_title = ""
    export_columns: list = []

    def get_queryset(self):
        raise NotImplementedError

    def get_export_queryset(self, queryset):
        return queryset

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
            if filterset.is_bound:
                # A filter value that cannot be applied (a stale link, an
                # organisation outside the scope) must not silently widen the
                # list, or the export, to every record: show none and say why.
                queryset = filterset.qs if filterset.is_valid() else queryset.none()
        queryset, sort = self.sorted(queryset)
        if request.GET.get("export") == "xlsx":
            title = str(self.export_title)
            content = workbook_bytes(title, self.export_columns, self.get_export_queryset(queryset))
            return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)
        page = paging.page(queryset, request.GET.get("page"), self.paginate_by)
        page.object_list = self.decorate(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        sort_base = query.copy()
        sort_base.pop("sort", None)
        context = self.get_context_data(
            filter=filterset,
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
