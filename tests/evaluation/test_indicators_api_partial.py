from dudao.evaluation.models import Evaluation
from tests.evaluation.scoring_setup import scene


def test_an_evaluation_with_indicators_missing_reads_them_as_none_yet_not_a_server_error(world, api):
    s = scene(world)
    Evaluation.objects.filter(pk=s.evaluation.pk).update(indicators={"service_hours": "72.00"})
    client = api(world.city_admin)
    answer = client.get(f"/api/v1/evaluations/{s.evaluation.pk}/")
    assert answer.status_code == 200
    assert answer.json()["indicators"]["service_hours"] == "72.00"
    assert answer.json()["indicators"]["assessed"] == 0
    assert client.get("/api/v1/evaluations/").status_code == 200
