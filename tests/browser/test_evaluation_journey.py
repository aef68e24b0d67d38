"""The annual evaluation in the browser (issue 11): the home agency, a served
agency, the association and the city (the cycle's owner) each score a
supervisor on their own forms; the city computes the results and publishes them;
the supervisor sees the grade and appeals; the city decides the appeal.

The cycle and the evaluation with its indicator points are written directly
(the cycle computation is tested on its own)."""

import re

import pytest
from playwright.sync_api import expect

from dudao.evaluation.models import Appeal, Cycle, Evaluation, PartyForm
from tests.evaluation.scoring_setup import scene

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/login/"))


def score_on_the_page(page, sign_in, username, scores):
    sign_in(username)
    # As from the 工作台's to-do: the party that still owes scores is shown.
    page.goto(page.base_url + "/evaluation/forms/?todo=1")
    row = page.get_by_test_id("form-row").filter(has_text="二七督导丙")
    expect(row).to_have_count(1)
    row.get_by_test_id("score").click()
    for name, value in zip(("ethics", "ability", "performance"), scores, strict=True):
        page.fill(f"input[name={name}]", value)
    page.get_by_test_id("save-scores").click()
    expect(page).to_have_url(re.compile(r"/evaluation/forms/\?party=\w+$"))
    expect(page.get_by_test_id("form-row").filter(has_text="二七督导丙").get_by_test_id("score")).to_have_text("修改")
    sign_out(page)


def test_four_parties_score_the_owner_publishes_the_supervisor_appeals_and_the_owner_decides(page, sign_in, world):
    s = scene(world)

    # The four parties, each on its own form (the hand-computed figures of test_results_services).
    score_on_the_page(page, sign_in, "outsider", ("90", "85", "80"))  # home agency: 85.00
    score_on_the_page(page, sign_in, "agency_admin", ("80", "75", "70"))  # a served agency: 75.00
    score_on_the_page(page, sign_in, "association", ("70", "80", "90"))  # association: 80.00
    score_on_the_page(page, sign_in, "city_admin", ("95", "95", "95"))  # the authority: 95.00
    assert PartyForm.objects.filter(evaluation=s.evaluation, submitted_at__isnull=False).count() == 4

    # The owner computes, reviews and publishes (a confirmation first).
    sign_in("city_admin")
    page.goto(page.base_url + f"/evaluation/cycles/{s.cycle.pk}/review/")
    page.get_by_test_id("compute").click()
    row = page.get_by_test_id("review-row").filter(has_text="二七督导丙")
    # Parties: (30×85 + 30×75 + 20×80 + 20×95) ÷ 100 = 83.00; 83 × 0.6 + 87.25 × 0.4 = 84.70, 合格.
    expect(row).to_contain_text("84.70")
    expect(row).to_contain_text("合格")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("publish")).to_have_count(0)
    assert Cycle.objects.get(pk=s.cycle.pk).status == Cycle.Status.PUBLISHED
    sign_out(page)

    # The supervisor sees the grade, no party's comment, and appeals.
    sign_in("external_supervisor")
    page.goto(page.base_url + "/evaluation/results/")
    page.get_by_test_id("result-row").get_by_role("link").first.click()
    expect(page.get_by_test_id("grade")).to_have_text("合格")
    expect(page.get_by_test_id("score")).to_have_text("84.70")
    expect(page.get_by_test_id("comment")).to_have_count(0)
    page.fill("textarea[name=reason]", "服务机构的评分未反映全年服务情况，申请复核。")
    page.get_by_test_id("appeal").click()
    expect(page.get_by_test_id("appeals")).to_contain_text("已提出")
    sign_out(page)

    # The owner decides: upheld, the served agency's form corrected, republished as version 2.
    sign_in("city_admin")
    page.goto(page.base_url + "/evaluation/appeals/")
    page.get_by_test_id("appeal-row").filter(has_text="二七督导丙").get_by_test_id("decide").click()
    expect(page.get_by_test_id("grounds")).to_contain_text("申请复核")
    served = PartyForm.objects.get(evaluation=s.evaluation, organization=world.agency)
    for name in ("ethics", "ability", "performance"):
        page.fill(f"input[name=form-{served.pk}-{name}]", "90")
    page.select_option("select[name=upheld]", "1")
    page.fill("textarea[name=decision]", "经核实，服务机构评分录入有误，予以更正。")
    page.get_by_test_id("decide-appeal").click()
    expect(page).to_have_url(re.compile(r"/evaluation/appeals/$"))
    appeal = Appeal.objects.get(evaluation=s.evaluation)
    assert appeal.status == Appeal.Status.UPHELD
    # (30×85 + 30×90 + 20×80 + 20×95) ÷ 100 = 87.50; 87.50 × 0.6 + 87.25 × 0.4 = 87.40.
    evaluation = Evaluation.objects.get(pk=s.evaluation.pk)
    assert str(evaluation.score) == "87.40" and evaluation.versions.count() == 2
