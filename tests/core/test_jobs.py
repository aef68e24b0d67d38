"""Exports too large to build while the user waits run as background jobs:
small ones still download at once; a job rebuilds exactly the rows the page
would export for its owner, reports progress, and ends done or failed, never
stuck; only its owner sees it or its file; old files are deleted."""

import datetime as dt
import inspect
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from dudao.core import jobs
from dudao.core.excel import XLSX_TYPE
from dudao.core.models import AuditEntry, Job
from dudao.directory.models import CertificateLevel
from tests.excel import xlsx_rows
from tests.factories import staff

API = "/api/v1/exports/"


def downloaded(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def people_url():
    return reverse("directory:person_list")


def grow(world, count, organization=None):
    for i in range(count):
        staff(organization or world.agency, certified=i % 2 == 0, name=f"员工{i:02d}")


def export_job(client, url, params=None):
    """Ask a page for its export and return the job it became."""
    response = client.get(url, {**(params or {}), "export": "xlsx"})
    job = Job.objects.latest("pk")
    assert response.status_code == 302
    assert response.url == reverse("core:job_detail", args=[job.pk])
    return job


def job_files():
    root = Path(django_settings.MEDIA_ROOT) / "exports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- at once or as a job ---------------------------------------------------------------


def test_an_export_up_to_the_threshold_downloads_at_once(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 2  # 督导甲 and 社工乙: exactly the threshold
    response = login(world.city_admin).get(people_url(), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert len(xlsx_rows(response.content)) == 3
    assert not Job.objects.exists()


def test_one_row_over_the_threshold_becomes_a_job(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    job = export_job(login(world.city_admin), people_url())
    assert job.status == Job.Status.DONE, job.error
    assert (job.rows_done, job.rows_total) == (2, 2)


def test_a_list_page_a_job_cannot_reopen_still_exports_at_once(world, login, settings, monkeypatch):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    monkeypatch.setattr(jobs, "exportable_lists", dict)
    response = login(world.city_admin).get(people_url(), {"export": "xlsx"})
    assert response.status_code == 200
    assert len(xlsx_rows(response.content)) == 3
    assert not Job.objects.exists()


def test_deciding_between_at_once_and_a_job_never_counts_everything(world, login, settings):
    grow(world, 3)
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 10
    with CaptureQueriesContext(connection) as ctx:
        response = login(world.city_admin).get(people_url(), {"export": "xlsx"})
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1, counts
    assert "LIMIT 11" in counts[0], counts[0]


def test_a_job_exports_exactly_what_the_page_would_with_the_same_filters_and_sort(world, login, settings):
    grow(world, 6)
    grow(world, 2, organization=world.erqi_agency)  # outside 金水区: never in the district's file
    client = login(world.district_admin)
    params = {"certificate_level": CertificateLevel.objects.get(code="intermediate").pk, "sort": "-name"}
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1000
    immediate = xlsx_rows(client.get(people_url(), {**params, "export": "xlsx"}).content)
    assert len(immediate) == 1 + 4  # 督导甲 and 员工00, 02, 04

    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 2
    job = export_job(client, people_url(), {**params, "page": 3})
    assert job.status == Job.Status.DONE, job.error
    assert job.owner == world.district_admin
    assert job.parameters["list"] == "directory:person_list"
    stored = QueryDict(job.parameters["query"])
    assert "page" not in stored and "export" not in stored
    assert stored["sort"] == "-name"
    rows = xlsx_rows(downloaded(client.get(reverse("core:job_download", args=[job.pk]))))
    assert rows == immediate
    assert job.rows_done == job.rows_total == 4


def test_a_job_applies_its_owners_scope_masked_id_numbers_included(world, login, settings):
    grow(world, 3)
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1000
    immediate = xlsx_rows(login(world.hrss).get(people_url(), {"export": "xlsx"}).content)
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    client = login(world.hrss)
    job = export_job(client, people_url())
    rows = xlsx_rows(downloaded(client.get(reverse("core:job_download", args=[job.pk]))))
    assert rows == immediate
    assert all("*" in row[1] for row in rows[1:])  # the ID number column, masked for hrss


def test_every_list_page_with_an_export_can_run_as_a_job(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = -1  # even the lists that are empty in this world
    client = login(world.city_admin)
    lists = jobs.exportable_lists()
    assert {"directory:person_list", "directory:organization_list", "pools:entry_list", "core:audit_list"} <= set(lists)
    for name in lists:
        job = export_job(client, reverse(name))
        assert job.status == Job.Status.DONE, (name, job.error)
        assert job.parameters["list"] == name


def test_the_runner_streams_rows_instead_of_collecting_them(world, login, settings, monkeypatch):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 0
    seen = []
    real_write = jobs.write_workbook

    def spy(target, title, columns, rows, **kwargs):
        seen.append(rows)
        return real_write(target, title, columns, rows, **kwargs)

    monkeypatch.setattr(jobs, "write_workbook", spy)
    export_job(login(world.city_admin), reverse("directory:organization_list"))
    export_job(login(world.city_admin), people_url())
    # A queryset would be cached whole as it is read; these yield rows chunk by chunk.
    assert len(seen) == 2
    assert all(inspect.isgenerator(rows) for rows in seen), seen


# --- progress and the job's page ---------------------------------------------------------


def test_progress_is_reported_while_the_file_is_written(world, login, settings, monkeypatch):
    grow(world, 5)  # 7 people in all
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 2
    settings.DUDAO_EXPORT_PROGRESS_EVERY = 2
    seen = []
    real_write = jobs.write_workbook

    def spy(*args, progress, **kwargs):
        def watched(rows):
            progress(rows)
            job = Job.objects.get()
            seen.append((job.status, job.rows_done, job.rows_total))

        return real_write(*args, progress=watched, **kwargs)

    monkeypatch.setattr(jobs, "write_workbook", spy)
    job = export_job(login(world.city_admin), people_url())
    assert seen == [("running", 2, 7), ("running", 4, 7), ("running", 6, 7), ("running", 7, 7)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.percent) == (Job.Status.DONE, 7, 100)
    assert job.started_at <= job.finished_at < job.expires_at


def _running_job(owner, **kwargs):
    fields = {
        "owner": owner,
        "title": "人员",
        "status": Job.Status.RUNNING,
        "rows_done": 1234,
        "rows_total": 5000,
        "started_at": timezone.now(),
        "parameters": {"list": "directory:person_list", "query": "sort=-name", "language": "zh-hans"},
    }
    return Job.objects.create(**{**fields, **kwargs})


def test_the_job_page_polls_a_progress_bar_until_the_job_ends(world, login):
    job = _running_job(world.city_admin)
    client = login(world.city_admin)
    url = reverse("core:job_detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "progress-bar" in page and 'data-width="24"' in page
    assert "已写 1234 / 共 5000 行" in page  # zh-Hans numbers carry no thousands separator
    assert f'href="{people_url()}?sort=-name"' in page  # back to the list, with its filters

    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b'data-status="running"' in partial.content

    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, rows_total=None, rows_done=0)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'data-width="100"' in partial  # unknown total: a moving bar


def test_a_finished_job_offers_its_file_and_stops_polling(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    client = login(world.city_admin)
    job = export_job(client, people_url())
    partial = client.get(reverse("core:job_detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial
    assert reverse("core:job_download", args=[job.pk]) in partial
    assert len(xlsx_rows(downloaded(client.get(reverse("core:job_download", args=[job.pk]))))) == 3


def test_the_download_is_named_after_the_list_and_the_day(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    client = login(world.city_admin)
    job = export_job(client, people_url())
    response = client.get(reverse("core:job_download", args=[job.pk]))
    day = timezone.localtime(job.created_at).strftime("%Y%m%d")
    assert f"{day}.xlsx" in response["Content-Disposition"]
    assert "filename*=utf-8''%E4%BA%BA%E5%91%98" in response["Content-Disposition"]  # 人员
    downloaded(response)


def test_the_file_lives_in_an_unguessable_directory_and_not_under_a_url(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    job = export_job(login(world.city_admin), people_url())
    directory = Path(job.file.name).parent
    assert directory.parent == Path("exports")
    assert len(directory.name) >= 20
    assert (Path(django_settings.MEDIA_ROOT) / job.file.name).is_file()
    assert login(world.city_admin).get("/media/" + job.file.name).status_code == 404


def test_my_exports_lists_only_my_own_jobs_with_filters_and_sorting(world, login, settings):
    mine = [_running_job(world.city_admin, title=t) for t in ("人员", "机构")]
    done = _running_job(world.city_admin, title="审计日志", status=Job.Status.DONE)
    _running_job(world.district_admin, title="别人的导出")
    client = login(world.city_admin)
    url = reverse("core:job_list")
    response = client.get(url)
    assert response.status_code == 200
    assert {j.pk for j in response.context["object_list"]} == {j.pk for j in [*mine, done]}
    assert "别人的导出" not in response.content.decode()
    response = client.get(url, {"status": "done"})
    assert [j.pk for j in response.context["object_list"]] == [done.pk]
    response = client.get(url, {"sort": "title"})
    assert [j.title for j in response.context["object_list"]] == sorted(["人员", "机构", "审计日志"])
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"job-table" in partial.content
    assert client.get(url, {"export": "xlsx"}).status_code == 404  # the list of exports has no export itself


def test_the_user_menu_links_to_my_exports(world, login):
    page = login(world.supervisor).get(reverse("core:job_list")).content.decode()
    assert f'href="{reverse("core:job_list")}"' in page and 'data-testid="my-exports"' in page


# --- owner only ---------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["district_admin", "hrss", "supervisor", "outsider"])
def test_nobody_but_the_owner_sees_a_job_or_its_file(world, login, api, settings, other):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    owner_client = login(world.city_admin)
    job = export_job(owner_client, people_url())
    assert owner_client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200
    downloaded(owner_client.get(reverse("core:job_download", args=[job.pk])))

    client = login(world.persona(other))
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:job_detail", args=[job.pk]), headers={"HX-Request": "true"}).status_code == 404
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    assert list(client.get(reverse("core:job_list")).context["object_list"]) == []
    other_api = api(world.persona(other))
    assert other_api.get(f"{API}{job.pk}/").status_code == 404
    assert other_api.get(f"{API}{job.pk}/download/").status_code == 404
    assert other_api.get(API).json()["results"] == []


def test_anonymous_visitors_are_sent_to_log_in(world, client, settings):
    job = _running_job(world.city_admin)
    for url in (reverse("core:job_list"), reverse("core:job_detail", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert client.get(f"{API}{job.pk}/").status_code in (401, 403)


# --- failures ------------------------------------------------------------------------------


def test_a_failing_export_ends_failed_with_a_message_and_leaves_no_file(world, login, settings, monkeypatch, caplog):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1

    def broken(target, *args, **kwargs):
        Path(target).write_bytes(b"half a workbook")
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "write_workbook", broken)
    client = login(world.city_admin)
    job = export_job(client, people_url())
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "导出失败。请重新导出；如果再次失败，请告知系统管理员。"
    assert job.finished_at is not None
    assert job.file.name == ""
    assert job_files() == []
    assert "disk full" in caplog.text  # the details are in the log, not on the page
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert job.error in page and "hx-trigger" not in page and "disk full" not in page
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_a_job_whose_list_is_no_longer_open_to_its_owner_fails_plainly(world, settings):
    job = jobs.start_export(actor=world.district_admin, list_name="core:audit_list", query="", title="审计日志")
    assert job.status == Job.Status.FAILED
    assert job.error == "您已无权导出这份名单，因此未导出。"


def test_a_deactivated_owner_gets_no_file(world, settings):
    world.city_admin.is_active = False
    world.city_admin.save()
    job = jobs.start_export(actor=world.city_admin, list_name="directory:person_list", query="", title="人员")
    assert job.status == Job.Status.FAILED
    assert job_files() == []


def test_a_job_runs_once(world, settings):
    job = jobs.start_export(actor=world.city_admin, list_name="directory:person_list", query="", title="人员")
    finished = job.finished_at
    jobs.run_export(job.pk)  # a redelivered task
    job.refresh_from_db()
    assert (job.status, job.finished_at) == (Job.Status.DONE, finished)


# --- expiry ---------------------------------------------------------------------------------


def test_files_are_deleted_after_their_keeping_time(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    settings.DUDAO_EXPORT_KEEP_DAYS = 7
    client = login(world.city_admin)
    job = export_job(client, people_url())
    assert job.expires_at - job.finished_at == dt.timedelta(days=7)
    assert jobs.expire_exports(now=job.expires_at - dt.timedelta(seconds=1))["files_deleted"] == 0
    assert len(job_files()) == 1
    assert jobs.expire_exports(now=job.expires_at)["files_deleted"] == 1
    assert job_files() == []
    assert list((Path(django_settings.MEDIA_ROOT) / "exports").iterdir()) == []  # the random directory too
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.file.name == ""
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    assert "7 天后删除" in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()


def test_a_job_silent_for_too_long_is_marked_failed(world, settings):
    settings.DUDAO_JOB_STALE_MINUTES = 60
    now = timezone.now()
    dead = _running_job(world.city_admin, updated_at=now - dt.timedelta(minutes=61))
    queued = _running_job(world.city_admin, status=Job.Status.QUEUED, updated_at=now - dt.timedelta(hours=5))
    alive = _running_job(world.city_admin, updated_at=now - dt.timedelta(minutes=5))
    assert jobs.expire_exports(now=now)["jobs_failed"] == 2
    for job in (dead, queued):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED
        assert job.error == "导出被中断（服务器已停止）。请重新导出。"
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING


def test_a_job_declared_dead_while_it_worked_keeps_no_file(world, settings, monkeypatch):
    real_write = jobs.write_workbook

    def slow(*args, **kwargs):
        count = real_write(*args, **kwargs)
        Job.objects.update(status=Job.Status.FAILED)  # expire_exports gave up on it meanwhile
        return count

    monkeypatch.setattr(jobs, "write_workbook", slow)
    job = jobs.start_export(actor=world.city_admin, list_name="directory:person_list", query="", title="人员")
    assert job.status == Job.Status.FAILED
    assert job_files() == []


# --- audit ----------------------------------------------------------------------------------


def test_asking_for_an_export_job_is_audited(world, login, settings):
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    job = export_job(login(world.city_admin), people_url(), {"sort": "-name"})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == world.city_admin
    assert entry.object_id == str(job.pk)
    assert entry.changes == {"list": [None, "directory:person_list"], "query": [None, "sort=-name"]}


# --- API ------------------------------------------------------------------------------------


def test_the_api_creates_an_export_and_serves_its_file(world, api):
    client = api(world.city_admin)
    response = client.post(API, {"list": "directory:person_list", "query": "?sort=-name&page=4"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"] == f"{API}{data['id']}/"
    assert data["status"] == "done"
    assert data["query"] == "sort=-name"
    assert data["rows_done"] == data["rows_total"] == 2
    assert data["title"] == "人员"
    detail = client.get(f"{API}{data['id']}/").json()
    assert detail["download"].endswith(f"{API}{data['id']}/download/")
    rows = xlsx_rows(downloaded(client.get(detail["download"])))
    assert sorted(r[0] for r in rows[1:]) == sorted(["督导甲", "社工乙"])
    assert [j["id"] for j in client.get(API).json()["results"]] == [data["id"]]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=world.city_admin).count() == 1


def test_the_api_refuses_what_the_page_refuses(world, api):
    client = api(world.district_admin)
    assert client.post(API, {"list": "core:audit_list"}, format="json").status_code == 403
    response = client.post(API, {"list": "no:such_list"}, format="json")
    assert response.status_code == 400 and "list" in response.json()
    assert client.post(API, {}, format="json").status_code == 400
    assert not Job.objects.exists()


def test_the_api_says_when_a_file_is_not_ready(world, api):
    job = _running_job(world.city_admin)
    response = api(world.city_admin).get(f"{API}{job.pk}/download/")
    assert response.status_code == 409
    assert api(world.city_admin).get(f"{API}{job.pk}/").json()["download"] is None


# --- where jobs run -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_page_answers_and_a_thread_runs_the_job(world, login, settings):
    settings.DUDAO_JOBS_RUN_INLINE = False
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    response = login(world.city_admin).get(people_url(), {"export": "xlsx"})
    job = Job.objects.get()
    assert response.status_code == 302
    thread = next(t for t in threading.enumerate() if t.name == f"dudao-job-{job.pk}")
    thread.join(timeout=60)
    assert not thread.is_alive()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.rows_done == 2


def test_with_a_broker_the_job_is_queued_for_a_worker_once_committed(
    world, login, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1
    queued = []
    monkeypatch.setattr(jobs.run_export_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job(login(world.city_admin), people_url())
    assert queued == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    jobs.run_export_task.apply(args=[job.pk])  # what the worker does with it
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error


def test_an_unreachable_broker_fails_the_job_instead_of_leaving_it_queued(
    world, login, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.DUDAO_EXPORT_SYNC_MAX_ROWS = 1

    def unreachable(job_id):
        raise OperationalError("connection refused")

    monkeypatch.setattr(jobs.run_export_task, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job(login(world.city_admin), people_url())
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "后台任务服务" in job.error


def test_the_celery_app_loads_with_both_daily_expiries_in_its_beat_schedule():
    from celery.schedules import crontab

    from dudao import celery_app

    celery_app.loader.import_default_modules()
    schedule = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}
    assert {"dudao.pools.expire_pool_entries", "dudao.core.expire_exports"} <= set(schedule)
    for task, when in schedule.items():
        assert task in celery_app.tasks
        assert isinstance(when, crontab)
        # Once a day: one hour, one minute, every day.
        assert len(when.hour) == 1 and len(when.minute) == 1 and len(when.day_of_week) == 7
    assert "dudao.core.run_export" in celery_app.tasks


def test_the_pool_expiry_task_runs_the_command(db, monkeypatch):
    from dudao import celery_app
    from dudao.pools.management.commands import expire_pool_entries

    monkeypatch.setattr(expire_pool_entries, "expire_entries", lambda: 3)
    assert celery_app.tasks["dudao.pools.expire_pool_entries"].apply().get() == "expired: 3"


def test_the_export_expiry_task_runs(world, settings):
    from dudao import celery_app

    result = celery_app.tasks["dudao.core.expire_exports"].apply().get()
    assert result == {"files_deleted": 0, "jobs_failed": 0}
