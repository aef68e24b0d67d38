"""Print-ready documents of the selection workflow: the 推荐表 of a
nomination (page and API) and a round's lists of nominees per district and
for the city (PDF and Excel), each scoped like the nominations they show."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from dudao.core import excel
from dudao.core.pdf import formal_date
from dudao.selection import eligibility, services
from dudao.selection.models import Nomination
from tests.excel import xlsx_rows, xlsx_sheet_rows
from tests.pools.pdftext import text_lines

from .helpers import hire_many, nominate

S = Nomination.Status


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    return "\n".join(text_lines(content))


@pytest.fixture
def reviewed(world, round_):
    """A jinshui nomination with a statement, approved by the district and
    by the city; and a 二七区 one awaiting its district."""
    staff = hire_many(world.agency, 14)
    nomination = nominate(world, round_, staff[0], statement="长期扎根社区一线，带教新社工八名。")
    services.review(actor=world.district_admin, nomination=nomination, decision="approve", reason="材料齐全")
    services.review(actor=world.city_admin, nomination=nomination, decision="approve", reason="同意")
    erqi = nominate(world, round_, hire_many(world.erqi_agency, 7)[0], org=world.erqi_agency, actor=world.outsider)
    return Nomination.objects.get(pk=nomination.pk), erqi


def form_url(nomination):
    return reverse("selection:nomination_form", args=[nomination.pk])


def test_the_nomination_form_holds_the_particulars_the_rules_the_statement_the_reviews_and_the_seals(
    world, login, reviewed
):
    nomination, _erqi = reviewed
    text = pdf_text(login(world.agency_admin).get(form_url(nomination)))
    today = formal_date(timezone.localdate())
    assert "郑州市社会工作督导培养对象推荐表" in text
    assert nomination.person.name in text and "金水阳光社工中心" in text and "金水区" in text
    assert nomination.person.id_number in text  # the nominating agency sees the full ID number
    for rule in nomination.eligibility:
        assert rule["label"] in text
    assert zh("Met") in text
    assert "长期扎根社区一线" in text
    # Each review: its stage, decision, reviewer with unit, date (2026年11月30日) and reason.
    assert "区县审核" in text and "市级审核" in text
    assert f"{world.district_admin}（金水区民政局）" in text and f"{world.city_admin}（郑州市民政局）" in text
    assert today in text and "年" in today and "材料齐全" in text
    for heading in ("推荐单位意见", "区县民政部门审核意见", "市级民政部门审核意见"):
        assert heading in text
    assert "（盖章）" in text and "负责人签字：" in text
    assert "\ufffd" not in text


def test_the_form_masks_the_id_number_for_a_reader_who_does_not_manage_the_person(world, login, reviewed):
    nomination, _erqi = reviewed
    text = pdf_text(login(world.hrss).get(form_url(nomination)))
    assert nomination.person.id_number not in text
    assert nomination.person.masked_id_number in text


def test_a_draft_form_shows_the_rules_as_checked_now_and_no_reviews_yet(world, login, round_):
    person = hire_many(world.agency, 14)[0]
    draft = nominate(world, round_, person, submit=False)
    text = pdf_text(login(world.agency_admin).get(form_url(draft)))
    labels = [str(r.label) for r in eligibility.check(person, round_=round_, organization=world.agency)]
    assert labels and all(label in text for label in labels)
    assert "尚未审核" in text


def test_a_direct_entry_form_names_its_category_and_leaves_out_the_district_stage(world, login, round_):
    person = hire_many(world.agency, 1)[0]
    direct = nominate(
        world,
        round_,
        person,
        actor=world.district_admin,
        path=Nomination.Path.DIRECT,
        category=Nomination.Category.DISTRICT_SELECTED,
        submit=False,
    )
    text = pdf_text(login(world.district_admin).get(form_url(direct)))
    assert direct.get_category_display() in text.replace("\n", "")
    assert "市级民政部门审核意见" in text and "区县民政部门审核意见" not in text


def test_the_nomination_page_links_its_form(world, login, reviewed):
    nomination, _erqi = reviewed
    page = login(world.district_admin).get(reverse("selection:nomination_detail", args=[nomination.pk]))
    assert form_url(nomination) in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("agency_admin", 200),
        ("district_admin", 200),
        ("city_admin", 200),
        ("hrss", 200),
        ("erqi_admin", 404),
        ("outsider", 404),
        ("trainer", 404),
    ],
)
def test_the_form_is_scoped_like_the_nomination(world, login, reviewed, persona, status):
    nomination, _erqi = reviewed
    assert login(world.persona(persona)).get(form_url(nomination)).status_code == status


def test_the_form_needs_a_login(client, reviewed):
    response = client.get(form_url(reviewed[0]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_api_gives_the_form_as_a_pdf_and_refuses_out_of_scope_as_json(world, api, reviewed):
    nomination, _erqi = reviewed
    url = f"/api/v1/nominations/{nomination.pk}/form/"
    response = api(world.district_admin).get(url)
    assert nomination.person.name in pdf_text(response)
    assert "attachment" in response["Content-Disposition"]
    assert api(world.district_admin).get(url, HTTP_ACCEPT="application/pdf").status_code == 200
    refused = api(world.erqi_admin).get(url + "?format=pdf")
    assert refused.status_code == 404 and refused["Content-Type"].startswith("application/json")


# --- round lists ---------------------------------------------------------------------------


def list_url(round_, kind, district=None):
    if district is None:
        return reverse(f"selection:round_list_{kind}", args=[round_.pk])
    return reverse(f"selection:district_list_{kind}", args=[round_.pk, district.pk])


def test_the_city_list_holds_every_district_in_pdf_and_excel(world, login, round_, reviewed):
    nomination, erqi = reviewed
    client = login(world.city_admin)
    text = pdf_text(client.get(list_url(round_, "pdf")))
    assert f"推荐人选名单（{round_.title}）" in text
    assert nomination.person.name in text and erqi.person.name in text
    assert "制表单位：郑州市民政局" in text and formal_date(timezone.localdate()) in text
    assert "共2人" in text and "（盖章）" in text

    response = client.get(list_url(round_, "xlsx"))
    sheet = xlsx_sheet_rows(response)
    assert sheet[0][0] == f"推荐人选名单（{round_.title}）"
    assert sheet[1][0].startswith("制表单位：郑州市民政局")
    assert sheet[excel.TITLE_ROWS][0] == "序号"
    rows = xlsx_rows(response)
    names = {r[0]: r for r in rows[1:]}
    assert set(names) == {nomination.person.name, erqi.person.name}
    assert names[nomination.person.name][4] == "金水区"
    assert isinstance(names[nomination.person.name][-1], dt.datetime)  # the submission date is a date cell


def test_a_district_prints_its_own_list_only(world, login, round_, reviewed):
    nomination, erqi = reviewed
    client = login(world.district_admin)
    page = client.get(reverse("selection:round_detail", args=[round_.pk]))
    assert page.context["lists"] == {"city": False, "districts": [world.jinshui]}
    assert list_url(round_, "pdf", world.jinshui) in page.content.decode()
    text = pdf_text(client.get(list_url(round_, "pdf", world.jinshui)))
    assert nomination.person.name in text and erqi.person.name not in text
    assert f"金水区推荐人选名单（{round_.title}）" in text and "制表单位：金水区民政局" in text
    rows = xlsx_rows(client.get(list_url(round_, "xlsx", world.jinshui)))
    assert [r[0] for r in rows[1:]] == [nomination.person.name]
    # Another district's list is not found; the city's is not this reader's.
    assert client.get(list_url(round_, "pdf", world.erqi)).status_code == 404
    assert client.get(list_url(round_, "xlsx")).status_code == 403


def test_drafts_and_withdrawn_nominations_are_not_listed(world, login, round_, reviewed):
    nomination, erqi = reviewed
    draft = nominate(world, round_, hire_many(world.agency, 1)[0], submit=False)
    services.withdraw(actor=world.outsider, nomination=erqi, reason="本人放弃")
    rows = xlsx_rows(login(world.city_admin).get(list_url(round_, "xlsx")))
    assert [r[0] for r in rows[1:]] == [nomination.person.name]
    assert draft.person.name not in [r[0] for r in rows]


@pytest.mark.parametrize("persona", ["agency_admin", "supervisor", "trainer"])
def test_roles_that_read_no_jurisdiction_get_no_lists(world, login, round_, reviewed, persona):
    client = login(world.persona(persona))
    assert client.get(reverse("selection:round_detail", args=[round_.pk])).context["lists"] is None
    assert client.get(list_url(round_, "pdf")).status_code == 403
    assert client.get(list_url(round_, "xlsx", world.jinshui)).status_code == 403
