"""The public verification: no login, the code alone, and nothing shown but
name, entry number, level, status (as of today) and term. A malformed code
and an unknown one get the same answer."""

import datetime as dt
import html
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from dudao.pools import services
from dudao.pools.models import Entry
from dudao.pools.throttling import VerifyThrottle

S = Entry.Status
NOT_FOUND = "No certificate with this verification code was found."
FIELDS = {"name", "entry_number", "level", "status", "term_start", "term_end"}


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return html.escape(gettext(message))


def page(client, code):
    return client.get(reverse("pools:verify_code", args=[code]))


def api_path(code):
    return f"/api/v1/verify/{quote(code, safe='')}/"


def test_the_page_shows_the_five_fields_without_login(world, pools, client):
    entry = pools.city
    response = page(client, entry.verification_code)
    assert response.status_code == 200
    body = response.content.decode()
    assert "督导甲" in body
    assert entry.entry_number in body
    assert zh("City pool") in body
    assert zh("Active") in body
    assert f"{entry.admitted_on:%Y-%m-%d} — {entry.expires_on:%Y-%m-%d}" in body
    record = response.context["record"]
    assert set(record.__dataclass_fields__) == FIELDS | {"level_display", "status_display"}


def test_the_page_leaks_nothing_else(world, pools, client):
    person = world.supervisor_person
    person.phone = "13800000000"
    person.save()
    body = page(client, pools.district.verification_code).content.decode()
    for secret in [
        person.id_number,
        person.masked_id_number,
        person.phone,
        world.agency.name,
        "社区",
        "金水区2026年度督导选拔",
        world.district_admin.username,
    ]:
        assert secret not in body, secret
    # No link into the signed-in part of the site about the entry or the person.
    assert reverse("pools:entry_detail", args=[pools.district.pk]) not in body
    assert reverse("pools:profile", args=[person.pk]) not in body


def test_a_suspended_entry_verifies_as_suspended(world, pools, client, api):
    services.change_status(
        actor=world.district_admin, entry=pools.district, to_status=S.SUSPENDED, reason="年度评价不合格"
    )
    response = page(client, pools.district.verification_code)
    assert response.status_code == 200
    assert response.context["record"].status == S.SUSPENDED
    assert zh("Suspended") in response.content.decode()
    assert "年度评价不合格" not in response.content.decode()  # the reason stays internal
    data = api().get(f"/api/v1/verify/{pools.district.verification_code}/").json()
    assert data["status"] == "suspended"


def test_an_entry_past_its_term_verifies_as_expired_before_the_nightly_job(world, pools, client, api):
    Entry.objects.filter(pk=pools.city.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    response = page(client, pools.city.verification_code)
    assert response.context["record"].status == S.EXPIRED
    assert zh("Expired") in response.content.decode()
    assert api().get(f"/api/v1/verify/{pools.city.verification_code}/").json()["status"] == "expired"


def test_retired_verifies_as_retired(world, pools, api):
    services.change_status(actor=world.agency_admin, entry=pools.agency, to_status=S.RETIRED, reason="离职")
    assert api().get(f"/api/v1/verify/{pools.agency.verification_code}/").json()["status"] == "retired"


def test_the_code_as_printed_or_typed_loosely_still_verifies(world, pools, client):
    code = pools.city.verification_code
    for typed in [
        code.lower(),
        " ".join(code[i : i + 4] for i in range(0, 16, 4)),
        "-".join(code[i : i + 4] for i in range(0, 16, 4)),
    ]:
        response = client.get(reverse("pools:verify"), {"code": typed})
        assert response.status_code == 200, typed
        assert response.context["record"].entry_number == pools.city.entry_number


@pytest.mark.parametrize(
    "code",
    [
        "ABCDEFGHJKLMNPQR",  # well-formed, unknown
        "abc",  # too short
        "0OIL0OIL0OIL0OIL",  # characters outside the alphabet
        "X" * 200,  # far too long
        "%27%20OR%201%3D1",  # not a code at all
        "<script>alert(1)<script>",
    ],
)
def test_unknown_and_malformed_codes_get_the_same_answer(world, pools, client, api, code):
    for response in [page(client, code), client.get(reverse("pools:verify"), {"code": code})]:
        assert response.status_code == 404
        assert response.context["record"] is None
        assert zh(NOT_FOUND) in response.content.decode()
        assert "<script>alert" not in response.content.decode()
    response = api().get(api_path(code))
    assert response.status_code == 404
    assert response.json() == {"detail": gettext(NOT_FOUND)}


def test_the_form_page(world, client):
    response = client.get(reverse("pools:verify"))
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert zh(NOT_FOUND) not in response.content.decode()
    # An empty submission is just the form again.
    assert client.get(reverse("pools:verify"), {"code": "  "}).status_code == 200


def test_signed_in_users_see_the_same(world, pools, login):
    response = page(login(world.city_admin), pools.city.verification_code)
    assert response.status_code == 200 and response.context["record"].name == "督导甲"


def test_the_api_needs_no_authentication_and_answers_only_six_fields(world, pools, api):
    entry = pools.district
    response = api().get(f"/api/v1/verify/{entry.verification_code}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == FIELDS
    assert data == {
        "name": "督导甲",
        "entry_number": entry.entry_number,
        "level": "district",
        "status": "active",
        "term_start": entry.admitted_on.isoformat(),
        "term_end": entry.expires_on.isoformat(),
    }
    # A bad token does not turn the public endpoint into a 401.
    bad = api()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get(f"/api/v1/verify/{entry.verification_code}/").status_code == 200


def test_the_api_accepts_lowercase_codes(world, pools, api):
    assert api().get(f"/api/v1/verify/{pools.city.verification_code.lower()}/").status_code == 200


def test_verification_is_throttled_per_address(world, pools, client, api, monkeypatch):
    monkeypatch.setattr(VerifyThrottle, "rate", "3/minute")
    code = pools.city.verification_code
    assert [api().get(f"/api/v1/verify/{code}/").status_code for _ in range(3)] == [200, 200, 200]
    assert api().get(f"/api/v1/verify/{code}/").status_code == 429
    # The page shares the budget of the address.
    response = page(client, code)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert response.context.get("record") is None
    # Another address is unaffected.
    assert api().get(f"/api/v1/verify/{code}/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_opening_the_empty_form_does_not_count(world, pools, client, monkeypatch):
    monkeypatch.setattr(VerifyThrottle, "rate", "1/minute")
    for _i in range(3):
        assert client.get(reverse("pools:verify")).status_code == 200
    assert page(client, pools.city.verification_code).status_code == 200
    assert page(client, pools.city.verification_code).status_code == 429
    assert (
        zh("Too many verifications from your address. Please try again in a minute.")
        in page(client, "x").content.decode()
    )


def test_a_forged_forwarded_for_header_does_not_buy_more_verifications(world, pools, api, monkeypatch):
    """Issue 8 item 10: with no trusted proxy the header is the client's own
    word, so a fresh random value per request must not be a fresh budget."""
    monkeypatch.setattr(VerifyThrottle, "rate", "3/minute")
    code = pools.city.verification_code
    statuses = [
        api().get(f"/api/v1/verify/{code}/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_behind_one_trusted_proxy_the_address_it_saw_is_counted(world, pools, api, monkeypatch, settings):
    settings.DUDAO_TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(VerifyThrottle, "rate", "2/minute")
    url = f"/api/v1/verify/{pools.city.verification_code}/"
    proxy = {"REMOTE_ADDR": "10.1.1.1"}
    # The client may prepend anything; the proxy appends the address it saw last.
    forged = [api().get(url, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7", **proxy) for n in range(3)]
    assert [r.status_code for r in forged] == [200, 200, 429]
    # Another client behind the same proxy has its own budget.
    assert api().get(url, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 200


def test_the_throttle_counts_in_the_shared_cache(world, pools, api, settings):
    """Counts live in Django's default cache, which is Redis in a deployment
    (DUDAO_CACHE_URL/REDIS_URL), so every worker process sees the same count."""
    from django.core.cache import cache

    api().get(f"/api/v1/verify/{pools.city.verification_code}/", REMOTE_ADDR="192.0.2.44")
    assert cache.get(VerifyThrottle.cache_format % {"scope": "pool_verify", "ident": "192.0.2.44"})
