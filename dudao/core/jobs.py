"""Background jobs: Excel exports too large to build while the user waits.

Where a job runs: on a Celery worker when CELERY_BROKER_URL is set; otherwise
in-process, in a thread of the web server (the embedded default, so the page
that asked answers at once) or inline where DUDAO_JOBS_RUN_INLINE is set (tests).

How an export job rebuilds its rows: the job stores the list page's URL name
and its GET query string. The runner resolves the page's view, builds a GET
request for the job's owner and runs the view's own get(); its export() hands
(title, columns, rows) to the runner instead of answering. A job therefore
exports exactly what the page would have exported for that user and those
filters, through the same scope, filter, sort and row code, and rows stream
from the database into the workbook without being collected.
"""

import logging
import secrets
import shutil
import threading
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .excel import XLSX_TYPE, write_workbook
from .models import Job
from .views import ListPage

log = logging.getLogger(__name__)

# Query parameters that steer the page, not the rows.
PAGE_ONLY_PARAMETERS = ("export", "page")


def jobs_for(user):
    """A user's own jobs: nobody sees another's, whatever their role (a file
    holds what its owner's scope allowed when it was made)."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


@cache
def exportable_lists() -> dict[str, type[ListPage]]:
    """URL name -> view of every list page with an Excel export, read from the
    URLconf: a new ListPage can run as a job without being registered anywhere."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view_class = getattr(pattern.callback, "view_class", None)
                if not (view_class and issubclass(view_class, ListPage) and view_class.export_columns):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                try:
                    reverse(name)  # pages that need URL arguments are not offered
                except NoReverseMatch:
                    continue
                found.setdefault(name, view_class)

    walk(get_resolver().url_patterns, "")
    return found


def clean_query(query: str) -> str:
    """The stored form of a list's query string: without the page number or
    the export switch, which say how to show rows, not which."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    for name in PAGE_ONLY_PARAMETERS:
        params.pop(name, None)
    return params.urlencode()


class _Refused(Exception):
    """The list page would not give this user these rows (any more)."""


def _run_list_page(list_name: str, query: str, user, sink):
    """Run the list page's view for `user` with `query`, its export handing
    (title, columns, rows, queryset) to `sink`; return what the sink returned."""
    from django.test import RequestFactory
    from django_htmx.middleware import HtmxDetails

    if list_name not in exportable_lists():
        raise _Refused(list_name)
    if not user.is_active:
        raise _Refused("inactive owner")
    path = reverse(list_name)
    match = resolve(path)
    params = QueryDict(query, mutable=True)
    params["export"] = "xlsx"
    host = urlsplit(settings.DUDAO_PUBLIC_URL).netloc or "localhost"
    request = RequestFactory().get(f"{path}?{params.urlencode()}", HTTP_HOST=host)
    request.user = user
    request.resolver_match = match
    request.htmx = HtmxDetails(request)
    result = {}

    def capture(*args):
        result["value"] = sink(*args)
        return HttpResponse(status=204)

    view = match.func.view_class(**match.func.view_initkwargs)
    view.export_sink = capture
    view.setup(request, *match.args, **match.kwargs)
    view.dispatch(request, *match.args, **match.kwargs)
    if "value" not in result:
        # The view answered itself (a redirect to the login page, a refusal page).
        raise _Refused(list_name)
    return result["value"]


def describe_export(*, user, list_name: str, query: str) -> str:
    """The export's title, after checking the user may export that list: the
    refusal the page would give (PermissionDenied, Http404) is raised before a
    job is made. No row is read."""
    try:
        return _run_list_page(list_name, query, user, lambda title, *_rest: title)
    except _Refused as exc:
        raise Http404 from exc


def start_export(*, actor, list_name: str, query: str, title: str) -> Job:
    """Queue an export of a list page for `actor` and start it. Audited, since
    the file will carry personal data."""
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.EXPORT,
            owner=actor,
            title=title[:200],
            parameters={
                "list": list_name,
                "query": query,
                "language": translation.get_language() or settings.LANGUAGE_CODE,
            },
        )
        audit.record(
            actor=actor,
            event="core.export_requested",
            obj=job,
            changes={"list": [None, list_name], "query": [None, query]},
        )
        if settings.CELERY_BROKER_URL:
            transaction.on_commit(lambda: _enqueue(job.pk))
        elif not settings.DUDAO_JOBS_RUN_INLINE:
            transaction.on_commit(lambda: _start_thread(job.pk))
    if settings.DUDAO_JOBS_RUN_INLINE and not settings.CELERY_BROKER_URL:
        run_export(job.pk)
        job.refresh_from_db()
    return job


def _enqueue(job_id):
    try:
        run_export_task.delay(job_id)
    except Exception:
        log.exception("could not queue export job %s", job_id)
        _fail(job_id, "queue")


def _start_thread(job_id):
    # Daemon: stopping the server must not wait for an export; the job is then
    # marked failed by expire_exports once it has been silent for too long.
    threading.Thread(target=_run_in_thread, args=(job_id,), name=f"dudao-job-{job_id}", daemon=True).start()


def _run_in_thread(job_id):
    try:
        # No beat runs in-process: the embedded default expires old files here.
        expire_exports()
        run_export(job_id)
    except Exception:
        log.exception("export job %s crashed", job_id)
    finally:
        # This thread's connections are its own; nothing else would close them.
        connections.close_all()


def _messages():
    return {
        "refused": _("This list is no longer open to you, so it was not exported."),
        "failed": _("The export failed. Ask for it again; if it fails again, tell the system administrator."),
        "queue": _("The background job service is not available. Try again later or tell the system administrator."),
        "stale": _("The export was interrupted (the server stopped). Ask for it again."),
    }


ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)


def _fail(job_id, reason) -> bool:
    """Mark a queued or running job failed with a message in its owner's
    language, and delete what it had written. False if it had already ended."""
    job = Job.objects.filter(pk=job_id).only("parameters").first()
    if job is None:
        return False
    with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
        message = _messages()[reason]
    now = timezone.now()
    failed = Job.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=Job.Status.FAILED, error=message, finished_at=now, updated_at=now
    )
    if failed:
        _delete_file(job_id)
    return bool(failed)


def _absolute(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _delete_file(job_id):
    name = Job.objects.filter(pk=job_id).values_list("file", flat=True).first()
    if not name:
        return
    path = _absolute(name)
    exports = (Path(settings.MEDIA_ROOT) / "exports").resolve()
    # Each file sits alone in its random directory; remove both, and nothing outside exports/.
    if path.parent.resolve().parent == exports:
        shutil.rmtree(path.parent, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    Job.objects.filter(pk=job_id).update(file="")


def run_export(job_id: int) -> None:
    """Build the export file of a queued job. Ends in done or failed, never
    left running: every error is logged with its details and the owner reads a
    plain message on the job's page."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        log.warning("export job %s is not queued; not run again", job_id)
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    # Random directory: the file's name cannot be guessed, and it is served only by the owner's view.
    name = f"exports/{secrets.token_urlsafe(18)}/{job.pk}.xlsx"
    Job.objects.filter(pk=job.pk).update(file=name)
    path = _absolute(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)

        def report(rows):
            Job.objects.filter(pk=job.pk).update(rows_done=rows, updated_at=timezone.now())

        def write(title, columns, rows, queryset):
            # One aggregate query, small beside reading every row, so the page can show a percentage.
            Job.objects.filter(pk=job.pk).update(rows_total=queryset.count(), updated_at=timezone.now())
            return write_workbook(
                path,
                title,
                columns,
                rows,
                user=job.owner,
                progress=report,
                progress_every=settings.DUDAO_EXPORT_PROGRESS_EVERY,
            )

        with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
            count = _run_list_page(job.parameters.get("list", ""), job.parameters.get("query", ""), job.owner, write)
    except (_Refused, PermissionDenied, Http404):
        log.warning("export job %s refused: %s no longer open to %s", job.pk, job.parameters, job.owner)
        _fail(job.pk, "refused")
    except Exception:
        log.exception("export job %s failed (%s)", job.pk, job.parameters)
        _fail(job.pk, "failed")
    else:
        now = timezone.now()
        done = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.DONE,
            rows_done=count,
            rows_total=count,
            finished_at=now,
            updated_at=now,
            expires_at=now + timedelta(days=settings.DUDAO_EXPORT_KEEP_DAYS),
        )
        if not done:
            # Declared dead while it worked (expire_exports): the owner was told it failed.
            _delete_file(job.pk)


def expire_exports(now=None) -> dict:
    """Delete export files past their keeping time, and fail jobs whose process
    died (silent for DUDAO_JOB_STALE_MINUTES). Run daily by beat."""
    now = now or timezone.now()
    stale_before = now - timedelta(minutes=settings.DUDAO_JOB_STALE_MINUTES)
    stale = 0
    for job_id in Job.objects.filter(status__in=ACTIVE, updated_at__lt=stale_before).values_list("pk", flat=True):
        stale += _fail(job_id, "stale")
    deleted = 0
    for job_id in Job.objects.filter(expires_at__lte=now).exclude(file="").values_list("pk", flat=True):
        _delete_file(job_id)
        deleted += 1
    return {"files_deleted": deleted, "jobs_failed": stale}


def file_response(job: Job) -> FileResponse:
    """The finished file of a job (already checked to be the requester's own)."""
    if job.status != Job.Status.DONE or not job.file:
        raise Http404
    path = _absolute(job.file.name)
    if not path.is_file():
        raise Http404
    filename = f"{job.title}-{timezone.localtime(job.created_at):%Y%m%d}.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=XLSX_TYPE)


@shared_task(name="dudao.core.run_export")
def run_export_task(job_id):
    run_export(job_id)


@shared_task(name="dudao.core.expire_exports")
def expire_exports_task():
    return expire_exports()
