"""The nomination pages act only on a valid form: an invalid one changes
nothing and says why, instead of saving what the form dropped."""

from django.urls import reverse

from dudao.selection.models import Nomination

from .helpers import hire_many, nominate, refreshed, zh

S = Nomination.Status


def test_a_statement_over_the_limit_keeps_the_saved_one_and_says_why(world, login, round_):
    person = hire_many(world.agency, 7)[0]
    draft = nominate(world, round_, person, submit=False, statement="原推荐理由")
    client = login(world.agency_admin)
    response = client.post(
        reverse("selection:nomination_edit", args=[draft.pk]), {"statement": "长" * 2001}, follow=True
    )
    assert refreshed(draft).statement == "原推荐理由"
    text = response.content.decode()
    assert zh("Changes saved.") not in text
    assert "2000" in text


def test_a_withdrawal_reason_over_the_limit_withdraws_nothing(world, login, round_):
    person = hire_many(world.agency, 7)[0]
    submitted = nominate(world, round_, person)
    response = login(world.agency_admin).post(
        reverse("selection:nomination_withdraw", args=[submitted.pk]), {"reason": "因" * 501}, follow=True
    )
    assert refreshed(submitted).status == S.DISTRICT_REVIEW
    assert zh("Nomination withdrawn.") not in response.content.decode()


def test_a_round_closing_reason_over_the_limit_closes_nothing(world, login, round_):
    response = login(world.city_admin).post(
        reverse("selection:round_close", args=[round_.pk]), {"reason": "因" * 501}, follow=True
    )
    round_.refresh_from_db()
    assert round_.closed_at is None
    assert zh("The round is closed.") not in response.content.decode()
