"""The scoring and results API: own forms only, submit, results, compute and publish, appeals, renewals."""

import pytest
from django.utils import timezone

from dudao.evaluation.models import Appeal, Cycle, PartyForm
from dudao.evaluation.services import results
from tests.evaluation.scoring_setup import scene, score_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(world):
    return scene(world)


def test_a_party_lists_whom_it_scores_and_its_written_forms(s, api):
    client = api(s.served_admin)
    due = client.get("/api/v1/evaluation-forms/to-score/", {"party": "served_agency", "cycle": s.cycle.pk})
    assert due.status_code == 200
    (row,) = due.json()["results"]
    assert (row["evaluation"], row["organization"], row["form"]) == (s.evaluation.pk, s.world.agency.pk, None)
    assert client.get("/api/v1/evaluation-forms/to-score/", {"party": "home_agency"}).json()["results"] == []
    assert client.get("/api/v1/evaluation-forms/to-score/", {"party": "x"}).status_code == 400
    assert client.get("/api/v1/evaluation-forms/").json()["results"] == []
    url = f"/api/v1/evaluations/{s.evaluation.pk}/party-scores/"
    client.post(url, {"party": "served_agency", "ethics": "80", "ability": "75", "performance": "70"})
    listed = client.get("/api/v1/evaluation-forms/", {"cycle": s.cycle.pk}).json()["results"]
    assert [f["organization"] for f in listed] == [s.world.agency.pk]
    response = client.post(
        f"/api/v1/evaluation-forms/{listed[0]['id']}/submit/", {"ethics": "81", "ability": "75", "performance": "70"}
    )
    assert response.status_code == 200 and response.json()["ethics"] == "81.00"
    (row,) = client.get("/api/v1/evaluation-forms/to-score/", {"party": "served_agency"}).json()["results"]
    assert row["ethics"] == "81.00" and row["submitted_at"]
    todo = client.get("/api/v1/evaluation-forms/to-score/", {"party": "served_agency", "todo": "1"}).json()
    assert todo["results"] == []


def test_another_party_s_form_is_404_and_bad_scores_400(s, api):
    from tests.evaluation.scoring_setup import score_all

    score_all(s)
    home = PartyForm.objects.get(party="home_agency")
    client = api(s.served_admin)
    assert client.get(f"/api/v1/evaluation-forms/{home.pk}/").status_code == 404
    assert client.post(f"/api/v1/evaluation-forms/{home.pk}/submit/", {}).status_code == 404
    mine = PartyForm.objects.get(organization=s.world.agency)
    bad = client.post(f"/api/v1/evaluation-forms/{mine.pk}/submit/", {"ethics": "101", "ability": 1, "performance": 1})
    assert bad.status_code == 400


def test_the_owner_computes_and_publishes_and_others_cannot(s, api):
    score_all(s)
    assert (
        api(s.world.district_admin).post(f"/api/v1/evaluation-cycles/{s.cycle.pk}/compute-results/").status_code == 404
    )
    client = api(s.world.city_admin)
    assert client.post(f"/api/v1/evaluation-cycles/{s.cycle.pk}/publish/").status_code == 400
    assert client.post(f"/api/v1/evaluation-cycles/{s.cycle.pk}/compute-results/").json()["status"] == "review"
    listed = client.get("/api/v1/evaluation-results/", {"cycle": s.cycle.pk}).json()["results"]
    assert listed[0]["breakdown"]["score"] == listed[0]["score"]
    assert api(s.supervisor).get("/api/v1/evaluation-results/").json()["results"] == []
    assert client.post(f"/api/v1/evaluation-cycles/{s.cycle.pk}/publish/").json()["status"] == "published"
    assert Cycle.objects.get(pk=s.cycle.pk).status == "published"
    mine = api(s.supervisor).get("/api/v1/evaluation-results/").json()["results"]
    assert [r["id"] for r in mine] == [s.evaluation.pk]


def test_the_supervisor_appeals_and_the_owner_decides(s, api):
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    assert (
        api(s.world.supervisor)
        .post("/api/v1/evaluation-appeals/", {"evaluation": s.evaluation.pk, "reason": "x"})
        .status_code
        == 404
    )
    lodged = api(s.supervisor).post(
        "/api/v1/evaluation-appeals/", {"evaluation": s.evaluation.pk, "reason": "评分偏低"}
    )
    assert lodged.status_code == 201
    pk = lodged.json()["id"]
    assert (
        api(s.supervisor)
        .post(f"/api/v1/evaluation-appeals/{pk}/decide/", {"upheld": False, "decision": "否"})
        .status_code
        == 403
    )
    assert (
        api(s.world.district_admin)
        .post(f"/api/v1/evaluation-appeals/{pk}/decide/", {"upheld": False, "decision": "否"})
        .status_code
        == 404
    )
    decided = api(s.world.city_admin).post(
        f"/api/v1/evaluation-appeals/{pk}/decide/", {"upheld": False, "decision": "评分有据"}, format="json"
    )
    assert decided.status_code == 200 and Appeal.objects.get(pk=pk).status == "rejected"


def test_renewals_are_listed_for_the_keeper_only(s, api):
    assert api(s.world.city_admin).get("/api/v1/renewals/").status_code == 200
    assert api(s.served_admin).get("/api/v1/renewals/").json()["results"] == []


def test_the_owner_moves_the_review_deadline_over_the_api(s, api):
    import datetime as dt

    url = f"/api/v1/evaluation-cycles/{s.cycle.pk}/review-deadline/"
    later = (s.cycle.review_deadline + dt.timedelta(days=7)).isoformat()
    assert api(s.world.district_admin).post(url, {"review_deadline": later, "reason": "延期"}).status_code == 404
    assert api(s.world.city_admin).post(url, {"review_deadline": later}).status_code == 400
    moved = api(s.world.city_admin).post(url, {"review_deadline": later, "reason": "延期"})
    assert moved.status_code == 200 and moved.json()["review_deadline"] == later
    assert Cycle.objects.get(pk=s.cycle.pk).review_deadline.isoformat() == later


def test_a_late_score_is_refused_over_the_api(s, api):
    import datetime as dt

    scores = {"ethics": "80", "ability": "80", "performance": "80"}
    url = f"/api/v1/evaluations/{s.evaluation.pk}/party-scores/"
    api(s.world.association).post(url, {"party": "association", **scores})
    form = PartyForm.objects.get(party="association")
    Cycle.objects.filter(pk=s.cycle.pk).update(scoring_deadline=timezone.localdate() - dt.timedelta(days=1))
    late = api(s.world.association).post(f"/api/v1/evaluation-forms/{form.pk}/submit/", {**scores, "ethics": "90"})
    assert late.status_code == 400 and PartyForm.objects.get(pk=form.pk).ethics == 80


def test_the_supervisor_reads_no_party_s_comment_over_the_api(s, api):
    score_all(s)
    PartyForm.objects.filter(party="association").update(comment="协会意见：仅供主管部门")
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    client = api(s.supervisor)
    mine = client.get(f"/api/v1/evaluation-results/{s.evaluation.pk}/")
    assert mine.status_code == 200 and "协会意见" not in mine.content.decode()
    assert client.get("/api/v1/evaluation-forms/").json()["results"] == []
    assert "协会意见" in api(s.world.association).get("/api/v1/evaluation-forms/").content.decode()


# --- per evaluation: /evaluations/<id>/party-scores/ and /evaluations/<id>/appeal/ ----------------


def test_each_party_reads_only_its_own_scores_of_an_evaluation(s, api):
    url = f"/api/v1/evaluations/{s.evaluation.pk}/party-scores/"
    served = api(s.served_admin).get(url)
    assert served.status_code == 200
    assert [(r["party"], r["organization"]) for r in served.json()] == [("served_agency", s.world.agency.pk)]
    assert [r["party"] for r in api(s.home_admin).get(url).json()] == ["home_agency"]
    assert [r["party"] for r in api(s.world.association).get(url).json()] == ["association"]
    assert [r["party"] for r in api(s.world.city_admin).get(url).json()] == ["authority"]
    # Neither the supervisor evaluated nor an authority that does not own the cycle scores it.
    assert api(s.supervisor).get(url).status_code == 404
    assert api(s.world.district_admin).get(url).status_code == 404
    assert api(s.served_admin).get("/api/v1/evaluations/999999/party-scores/").status_code == 404


def test_a_party_scores_through_the_evaluation_and_never_sees_another_s_scores(s, api):
    url = f"/api/v1/evaluations/{s.evaluation.pk}/party-scores/"
    scores = {"ethics": "88", "ability": "77.5", "performance": "66", "comment": "家庭机构意见"}
    response = api(s.home_admin).post(url, {"party": "home_agency", **scores})
    assert response.status_code == 200
    (row,) = response.json()
    assert (row["ethics"], row["ability"], row["performance"]) == ("88.00", "77.50", "66.00")
    assert row["submitted_at"] and row["form"] == PartyForm.objects.get(party="home_agency").pk
    # The served agency's view of the same evaluation holds no trace of the home agency's scores.
    other = api(s.served_admin).get(url)
    assert "家庭机构意见" not in other.content.decode() and other.json()[0]["ethics"] is None
    # A party it is not is refused, and writes nothing.
    refused = api(s.served_admin).post(url, {"party": "home_agency", **scores})
    assert refused.status_code == 403
    assert PartyForm.objects.get(party="home_agency").ethics == 88


def test_bad_or_late_party_scores_are_400_and_write_nothing(s, api):
    import datetime as dt

    url = f"/api/v1/evaluations/{s.evaluation.pk}/party-scores/"
    client = api(s.world.association)
    assert (
        client.post(url, {"party": "association", "ethics": "101", "ability": 1, "performance": 1}).status_code == 400
    )
    assert client.post(url, {"party": "nobody", "ethics": 1, "ability": 1, "performance": 1}).status_code == 400
    Cycle.objects.filter(pk=s.cycle.pk).update(scoring_deadline=timezone.localdate() - dt.timedelta(days=1))
    late = client.post(url, {"party": "association", "ethics": 80, "ability": 80, "performance": 80})
    assert late.status_code == 400
    assert not PartyForm.objects.filter(party="association").exclude(submitted_at=None).exists()


def test_the_supervisor_appeals_through_the_evaluation_and_the_owner_decides_there(s, api):
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    url = f"/api/v1/evaluations/{s.evaluation.pk}/appeal/"
    # Unpublished, the result is not the supervisor's to see.
    assert api(s.supervisor).post(url, {"reason": "评分偏低"}).status_code == 404
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    assert api(s.world.supervisor).post(url, {"reason": "x"}).status_code == 404
    assert api(s.supervisor).post(url, {"reason": ""}).status_code == 400
    lodged = api(s.supervisor).post(url, {"reason": "评分偏低"})
    assert lodged.status_code == 201 and lodged.json()["status"] == "lodged"
    assert api(s.supervisor).post(url, {"reason": "再次申诉"}).status_code == 400
    assert [a["reason"] for a in api(s.supervisor).get(url).json()] == ["评分偏低"]
    decision = f"{url}decision/"
    assert api(s.supervisor).post(decision, {"upheld": False, "decision": "否"}).status_code == 403
    assert api(s.world.district_admin).post(decision, {"upheld": False, "decision": "否"}).status_code == 404
    decided = api(s.world.city_admin).post(decision, {"upheld": False, "decision": "评分有据"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "rejected"
    assert Appeal.objects.get(pk=lodged.json()["id"]).decision == "评分有据"
    again = api(s.world.city_admin).post(decision, {"upheld": False, "decision": "评分有据"}, format="json")
    assert again.status_code == 400


def test_a_party_whose_form_was_never_opened_scores_through_the_evaluation(s, api):
    PartyForm.objects.all().delete()
    url = f"/api/v1/evaluations/{s.evaluation.pk}/party-scores/"
    client = api(s.other_admin)
    assert [(r["party"], r["form"]) for r in client.get(url).json()] == [("served_agency", None)]
    scored = client.post(url, {"party": "served_agency", "ethics": 90, "ability": 90, "performance": 84})
    assert scored.status_code == 200
    form = PartyForm.objects.get()
    assert (form.party, form.organization_id, form.performance) == (
        "served_agency",
        s.world.other_agency_same_district.pk,
        84,
    )


def test_an_evaluation_carries_its_breakdown_and_its_result_once_published(s, api):
    url = f"/api/v1/evaluations/{s.evaluation.pk}/"
    score_all(s)
    results.compute(actor=s.world.city_admin, cycle=s.cycle)
    under_review = api(s.world.hrss).get(url).json()
    assert under_review["breakdown"]["indicator_points"]["service_hours"] == "100.00"
    assert under_review["breakdown"]["indicator_weights"]["service_hours"] == "20.00"
    # Under review the result is the owner's, not a reader's.
    assert under_review["breakdown"]["result"] is None and under_review["score"] is None
    assert under_review["grade"] == ""
    results.publish(actor=s.world.city_admin, cycle=s.cycle)
    published = api(s.world.hrss).get(url).json()
    evaluation = s.evaluation.__class__.objects.get(pk=s.evaluation.pk)
    assert published["score"] == f"{evaluation.score:.2f}" and published["grade"] == evaluation.grade
    assert published["breakdown"]["result"]["score"] == published["score"]
