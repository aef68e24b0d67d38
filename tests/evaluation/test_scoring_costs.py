"""The scoring lists cost a fixed number of queries: the same with 5 rows as with 60, and on page 3."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.evaluation.models import Appeal, Cycle, Evaluation, PartyForm
from dudao.pools.models import Entry
from tests.evaluation.scoring_setup import INDICATORS, POINTS, WEIGHTS, make_cycle
from tests.factories import staff

pytestmark = pytest.mark.django_db
SERIAL = itertools.count(1)


def grow(world, n):
    cycle = Cycle.objects.filter(year=2026).first() or make_cycle(world, year=2026)
    for _ in range(n):
        k = next(SERIAL)
        person = staff(world.erqi_agency, certified=True, name=f"成本督导{k}")
        entry = Entry.objects.create(
            person=person,
            level=Entry.Level.CITY,
            jurisdiction=world.city,
            home_district=world.erqi,
            entry_number=f"ZZ-COST-{k:04d}",
            admitted_on=dt.date(2025, 3, 1),
            expires_on=dt.date(2028, 2, 28),
        )
        evaluation = Evaluation.objects.create(
            cycle=cycle,
            entry=entry,
            person=person,
            home_organization=world.erqi_agency,
            indicators=INDICATORS,
            breakdown={"indicator_points": POINTS, "indicator_weights": WEIGHTS},
            score="80.00",
            grade="pass",
            status=Evaluation.Status.PUBLISHED,
        )
        # Every other supervisor scored by the association (a form with and without scores).
        scores = {"ethics": 80, "ability": 80, "performance": 80} if k % 2 else {}
        PartyForm.objects.create(evaluation=evaluation, party="association", **scores)
        Appeal.objects.create(evaluation=evaluation, reason="理由")


def count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(ctx), response


CASES = [
    ("/api/v1/evaluation-forms/", "association"),
    ("/api/v1/evaluation-forms/to-score/?party=association", "association"),
    ("/api/v1/evaluation-results/", "city_admin"),
    ("/api/v1/evaluation-appeals/", "city_admin"),
    ("evaluation:form_list", "association"),
    ("evaluation:result_list", "city_admin"),
    ("evaluation:appeal_list", "city_admin"),
]


@pytest.mark.parametrize(("url", "persona"), CASES)
def test_a_scoring_list_costs_the_same_for_few_rows_many_rows_and_a_far_page(world, api, login, url, persona):
    user = world.persona(persona)
    if url.startswith("/api/"):
        url, _sep, query = url.partition("?")
        client, params = api(user), {"page_size": 25, **dict([query.split("=")] if query else [])}
    else:
        client, params, url = login(user), {}, reverse(url)
    grow(world, 5)
    count(client, url, params)
    few, _ = count(client, url, params)
    grow(world, 55)
    many, _ = count(client, url, params)
    far, response = count(client, url, {**params, "page": 3})
    assert few == many == far, (few, many, far)
