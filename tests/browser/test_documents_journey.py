"""A reviewer prints the 推荐表 from the nomination's page: the PDF that
downloads carries the nominee's name (extracted from the embedded font's
text, not guessed from the file name)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dudao.selection.models import Nomination
from tests.pools.pdftext import text_lines
from tests.selection.helpers import hire, hire_many, make_round, nominate

pytestmark = pytest.mark.browser


def test_a_nomination_form_pdf_downloads_from_the_nomination_page_with_the_nominees_name(world, page, sign_in):
    hire_many(world.agency, 13)
    person = hire(world.agency, name="王晓梅")
    round_ = make_round(world.city_admin, world.city)
    nomination = nominate(world, round_, person, statement="从事社区服务多年")

    sign_in("jinshui_admin")
    page.goto(f"{page.base_url}/selection/nominations/{nomination.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("王晓梅")
    link = page.get_by_test_id("nomination-form-pdf")
    expect(link).to_contain_text("推荐表")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert re.fullmatch(r".*推荐表-王晓梅\.pdf", download.suggested_filename), download.suggested_filename
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    text = "\n".join(text_lines(content))
    assert "王晓梅" in text and "郑州市社会工作督导培养对象推荐表" in text
    assert Nomination.objects.get(pk=nomination.pk).status == Nomination.Status.DISTRICT_REVIEW
