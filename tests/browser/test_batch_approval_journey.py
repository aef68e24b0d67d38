"""A district admin starts from its 工作台, follows the review to-do, clears the
queue in one batch (every nomination awaiting district review selected and
approved after one confirmation) and is back at a 工作台 with nothing left to
review; each went to the city through the review service."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dudao.core.models import AuditEntry
from dudao.selection.models import Nomination
from tests.selection.helpers import hire_many, make_round, nominate

pytestmark = pytest.mark.browser


def test_a_district_admin_approves_the_whole_queue_in_one_batch(world, page, sign_in):
    round_ = make_round(world.city_admin, world.city)
    people = hire_many(world.agency, 20)  # with 督导甲: 21 certified, so 3 places
    nominations = [nominate(world, round_, person) for person in people[:3]]

    sign_in("jinshui_admin")
    page.goto(page.base_url + reverse("accounts:home"))
    review = page.get_by_test_id("todo-card").filter(has_text="待区级审核")
    expect(review.get_by_test_id("todo-count")).to_have_text("3")
    review.click()
    table = page.get_by_test_id("nomination-table")
    expect(table.get_by_test_id("select-row")).to_have_count(3)
    page.get_by_test_id("select-all").check()
    for box in table.get_by_test_id("select-row").all():
        expect(box).to_be_checked()
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("approve-selected").click()

    expect(page.get_by_role("alert").filter(has_text="已通过 3 条")).to_be_visible()
    expect(table.get_by_test_id("select-row")).to_have_count(0)
    expect(table).to_contain_text("没有符合条件的推荐")
    page.goto(page.base_url + reverse("accounts:home"))
    expect(page.get_by_test_id("todo-card").filter(has_text="待区级审核")).to_have_count(0)
    statuses = set(Nomination.objects.filter(pk__in=[n.pk for n in nominations]).values_list("status", flat=True))
    assert statuses == {Nomination.Status.CITY_REVIEW}
    assert (
        AuditEntry.objects.filter(event="selection.nomination_status_changed", actor=world.district_admin).count() == 3
    )
