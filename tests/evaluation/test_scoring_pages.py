"""The pages of scoring and results: each works for its party or owner, hides what is out of scope (404)
and refuses the wrong role (403)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.core.workbench import todos_for
from dudao.evaluation.models import Appeal, Cycle, Evaluation, PartyForm
from dudao.evaluation.services import appeals, results
from dudao.policy import services as policy_services
from tests.evaluation.scoring_setup import scene, score_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    return scene(world)


def published(s):
    score_all(s)
    PartyForm.objects.filter(party="association").update(comment="协会意见：专业扎实")
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    s.evaluation.refresh_from_db()
    return s


def test_a_party_lists_and_fills_in_its_own_form(s, login):
    client = login(s.served_admin)
    page = client.get(reverse("evaluation:form_list"), {"cycle": s.cycle.pk, "party": "served_agency"})
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="form-row"') == 1
    edit = reverse("evaluation:form_edit", args=[s.evaluation.pk, "served_agency"])
    assert f"{edit}?organization={s.world.agency.pk}" in html
    # As home agency it has no one in this cycle.
    home = client.get(reverse("evaluation:form_list"), {"cycle": s.cycle.pk, "party": "home_agency"}).content.decode()
    assert 'data-testid="form-row"' not in home
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"ethics": "80", "ability": "75.5", "performance": "70", "comment": "按时参与督导"})
    assert response.status_code == 302
    form = PartyForm.objects.get(organization=s.world.agency)
    assert str(form.ability) == "75.50" and form.submitted_at
    listed = client.get(reverse("evaluation:form_list"), {"party": "served_agency"}).content.decode()
    assert "75.50" in listed
    todo = client.get(reverse("evaluation:form_list"), {"party": "served_agency", "todo": "1"}).content.decode()
    assert 'data-testid="form-row"' not in todo


def test_the_to_do_link_opens_the_party_that_still_owes_scores(s, login):
    page = login(s.served_admin).get(reverse("evaluation:form_list"), {"todo": "1"})
    assert page.context["party"] == "served_agency"
    assert page.content.decode().count('data-testid="form-row"') == 1


def test_another_party_s_form_is_not_found(s, login):
    home = reverse("evaluation:form_edit", args=[s.evaluation.pk, "home_agency"])
    assert login(s.home_admin).get(home).status_code == 200
    for user in (s.served_admin, s.world.association, s.world.city_admin, s.supervisor):
        assert login(user).get(home).status_code == 404
    assert login(s.home_admin).get(reverse("evaluation:form_edit", args=[s.evaluation.pk, "nobody"])).status_code == 404
    assert login(s.home_admin).get(reverse("evaluation:form_edit", args=[999999, "home_agency"])).status_code == 404


def test_a_late_score_is_refused_on_the_page(s, login):
    Cycle.objects.filter(pk=s.cycle.pk).update(scoring_deadline=timezone.localdate() - dt.timedelta(days=1))
    page = login(s.world.association).post(
        reverse("evaluation:form_edit", args=[s.evaluation.pk, "association"]),
        {"ethics": "80", "ability": "80", "performance": "80"},
    )
    assert page.status_code == 200 and "逾期评分不予受理" in page.content.decode()
    assert not PartyForm.objects.exists()


def test_the_owner_reviews_computes_and_publishes(s, login):
    score_all(s, authority=False)
    client = login(s.world.city_admin)
    url = reverse("evaluation:review", args=[s.cycle.pk])
    assert client.post(url, {"action": "compute"}).status_code == 302
    page = client.get(url).content.decode()
    assert "84.36" in page and 'data-testid="publish"' in page
    client.post(url, {"action": "publish"})
    assert Cycle.objects.get(pk=s.cycle.pk).status == Cycle.Status.PUBLISHED


def test_the_review_page_is_the_owner_s_alone(s, login):
    url = reverse("evaluation:review", args=[s.cycle.pk])
    for user in (s.world.district_admin, s.world.association, s.served_admin, s.supervisor, s.world.hrss):
        assert login(user).get(url).status_code == 404


def test_the_supervisor_sees_the_grade_without_party_comments_and_appeals(s, login):
    published(s)
    client = login(s.supervisor)
    url = reverse("evaluation:result_detail", args=[s.evaluation.pk])
    page = client.get(url).content.decode()
    assert s.evaluation.get_grade_display() in page and str(s.evaluation.score) in page
    assert "协会意见" not in page
    assert "60.00%" in page and "%%" not in page
    assert 'data-testid="appeal"' in page
    assert client.post(url, {"reason": "服务机构评分偏低"}).status_code == 302
    assert Appeal.objects.filter(evaluation=s.evaluation, status="lodged").exists()


def test_party_comments_show_when_the_policy_allows(s, login):
    published(s)
    policy_services.set_parameter(
        actor=s.world.city_admin,
        key="evaluation.show_party_comments",
        jurisdiction=s.world.city,
        value=True,
        effective_from=timezone.localdate(),
        reason="公开评语",
    )
    page = login(s.supervisor).get(reverse("evaluation:result_detail", args=[s.evaluation.pk])).content.decode()
    assert "协会意见" in page


def test_someone_else_s_result_is_not_found(s, login, world):
    published(s)
    url = reverse("evaluation:result_detail", args=[s.evaluation.pk])
    for user in (world.supervisor, world.social_worker, world.district_admin, s.served_admin):
        assert login(user).get(url).status_code == 404


def test_an_unpublished_result_is_not_shown_to_the_supervisor(s, login):
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    assert login(s.supervisor).get(reverse("evaluation:result_detail", args=[s.evaluation.pk])).status_code == 404


def test_the_owner_decides_an_appeal_on_its_page(s, login):
    published(s)
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="理由")
    assert login(s.world.district_admin).get(reverse("evaluation:appeal_decide", args=[appeal.pk])).status_code == 404
    client = login(s.world.city_admin)
    assert "理由" in client.get(reverse("evaluation:appeal_list")).content.decode()
    response = client.post(
        reverse("evaluation:appeal_decide", args=[appeal.pk]), {"upheld": "0", "decision": "不予支持"}
    )
    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "rejected"


def test_the_supervisor_may_not_decide_their_own_appeal(s, login):
    published(s)
    appeal = appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="理由")
    assert login(s.supervisor).get(reverse("evaluation:appeal_decide", args=[appeal.pk])).status_code == 403


def test_the_workbench_lists_forms_due_and_appeals_to_decide(s):
    assert {t.label: t.count for t in todos_for(s.served_admin)} == {_("Evaluation forms to fill in"): 1}
    published(s)
    appeals.lodge(actor=s.supervisor, evaluation=s.evaluation, reason="理由")
    owner = {t.label: t.count for t in todos_for(s.world.city_admin)}
    assert owner[_("Evaluation appeals to decide")] == 1
    mine = {t.label: t.count for t in todos_for(s.supervisor)}
    assert mine[_("Evaluation results published (appeal window open)")] == 1


def test_the_lists_work_for_their_roles(s, login, world):
    for user, name in (
        (s.supervisor, "evaluation:result_list"),
        (world.city_admin, "evaluation:result_list"),
        (world.city_admin, "evaluation:appeal_list"),
        (world.city_admin, "evaluation:renewal_list"),
        (world.association, "evaluation:form_list"),
    ):
        assert login(user).get(reverse(name)).status_code == 200
    assert Evaluation.objects.count() == 1


def test_after_the_review_deadline_the_review_page_says_so_and_moves_it(s, login):
    score_all(s)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Cycle.objects.filter(pk=s.cycle.pk).update(scoring_deadline=yesterday, review_deadline=yesterday)
    client = login(s.world.city_admin)
    url = reverse("evaluation:review", args=[s.cycle.pk])
    client.post(url, {"action": "compute"})
    assert Cycle.objects.get(pk=s.cycle.pk).status == Cycle.Status.SCORING
    assert 'data-testid="review-closed"' in client.get(url).content.decode()
    later = timezone.localdate() + dt.timedelta(days=3)
    assert client.post(url, {"action": "move_deadline", "review_deadline": later, "reason": ""}).status_code == 200
    response = client.post(url, {"action": "move_deadline", "review_deadline": later, "reason": "协会评分延迟"})
    assert response.status_code == 302 and Cycle.objects.get(pk=s.cycle.pk).review_deadline == later
    client.post(url, {"action": "compute"})
    assert Cycle.objects.get(pk=s.cycle.pk).status == Cycle.Status.REVIEW


def test_the_results_appeals_and_renewals_lists_refuse_roles_without_them(s, login, world):
    for user in (world.finance, world.hrss, world.association):
        for name in ("evaluation:result_list", "evaluation:appeal_list", "evaluation:renewal_list"):
            assert login(user).get(reverse(name)).status_code == 403, (user, name)
    assert login(s.supervisor).get(reverse("evaluation:renewal_list")).status_code == 403
