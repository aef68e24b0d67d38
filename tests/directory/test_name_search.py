"""Name search finds any part of a name; on PostgreSQL two characters (a whole
Chinese given name, or a surname and a given name) are answered from the bigram
index rather than by reading every person in scope (issue 7)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def names(world):
    for name in ["王伟", "王伟明", "李王伟", "张三王伟", "王明伟", "伟王", "王"]:
        staff(world.agency, name=name)


@pytest.mark.parametrize("text", ["王伟", "王伟明", "伟"])
def test_a_name_search_finds_every_name_holding_the_text_and_nothing_else(names, world, login, api, text):
    expected = sorted(n for n in ["王伟", "王伟明", "李王伟", "张三王伟", "王明伟", "伟王", "王"] if text in n)
    page = login(world.city_admin).get(reverse("directory:person_list"), {"q": text})
    assert sorted(p.name for p in page.context["object_list"] if p.name in expected + ["王"]) == expected
    body = api(world.city_admin).get("/api/v1/people/", {"q": text}).json()
    assert sorted(r["name"] for r in body["results"] if r["name"] in expected + ["王"]) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index exists on PostgreSQL only")
def test_a_two_character_search_asks_the_bigram_index_on_postgresql(names, world, login):
    client = login(world.city_admin)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("directory:person_list"), {"q": "王伟"})
    assert any("dudao_bigrams" in q["sql"] for q in ctx.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT dudao_bigrams('张三王伟')")
        assert sorted(cursor.fetchone()[0]) == sorted(["张三", "三王", "王伟"])
