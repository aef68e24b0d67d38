"""Production settings and HTTP hardening (issue 8 item 14): check --deploy is
clean, a Content-Security-Policy allows scripts and styles from the site only
(and the templates need nothing else), and under /api/ every error is JSON,
an oversized body included."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from dudao.core.middleware import ApiErrorMiddleware
from dudao.directory.models import Person

TEMPLATES = Path(settings.BASE_DIR) / "dudao" / "templates"


def run(args, env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DUDAO_", "DJANGO_"))}
    environment |= {"DJANGO_SETTINGS_MODULE": "dudao.settings", **env}
    return subprocess.run(
        [sys.executable, *args], env=environment, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


PRODUCTION = {
    "DUDAO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "-Zx9!q2#Lm5$Rt8&Wp3*Vn6^Yb1@Hc4%Jf7",
    "DUDAO_DATA_KEYS": "p1:" + "cHJvZHVjdGlvbi10ZXN0LWtleS0wMDAwMDAwMDAwMDA=",
    "DUDAO_PUBLIC_URL": "https://dudao.example.gov.cn",
}


def test_check_deploy_prints_no_warning_in_production():
    result = run(["manage.py", "check", "--deploy"], PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNING" not in result.stderr + result.stdout


def test_production_refuses_to_start_without_the_public_url():
    without = {k: v for k, v in PRODUCTION.items() if k != "DUDAO_PUBLIC_URL"}
    result = run(["manage.py", "check"], without)
    assert result.returncode != 0 and "DUDAO_PUBLIC_URL" in result.stderr


def _setting(env, expression):
    code = f"import django, json; django.setup(); from django.conf import settings; print(json.dumps({expression}))"
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_public_url_is_one_setting_and_its_former_name_still_sets_it():
    assert _setting({"DUDAO_PUBLIC_URL": "https://dudao.example.gov.cn/"}, "settings.DUDAO_PUBLIC_URL") == (
        "https://dudao.example.gov.cn"
    )
    assert _setting({"DUDAO_SITE_URL": "https://old.example.gov.cn"}, "settings.DUDAO_PUBLIC_URL") == (
        "https://old.example.gov.cn"
    )
    assert _setting({}, "[settings.DUDAO_PUBLIC_URL, hasattr(settings, 'DUDAO_SITE_URL')]") == [
        "http://127.0.0.1:8000",
        False,
    ]


def test_production_turns_https_on_and_each_part_can_be_turned_off_behind_a_tls_proxy():
    names = "[settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]"
    assert _setting(PRODUCTION, names) == [True, 31536000, True, True]
    assert _setting({}, names) == [False, 0, False, False]
    off = PRODUCTION | {"DUDAO_SSL_REDIRECT": "0", "DUDAO_HSTS_SECONDS": "0"}
    assert _setting(off, names) == [False, 0, True, True]
    header = PRODUCTION | {"DUDAO_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}
    assert _setting(header, "settings.SECURE_PROXY_SSL_HEADER") == ["HTTP_X_FORWARDED_PROTO", "https"]


# --- Content-Security-Policy ----------------------------------------------------


def _policy(response):
    return dict(
        (part.split(" ", 1) + [""])[:2]
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
        if part
    )


@pytest.mark.parametrize("url", ["/login/", "/pools/verify/"])
def test_pages_carry_a_policy_that_allows_scripts_and_styles_from_the_site_only(db, client, url):
    policy = _policy(client.get(url))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)


def test_the_api_docs_page_runs_its_inline_script_by_nonce(world, client):
    client.force_login(world.city_admin)
    response = client.get("/api/docs/")
    policy = _policy(response)
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    html = response.content.decode()
    assert f'<script nonce="{nonce}">' in html
    assert f'<style nonce="{nonce}">' in html


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*.html") if "drf_spectacular" not in p.parts)


def test_no_template_has_inline_script_style_or_event_handler():
    offences = []
    for path in _template_files():
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1) and "application/json" not in match.group(1):
                offences.append(f"{path.name}: inline <script>")
        if re.search(r"<style\b", text):
            offences.append(f"{path.name}: <style>")
        if re.search(r"\sstyle\s*=", text):
            offences.append(f"{path.name}: style attribute")
        for match in re.finditer(r"\s(on[a-z]+)\s*=\s*[\"']", text):
            offences.append(f"{path.name}: {match.group(1)} attribute")
    assert offences == []


def test_htmx_is_told_not_to_inject_its_indicator_style(db, client):
    assert '"includeIndicatorStyles": false' in client.get("/login/").content.decode()


# --- JSON errors under /api/ -----------------------------------------------------


def zh(message):
    with translation.override("zh-hans"):
        return gettext(message)


def test_an_oversized_api_body_gets_413_json_before_it_is_read(world):
    client = APIClient()
    client.force_authenticate(world.city_admin)
    body = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.generic("POST", "/api/v1/people/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json() and "MB" in response.json()["detail"]
    assert not Person.objects.filter(name__startswith="xxx").exists()


def test_an_oversized_form_body_under_the_api_is_json_too(world, client):
    client.force_login(world.city_admin)
    response = client.post("/api/v1/people/", {"f": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert response.status_code == 413 and response["Content-Type"] == "application/json"


def test_an_unknown_api_url_gets_404_json(world):
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": zh("Not found.")}


def test_a_server_error_under_the_api_is_json(world, monkeypatch):
    from dudao.accounts.api import UserViewSet

    def boom(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(UserViewSet, "me", boom)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(world.hrss)
    response = client.get("/api/v1/users/me/")
    assert response.status_code == 500
    assert response.json() == {"detail": zh("Server error. The error has been logged; please try again later.")}


def test_a_refused_host_under_the_api_is_json(db):
    response = Client().get("/api/v1/jurisdictions/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and response.json() == {"detail": zh("Bad request.")}


def test_a_django_403_page_under_the_api_becomes_json_and_pages_elsewhere_stay_html(db):
    middleware = ApiErrorMiddleware(lambda request: HttpResponseForbidden("<h1>403 Forbidden</h1>"))
    response = middleware(RequestFactory().post("/api/v1/people/"))
    assert response.status_code == 403 and json.loads(response.content) == {
        "detail": str(gettext("You do not have permission to perform this action."))
    }
    page = ApiErrorMiddleware(lambda request: HttpResponse("<h1>x</h1>", status=404))(RequestFactory().get("/x/"))
    assert page["Content-Type"].startswith("text/html")
