"""The menu: grouped by domain into dropdowns (one row at 1440 px however many
pages a role has), and the talent pool for a social worker who is in a pool."""

import re

import pytest
from django.urls import reverse

from dudao.accounts.navigation import MENU
from tests.conftest import ALL_PERSONAS
from tests.pools.conftest import city_entry


def links(content):
    menu = re.search(r'data-testid="main-menu">(.*?)</ul>\s*<a ', content, re.S).group(1)
    return re.findall(r'href="(/[^"]*)"', menu)


def test_the_city_admin_has_every_page_in_a_handful_of_dropdowns(world, login):
    response = login(world.city_admin).get("/")
    nav = response.context["nav_items"]
    assert len(nav) <= 9
    groups = [item for item in nav if "children" in item]
    assert len(groups) >= 6
    assert [str(g["label"]) for g in groups][:2] == ["名录", "选拔推荐"]
    content = response.content.decode()
    assert content.count('data-bs-toggle="dropdown"') == len(groups)
    # Every page of the menu the city admin may open is still one click away.
    expected = {
        reverse(entry.url_name)
        for _label, _icon, items in MENU
        for entry in items
        if "city_admin" in entry.roles and "city_admin" not in entry.when
    }
    assert set(links(content)) == expected


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_persona_gets_a_menu_whose_links_open(world, login, persona):
    client = login(world.persona(persona))
    for url in links(client.get("/").content.decode())[:3]:
        assert client.get(url).status_code == 200, url


def test_a_social_worker_sees_the_talent_pool_once_in_one(world, login):
    client = login(world.social_worker)
    pools = reverse("pools:entry_list")
    assert pools not in links(client.get("/").content.decode())
    entry = city_entry(world, world.social_worker_person)
    assert pools in links(client.get("/").content.decode())
    page = client.get(pools)
    assert page.status_code == 200
    assert entry.entry_number in page.content.decode()
    # A group of one page is a plain link, not a dropdown of one.
    assert {"label", "url", "icon"} <= set(next(i for i in page.context["nav_items"] if i.get("url") == pools))
