"""Every list's filter selects read in words (dudao.core.filters.readable_choices):
全部 for an empty choice, 全部/是/否 for a yes/no filter, and the city itself as
市级 among districts; and the organisation list names its name column 名称."""

import re

from django.urls import reverse

from dudao.directory.models import Jurisdiction


def _options(content, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', content, re.S).group(1)
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


def test_filter_selects_offer_all_yes_no_and_the_city_level(world, login):
    content = login(world.city_admin).get(reverse("directory:organization_list")).content.decode()
    assert "---------" not in content
    assert "未知" not in content
    assert _options(content, "is_active") == ["全部", "是", "否"]
    districts = _options(content, "jurisdiction")
    assert districts[0] == "全部"
    assert "市级" in districts and "金水区" in districts
    assert "郑州市" not in districts
    assert _options(content, "type")[0] == "全部"


def test_a_yes_no_filter_still_filters(world, login):
    client = login(world.city_admin)
    everyone = client.get(reverse("directory:organization_list"), {"is_active": "unknown"})
    active = client.get(reverse("directory:organization_list"), {"is_active": "true"})
    assert everyone.context["page_obj"].total.value == active.context["page_obj"].total.value > 0
    assert client.get(reverse("directory:organization_list"), {"is_active": "false"}).context["object_list"] == []


def test_the_organisation_list_reads_name_and_shows_the_city_as_city_level(world, login):
    content = login(world.city_admin).get(reverse("directory:organization_list")).content.decode()
    header = re.search(r"<thead>(.*?)</thead>", content, re.S).group(1)
    assert "名称" in header and "姓名" not in header
    # The trainer's organisation is registered with the city, not with a district.
    row = re.search(r"<tr>\s*<td><a [^>]*>启明培训</a></td>(.*?)</tr>", content, re.S).group(1)
    assert "<td>市级</td>" in row and "郑州市" not in row
    assert Jurisdiction.objects.get(code="410105").district_label == "金水区"


def test_a_list_of_fixed_choices_also_offers_all(world, login):
    content = login(world.city_admin).get(reverse("pools:entry_list")).content.decode()
    assert "---------" not in content
    assert _options(content, "status")[0] == "全部"
