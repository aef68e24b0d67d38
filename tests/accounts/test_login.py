"""Signing in and out, the home page each persona lands on, and the login wall
in front of every page."""

import html
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import ALL_PERSONAS

PASSWORD = "Dudao@2026"


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return html.escape(gettext(message))


def catalogue_compiled() -> bool:
    return any((Path(p) / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists() for p in settings.LOCALE_PATHS)


# --- the login page -------------------------------------------------------------


def test_login_page_is_in_chinese_by_default(db, client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    if catalogue_compiled():
        assert "登录" in content
    else:
        # The zh-Hans catalogue is not compiled yet (make messages): the
        # project's own strings fall back to their English msgids.
        assert "Log in" in content
    # Django's own strings are translated whatever the project's catalogue holds.
    assert "用户名" in content
    assert 'name="username"' in content and 'name="password"' in content


def test_browser_language_is_ignored_but_the_chosen_language_wins(db, client):
    # Office machines often send en-US; the platform's users read Chinese.
    response = client.get(reverse("accounts:login"), headers={"Accept-Language": "en-US,en"})
    assert '<html lang="zh-hans">' in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Log in" in content
    assert "Username" in content


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_good_login_redirects_home(world, client, persona):
    user = world.persona(persona)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    assert int(client.session[SESSION_KEY]) == user.pk
    assert client.get(response.url).status_code == 200


def test_login_follows_a_safe_next_only(world, client):
    target = reverse("directory:organization_list")
    response = client.post(reverse("accounts:login"), {"username": "city_admin", "password": PASSWORD, "next": target})
    assert response.url == target
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "city_admin", "password": PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response.url == reverse("accounts:home")


def test_login_page_carries_next_through(world, client):
    target = reverse("directory:person_list")
    response = client.get(target)
    assert response.status_code == 302
    page = client.get(response.url)
    assert f'name="next" value="{target}"' in page.content.decode()


@pytest.mark.parametrize(
    "username,password",
    [("city_admin", "wrong-password"), ("nobody", PASSWORD), ("city_admin", ""), ("", "")],
)
def test_wrong_credentials_show_an_error(world, client, username, password):
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    form = response.context["form"]
    assert form.errors
    content = response.content.decode()
    for message in form.non_field_errors():
        assert html.escape(message) in content
    if username and password:
        assert form.non_field_errors()
        assert 'class="alert alert-danger"' in content


def test_inactive_account_cannot_log_in(world, client):
    world.finance.is_active = False
    world.finance.save()
    response = client.post(reverse("accounts:login"), {"username": "finance", "password": PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert response.context["form"].non_field_errors()


def test_signed_in_user_visiting_login_goes_home(world, login):
    response = login(world.hrss).get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")


def test_logout_by_post(world, login):
    client = login(world.agency_admin)
    assert client.get(reverse("accounts:home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert SESSION_KEY not in client.session
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_logout_by_get_is_refused(world, login):
    client = login(world.agency_admin)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session


def test_every_page_has_a_logout_button(world, login):
    content = login(world.finance).get(reverse("accounts:home")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in content


# --- the home page --------------------------------------------------------------

# (organisations, people, certified) on the home page, for the roles that manage
# a directory; None: the role watches other figures (its 工作台's), not these.
HOME_FIGURES = {
    "city_admin": (4, 2, 1),
    "district_admin": (2, 2, 1),
    "erqi_admin": (1, 0, 0),
    "agency_admin": (1, 2, 1),
    "supervisor": None,
    "social_worker": None,
    "outsider": (1, 0, 0),
    "trainer": None,
    "association": None,
    "hrss": None,
    "finance": None,
}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_home_page_for_every_persona(world, login, persona):
    user = world.persona(persona)
    response = login(user).get(reverse("accounts:home"))
    assert response.status_code == 200
    content = response.content.decode()
    ctx = response.context
    assert 'data-testid="current-user"' in content
    assert user.username in content

    figures = HOME_FIGURES[persona]
    if figures is None:
        assert 'data-testid="stat-organizations"' not in content
    else:
        assert (ctx["organization_count"], ctx["people_stats"]["total"], ctx["people_stats"]["certified"]) == figures
        assert 'data-testid="stat-organizations"' in content

    # Agency administrators get their agency with a roster import shortcut.
    agencies = {"agency_admin": world.agency, "outsider": world.erqi_agency}
    if persona in agencies:
        assert list(ctx["agencies"]) == [agencies[persona]]
        assert reverse("directory:roster_import", args=[agencies[persona].pk]) in content
    else:
        assert not ctx.get("agencies")
        assert "/staff-import/" not in content

    # Supervisors and social workers see their own record.
    if user.person_id:
        assert ctx["me"].pk == user.person_id
        assert reverse("directory:person_detail", args=[user.person_id]) in content
    else:
        assert ctx.get("me") is None

    # The audit log is the city administrator's alone, in the menu and on the page.
    audit_url = reverse("core:audit_list")
    assert (audit_url in content) == (persona == "city_admin")
    assert ctx["is_city_admin"] == (persona == "city_admin")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_menu_matches_the_role(world, login, persona):
    content = login(world.persona(persona)).get(reverse("accounts:home")).content.decode()
    org_list, person_list = reverse("directory:organization_list"), reverse("directory:person_list")
    assert (f'href="{org_list}"' in content) == (persona not in {"supervisor", "social_worker"})
    assert (f'href="{person_list}"' in content) == (persona not in {"supervisor", "social_worker", "trainer"})
    assert f'href="{reverse("swagger-ui")}"' in content


def test_home_page_for_a_user_without_roles(db, client, django_user_model):
    user = django_user_model.objects.create_user("newcomer", password=PASSWORD)
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert response.context.get("organization_count") is None
    assert zh("Your roles") in response.content.decode()


# --- the login wall -------------------------------------------------------------

# Pages an anonymous visitor may open. Anything else of the project's own apps
# sends them to the login page.
# Pages meant for anyone: the login itself and the public certificate check (policy 四(三): a verifiable pool).
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "pools:verify",
    "pools:verify_code",
    # 公示 on the public page, while policy data allows it (tests/publicity cover the switch).
    "publicity:public_list",
    "publicity:public_notice",
    "publicity:public_print",
}
NOT_OURS = {"admin"}  # Django's admin has its own login.


def _named_pages():
    """Every named page of the project's own apps (every namespaced URL but the
    admin's), found from the URLconf so a new page is covered without a test
    edit. Arguments are filled with 1: anonymous requests are turned away
    before any lookup."""
    pages = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in NOT_OURS:
                    continue
                if p.namespace or namespace:
                    walk(p.url_patterns, ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace)
            elif isinstance(p, URLPattern) and namespace and p.name:
                name = f"{namespace}:{p.name}"
                if name not in PUBLIC:
                    pages.append(name)

    walk(get_resolver().url_patterns, None)
    return sorted(set(pages))


def _url(name):
    from django.urls import NoReverseMatch

    uuid = "00000000-0000-0000-0000-000000000001"
    for args in ([], [1], [1, 1], [1, 1, 1], [uuid], [1, uuid]):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise AssertionError(name)


def test_the_login_wall_covers_the_known_pages():
    pages = _named_pages()
    for name in [
        "accounts:home",
        "core:audit_list",
        "directory:organization_list",
        "directory:organization_detail",
        "directory:person_edit",
        "directory:roster_import",
        "directory:roster_template",
    ]:
        assert name in pages


@pytest.mark.parametrize("name", _named_pages())
def test_anonymous_is_sent_to_login(world, client, name):
    url = _url(name)
    login_url = reverse("accounts:login")
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.url.startswith(f"{login_url}?next="), (method, url, response.url)


def test_anonymous_api_requests_get_401(world, client):
    for url in ["/api/v1/organizations/", "/api/v1/people/", "/api/v1/jurisdictions/"]:
        assert client.get(url).status_code == 401
