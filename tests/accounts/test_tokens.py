"""API tokens (issue 8 item 5): they expire, a password change or reset and
disabling the account revoke them, and a user sees and revokes their own."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dudao.accounts import services
from dudao.core.models import AuditEntry

PASSWORD = "Dudao@2026"
ME = "/api/v1/users/me/"


def token_for(username, password=PASSWORD):
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_answer_says_when_it_expires(world):
    data = token_for("hrss")
    expires = dt.datetime.fromisoformat(data["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)


def test_an_expired_token_gets_401_with_a_chinese_message_and_a_new_login_issues_a_new_one(world):
    old = token_for("hrss")["token"]
    Token.objects.filter(key=old).update(created=timezone.now() - dt.timedelta(days=30, seconds=1))
    response = with_token(old).get(ME)
    assert response.status_code == 401
    with translation.override("zh-hans"):
        assert response.json() == {"detail": gettext("The API token has expired. Request a new one.")}
    new = token_for("hrss")["token"]
    assert new != old
    assert with_token(new).get(ME).status_code == 200


def test_the_lifetime_comes_from_settings(world, settings):
    settings.DUDAO_TOKEN_TTL = dt.timedelta(days=1)
    key = token_for("hrss")["token"]
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=1, seconds=1))
    assert with_token(key).get(ME).status_code == 401


def test_after_an_admin_resets_the_password_the_old_token_no_longer_works(world):
    key = token_for("hrss")["token"]
    assert with_token(key).get(ME).status_code == 200
    services.reset_password(actor=world.city_admin, user=world.hrss, password="Another#Pass42", reason="遗忘")
    assert with_token(key).get(ME).status_code == 401


def test_changing_ones_own_password_revokes_the_token(world, login):
    key = token_for("social_worker")["token"]
    response = login(world.social_worker).post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Another#Pass42", "new_password2": "Another#Pass42"},
    )
    assert response.status_code == 302
    assert with_token(key).get(ME).status_code == 401
    assert AuditEntry.objects.filter(object_id=str(world.social_worker.pk), changes__password=["***", "***"]).exists()


def test_disabling_the_account_revokes_the_token_for_good(world):
    key = token_for("finance")["token"]
    services.set_active(actor=world.city_admin, user=world.finance, active=False, reason="离职")
    assert with_token(key).get(ME).status_code == 401
    services.set_active(actor=world.city_admin, user=world.finance, active=True, reason="返岗")
    assert with_token(key).get(ME).status_code == 401


def test_a_user_sees_their_token_on_the_password_page_and_revokes_it(world, login):
    key = token_for("supervisor")["token"]
    client = login(world.supervisor)
    page = client.get(reverse("accounts:own_password")).content.decode()
    assert 'data-testid="own-tokens"' in page
    assert key[:6] in page and key not in page
    response = client.post(reverse("accounts:own_tokens_revoke"))
    assert response.status_code == 302
    assert with_token(key).get(ME).status_code == 401
    assert AuditEntry.objects.filter(
        actor=world.supervisor, changes__api_token=["issued", "revoked"], object_id=str(world.supervisor.pk)
    ).exists()


def test_a_user_lists_and_revokes_their_tokens_through_the_api(world):
    key = token_for("trainer")["token"]
    client = with_token(key)
    listing = client.get("/api/v1/auth/tokens/")
    assert listing.status_code == 200
    [own] = listing.json()
    assert own["key_prefix"].startswith(key[:6]) and key not in str(listing.json())
    assert own["expired"] is False
    assert client.delete("/api/v1/auth/tokens/").status_code == 204
    assert client.get("/api/v1/auth/tokens/").status_code == 401
    assert not Token.objects.filter(user=world.trainer).exists()


def test_the_token_list_needs_a_login(world):
    assert APIClient().get("/api/v1/auth/tokens/").status_code == 401


def test_the_token_endpoints_are_in_the_schema(world, client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"get", "delete"} <= set(schema["paths"]["/api/v1/auth/tokens/"])
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert {"200", "400", "429"} <= set(token["responses"])
