"""Login protection (issue 8 item 4): after N failed logins the account and the
address are locked for a configurable time, on the login page and on the token
endpoint alike, with a clear Chinese message; the city administrator can
unlock an account from its page, and the unlock is audited."""

import datetime as dt
import html

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dudao.core.models import AuditEntry

PASSWORD = "Dudao@2026"
LOGIN = "/login/"
TOKEN = "/api/v1/auth/token/"


def zh(message, **params):
    with translation.override("zh-hans"):
        return gettext(message) % params if params else gettext(message)


def locked_message(minutes=30):
    return zh(
        "Too many failed logins: this account or address is locked for %(minutes)d minutes. "
        "Try again later or ask the city administrator to unlock the account.",
        minutes=minutes,
    )


def fail_on_page(client, username="city_admin", times=5, **extra):
    return [client.post(LOGIN, {"username": username, "password": "wrong-password"}, **extra) for _ in range(times)]


def fail_on_api(username="city_admin", times=5, **extra):
    return [
        APIClient().post(TOKEN, {"username": username, "password": "wrong-password"}, format="json", **extra)
        for _ in range(times)
    ]


def test_fifty_wrong_passwords_then_the_right_one_on_the_page_does_not_get_in(world, client):
    responses = fail_on_page(client, times=50)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert {r.status_code for r in responses[4:]} == {429}
    response = client.post(LOGIN, {"username": "city_admin", "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert html.escape(locked_message()) in response.content.decode()
    # Still the login page, in Chinese, with the form to try again later.
    assert 'name="username"' in response.content.decode()


def test_fifty_wrong_passwords_then_the_right_one_on_the_token_endpoint_get_no_token(world):
    responses = fail_on_api(times=50)
    assert [r.status_code for r in responses[:4]] == [400] * 4
    assert {r.status_code for r in responses[4:]} == {429}
    response = APIClient().post(TOKEN, {"username": "city_admin", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": locked_message()}
    assert not Token.objects.exists()


def test_the_page_and_the_api_share_one_count(world, client):
    fail_on_page(client, times=3)
    fail_on_api(times=2)
    assert client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}).status_code == 429


def test_the_limit_and_the_duration_come_from_settings(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=7)
    assert [r.status_code for r in fail_on_page(client, times=2)] == [200, 429]
    assert (
        html.escape(locked_message(7))
        in client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}).content.decode()
    )


def test_the_username_is_counted_whatever_its_case(world, client):
    for name in ["City_Admin", "CITY_ADMIN", "city_admin ", "City_admin", "city_ADMIN"]:
        client.post(LOGIN, {"username": name, "password": "wrong-password"})
    assert client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}).status_code == 429


def test_the_account_is_locked_from_every_address(world, client):
    fail_on_page(client, REMOTE_ADDR="198.51.100.1")
    response = client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}, REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 429


def test_the_address_is_locked_for_every_account(world, client):
    for name in ["hrss", "finance", "association", "trainer", "nobody"]:
        fail_on_page(client, username=name, times=1, REMOTE_ADDR="198.51.100.9")
    response = client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    # The accounts themselves are not locked: from another address they get in.
    response = client.post(LOGIN, {"username": "hrss", "password": PASSWORD}, REMOTE_ADDR="198.51.100.10")
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(world, client):
    for n in range(5):
        client.post(LOGIN, {"username": f"guess{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = client.post(LOGIN, {"username": "hrss", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_the_lock_ends_after_the_configured_time(world, client):
    fail_on_page(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    response = client.post(LOGIN, {"username": "city_admin", "password": PASSWORD})
    assert response.status_code == 302


def test_a_good_login_clears_the_earlier_failures(world, client):
    fail_on_page(client, times=4)
    assert client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    fail_on_page(client, times=4)
    assert client.post(LOGIN, {"username": "city_admin", "password": PASSWORD}).status_code == 302


def test_the_city_admin_sees_the_lock_and_unlocks_the_account_and_it_is_audited(world, client, login):
    fail_on_page(client, username="hrss", REMOTE_ADDR="198.51.100.20")
    admin = login(world.city_admin)
    page = admin.get(reverse("accounts:user_detail", args=[world.hrss.pk])).content.decode()
    assert 'data-testid="locked"' in page
    unlock_url = reverse("accounts:user_unlock", args=[world.hrss.pk])
    assert f'action="{unlock_url}"' in page
    response = admin.post(unlock_url, {"reason": "本人来电核实"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_id=str(world.hrss.pk), reason="本人来电核实")
    assert entry.actor == world.city_admin and entry.changes == {"locked": [True, False]}
    page = admin.get(reverse("accounts:user_detail", args=[world.hrss.pk])).content.decode()
    assert 'data-testid="locked"' not in page
    other = APIClient()
    response = other.post(TOKEN, {"username": "hrss", "password": PASSWORD}, format="json", REMOTE_ADDR="198.51.100.21")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["district_admin", "agency_admin"])
def test_only_the_city_admin_may_unlock(world, client, login, persona):
    fail_on_page(client, username="supervisor")
    response = login(world.persona(persona)).post(
        reverse("accounts:user_unlock", args=[world.supervisor.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="supervisor").exists()
    assert not AuditEntry.objects.filter(object_id=str(world.supervisor.pk)).exists()
