"""A user's own background jobs: the list, one job's progress (polled by
htmx until it ends) and its file. Another user's job is a 404, whatever
their role."""

import django_filters
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .jobs import file_response, jobs_for
from .models import Job
from .views import ListPage


class JobFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Job.Status.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Job
        fields = ["q", "status", "since", "until"]


class JobList(ListPage):
    template_name = "core/job_list.html"
    table_template = "core/job_table.html"
    filterset_class = JobFilter
    sort_fields = {"created": ("created_at",), "title": ("title",), "status": ("status",), "rows": ("rows_done",)}
    default_sort = "-created"

    def get_queryset(self):
        return jobs_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(keep_days=settings.DUDAO_EXPORT_KEEP_DAYS, **kwargs)


def _source_url(job):
    """The list page (with its filters) the export was made from."""
    try:
        path = reverse(job.parameters.get("list", ""))
    except NoReverseMatch:
        return ""
    query = job.parameters.get("query", "")
    return f"{path}?{query}" if query else path


@login_required
def job_detail(request, pk):
    job = get_object_or_404(jobs_for(request.user), pk=pk)
    context = {"job": job, "source_url": _source_url(job), "keep_days": settings.DUDAO_EXPORT_KEEP_DAYS}
    if request.htmx and not request.htmx.boosted:
        return render(request, "core/job_progress.html", context)
    return render(request, "core/job_detail.html", context)


@login_required
def job_download(request, pk):
    return file_response(get_object_or_404(jobs_for(request.user), pk=pk))
