"""The access log (issue 8 item 4): every login, failed login, lock-out and
logout, who, when, from which address, how (page or token) and with which
browser; the city administrator browses, filters, sorts and exports it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dudao.accounts.models import AccessLogEntry
from dudao.core.excel import XLSX_TYPE
from tests.conftest import ALL_PERSONAS
from tests.excel import xlsx_rows

PASSWORD = "Dudao@2026"
URL = "/accounts/access-log/"
K = AccessLogEntry.Kind
UA = {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0) 政务外网浏览器"}


def kinds():
    return list(AccessLogEntry.objects.order_by("id").values_list("kind", "method", "username", "ip_address"))


def test_page_login_failure_lockout_refusal_and_logout_are_recorded(world, client):
    client.post("/login/", {"username": "hrss", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1", **UA)
    client.post(reverse("accounts:logout"), REMOTE_ADDR="192.0.2.1", **UA)
    for _ in range(5):
        client.post("/login/", {"username": "finance", "password": "nope"}, REMOTE_ADDR="192.0.2.2")
    client.post("/login/", {"username": "finance", "password": PASSWORD}, REMOTE_ADDR="192.0.2.2")
    assert kinds() == [
        (K.LOGIN, "page", "hrss", "192.0.2.1"),
        (K.LOGOUT, "page", "hrss", "192.0.2.1"),
        *[(K.FAILURE, "page", "finance", "192.0.2.2")] * 5,
        (K.LOCKOUT, "page", "finance", "192.0.2.2"),
        (K.REFUSED, "page", "finance", "192.0.2.2"),
    ]
    login = AccessLogEntry.objects.get(kind=K.LOGIN)
    assert login.user == world.hrss and login.user_agent == UA["HTTP_USER_AGENT"]
    assert AccessLogEntry.objects.filter(kind=K.FAILURE, user=world.finance).count() == 5


def test_a_guess_at_an_unknown_username_is_recorded_as_typed(world, client):
    client.post("/login/", {"username": "administrator", "password": "admin"})
    entry = AccessLogEntry.objects.get()
    assert (entry.kind, entry.username, entry.user) == (K.FAILURE, "administrator", None)


def test_token_logins_are_recorded_as_such(world):
    APIClient().post("/api/v1/auth/token/", {"username": "city_admin", "password": PASSWORD}, format="json", **UA)
    APIClient().post("/api/v1/auth/token/", {"username": "city_admin", "password": "x"}, format="json")
    assert kinds() == [(K.LOGIN, "token", "city_admin", "127.0.0.1"), (K.FAILURE, "token", "city_admin", "127.0.0.1")]
    world.city_admin.refresh_from_db()
    assert world.city_admin.last_login is not None


def test_the_address_is_the_deployments_client_address(world, client, settings):
    settings.DUDAO_TRUSTED_PROXY_COUNT = 1
    client.post(
        "/login/",
        {"username": "hrss", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.77",
    )
    assert AccessLogEntry.objects.get().ip_address == "198.51.100.77"


# --- the page ---------------------------------------------------------------------


def entry(kind, username, at, ip="192.0.2.1", user=None, method="page"):
    e = AccessLogEntry.objects.create(kind=kind, username=username, ip_address=ip, user=user, method=method)
    AccessLogEntry.objects.filter(pk=e.pk).update(at=at)
    return e


@pytest.fixture
def log(world):
    now = timezone.now()
    return [
        entry(K.LOGIN, "hrss", now - dt.timedelta(days=3), user=world.hrss),
        entry(K.FAILURE, "finance", now - dt.timedelta(days=2), ip="198.51.100.3", user=world.finance),
        entry(K.LOCKOUT, "finance", now - dt.timedelta(days=2, seconds=-1), ip="198.51.100.3", user=world.finance),
        entry(K.LOGIN, "city_admin", now - dt.timedelta(days=1), user=world.city_admin, method="token"),
        entry(K.LOGOUT, "city_admin", now, user=world.city_admin),
    ]


def admin(world, login, log):
    """The city administrator's client; its own sign-in entry is dropped so the
    page shows exactly the fixture's entries."""
    client = login(world.city_admin)
    AccessLogEntry.objects.exclude(pk__in=[e.pk for e in log]).delete()
    return client


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "city_admin"])
def test_everyone_but_the_city_admin_gets_403(world, login, persona, log):
    client = login(world.persona(persona))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"export": "xlsx"}).status_code == 403


def test_the_menu_offers_the_access_log_to_the_city_admin_only(world, login):
    assert f'href="{URL}"' in login(world.city_admin).get("/").content.decode()
    assert f'href="{URL}"' not in login(world.district_admin).get("/").content.decode()


def test_the_city_admin_browses_newest_first(world, login, log):
    response = admin(world, login, log).get(URL)
    assert response.status_code == 200
    assert list(response.context["object_list"]) == list(reversed(log))
    content = response.content.decode()
    assert "198.51.100.3" in content and 'data-testid="access-log-table"' in content


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"username": "FIN"}, [2, 1]),
        ({"kind": "lockout"}, [2]),
        ({"method": "token"}, [3]),
        ({"address": "198.51."}, [2, 1]),
        ({"since": "{d1}"}, [4, 3]),
        ({"until": "{d2}"}, [2, 1, 0]),
        ({"sort": "username"}, [4, 3, 2, 1, 0]),
        ({"sort": "-address"}, [2, 1, 4, 3, 0]),
    ],
)
def test_filters_and_sorting(world, login, log, params, expected):
    today = timezone.localdate()
    params = {
        k: v.format(d1=(today - dt.timedelta(days=1)).isoformat(), d2=(today - dt.timedelta(days=2)).isoformat())
        for k, v in params.items()
    }
    response = admin(world, login, log).get(URL, params)
    assert response.status_code == 200
    got = list(response.context["object_list"])
    if "sort" in params and params["sort"] == "username":
        assert [e.username for e in got] == sorted(e.username for e in log)
    elif "sort" in params:
        assert [e.ip_address for e in got] == sorted((e.ip_address for e in log), reverse=True)
    else:
        assert got == [log[i] for i in expected]


def test_the_htmx_request_gets_only_the_table(world, login, log):
    response = admin(world, login, log).get(URL, {"kind": "login"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert 'data-testid="access-log-table"' in content and "<html" not in content


def test_the_export_holds_the_filtered_entries(world, login, log):
    response = admin(world, login, log).get(URL, {"username": "finance", "export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    rows = xlsx_rows(response)
    body = [r for r in rows if r and "finance" in r]
    assert len(body) == 2
    assert all("198.51.100.3" in r for r in body)


def test_a_bad_date_filter_shows_nothing_rather_than_everything(world, login, log):
    response = admin(world, login, log).get(URL, {"since": "not-a-date"})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
