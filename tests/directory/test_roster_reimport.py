"""Importing the agency's roster again: its own current staff are matched by ID
number and updated (never refused as "still employed elsewhere"), new people
are added, and the page previews adds, changes and unchanged rows before a
confirmation writes them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dudao.core.models import AuditEntry
from dudao.directory.imports import ImportRejected, import_roster, plan_roster
from dudao.directory.models import Person

from .test_imports import TODAY, _id, _row, _xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def imported(world):
    """Two staff of world.agency, imported once."""
    import_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx([_row(1), _row(2)]), today=TODAY)
    return [Person.objects.with_id_number(_id(n)).get() for n in (1, 2)]


def test_the_same_file_again_is_all_unchanged_and_writes_nothing_new(world, imported):
    plan = plan_roster(
        actor=world.agency_admin, organization=world.agency, upload=_xlsx([_row(1), _row(2)]), today=TODAY
    )
    assert (len(plan.added), len(plan.changed), len(plan.unchanged)) == (0, 0, 2)


def test_a_reimport_updates_own_staff_adds_new_people_and_audits(world, imported):
    rows = [_row(1, phone="13900000999", position="督导助理", service_domains="养老、医疗"), _row(2), _row(3)]
    plan = plan_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx(rows), today=TODAY)
    assert [r["name"] for r in plan.added] == ["导入3"]
    assert [r["existing"].name for r in plan.changed] == ["导入1"]
    assert [r["existing"].name for r in plan.unchanged] == ["导入2"]
    fields = {c["key"]: (c["old"], c["new"]) for c in plan.changed[0]["changes"]}
    assert fields["phone"] == ("13900000001", "13900000999")
    assert fields["position"] == ("一线社工", "督导助理")
    assert fields["service_domains"][1].endswith("医疗")

    count = import_roster(
        actor=world.agency_admin, organization=world.agency, upload=_xlsx(rows), today=TODAY, digest=plan.digest
    )
    assert count == 2  # one added, one changed
    first = Person.objects.get(pk=imported[0].pk)
    assert first.phone == "13900000999"
    assert first.employments.get().position == "督导助理"
    assert first.employments.count() == 1
    assert {d.name for d in first.service_domains.all()} == {"养老", "社区", "医疗"}
    assert Person.objects.with_id_number(_id(3)).get().employer == world.agency
    assert AuditEntry.objects.filter(event="directory.person_updated", object_id=str(first.pk)).exists()


def test_an_own_staff_row_is_never_refused_as_employed_elsewhere(world, imported):
    plan = plan_roster(
        actor=world.agency_admin, organization=world.agency, upload=_xlsx([_row(1, name="导入一")]), today=TODAY
    )
    assert plan.changed[0]["changes"][0]["key"] == "name"


def test_a_person_employed_by_another_unit_is_still_refused(world, imported):
    with pytest.raises(ImportRejected):
        plan_roster(actor=world.outsider, organization=world.erqi_agency, upload=_xlsx([_row(1)]), today=TODAY)


def test_the_confirmation_refuses_a_plan_that_changed_since_the_preview(world, imported):
    rows = [_row(1, position="督导助理")]
    plan = plan_roster(actor=world.agency_admin, organization=world.agency, upload=_xlsx(rows), today=TODAY)
    other = [_row(1, position="项目主管")]
    with pytest.raises(ValidationError):
        import_roster(
            actor=world.agency_admin, organization=world.agency, upload=_xlsx(other), today=TODAY, digest=plan.digest
        )
    assert Person.objects.get(pk=imported[0].pk).employments.get().position == "一线社工"


def test_the_page_previews_then_writes_on_confirmation(world, login, imported, media):
    client = login(world.agency_admin)
    url = reverse("directory:roster_import", args=[world.agency.pk])
    rows = [_row(1, position="督导助理"), _row(2), _row(4)]
    response = client.post(url, {"file": _xlsx(rows)})
    html = response.content.decode()
    assert 'data-testid="import-preview"' in html
    assert "督导助理" in html and "导入4" in html
    assert not Person.objects.with_id_number(_id(4)).exists()  # nothing written yet
    response = client.post(url, {"action": "confirm", "digest": response.context["plan"].digest})
    assert response.status_code == 302
    assert Person.objects.with_id_number(_id(4)).get().employer == world.agency
    assert Person.objects.get(pk=imported[0].pk).employments.get().position == "督导助理"
    assert not list(media.rglob("*.xlsx"))  # the kept file is gone


def test_a_confirmation_without_a_preview_writes_nothing(world, login, imported, media):
    before = Person.objects.count()
    response = login(world.agency_admin).post(
        reverse("directory:roster_import", args=[world.agency.pk]), {"action": "confirm", "digest": "x"}, follow=True
    )
    assert response.status_code == 200
    assert Person.objects.count() == before
    assert list(response.context["messages"])
