"""The certificate: a PDF whose Chinese text is really there (the CJK font
embedded as a subset, with a ToUnicode map so the text can be extracted),
with the entry number, the verification code and the verification address.
No PDF library is installed, so tests/pools/pdftext.py reads it.

Speed is measured by bench/certificate.py, not here."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from dudao.pools import certificates, services
from dudao.pools.models import Entry

from .pdftext import fonts, text_lines


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def _cjk_font(pdf):
    embedded = [f for f in fonts(pdf).values() if f.subtype == "TrueType"]
    assert embedded, "no TrueType font in the PDF"
    return embedded


def test_the_font_is_embedded_as_a_subset(world, pools):
    pdf = certificates.render(pools.city)
    assert pdf.startswith(b"%PDF-")
    for font in _cjk_font(pdf):
        # A subset is named with a six-letter tag: /ABCDEF+NotoSansSC-Regular.
        assert re.fullmatch(r"[A-Z]{6}\+NotoSansSC-Regular", font.base_font), font.base_font
        assert font.font_file2, "the TrueType program is not embedded (/FontFile2)"
        # Only the glyphs used: far smaller than the 10 MB font file.
        assert len(font.font_file2) < 200_000
        assert font.to_unicode
    assert len(pdf) < 100_000


def test_the_chinese_text_can_be_extracted(world, pools):
    entry = pools.city
    text = "\n".join(text_lines(certificates.render(entry)))
    assert "督导甲" in text
    assert "郑州市" in text
    assert "养老、社区" in text  # the domains
    assert zh("Certificate of admission") in text
    assert f"{zh('Entry number')}：{entry.entry_number}" in text  # full-width punctuation
    grouped = " ".join(entry.verification_code[i : i + 4] for i in range(0, 16, 4))
    assert grouped in text
    assert reverse("pools:verify_code", args=[entry.verification_code]) in text
    assert "\ufffd" not in text  # every glyph maps back to its character


def test_the_title_glyphs_map_to_their_characters(world, pools, monkeypatch):
    """With the zh-Hans title in place (the lead's catalogue supplies it), the
    glyphs of 入库证书 are in the subset and map back through ToUnicode."""
    catalogue = {"Certificate of admission": "入库证书", "Entry number": "入库编号", "Verification code": "验证码"}
    monkeypatch.setattr(certificates, "_", lambda message: catalogue.get(message, gettext(message)))
    pdf = certificates.render(pools.district)
    mapped = set()
    for font in _cjk_font(pdf):
        mapped |= set(font.to_unicode.values())
    assert set("入库证书") <= mapped
    lines = text_lines(pdf)
    assert "入库证书" in lines
    assert f"入库编号：{pools.district.entry_number}" in lines
    assert any(line.startswith("验证码：") for line in lines)
    assert "金水区" in "\n".join(lines)


def test_the_certificate_reads_formally_with_the_issuing_authority_dates_in_words_and_a_seal_area(
    world, pools, monkeypatch
):
    seals = []
    monkeypatch.setattr(certificates, "draw_seal_area", lambda canvas, x, y, **kw: seals.append((x, y)))
    entry = pools.city
    text = "\n".join(text_lines(certificates.render(entry)))
    admitted = f"{entry.admitted_on.year}年{entry.admitted_on.month}月{entry.admitted_on.day}日"
    assert f"入库日期：{admitted}" in text
    assert f"有效期至：{entry.expires_on.year}年{entry.expires_on.month}月{entry.expires_on.day}日" in text
    assert "督导甲：" in text and "经审核认定，你已入选郑州市社会工作督导人才库。特发此证。" in text
    assert "郑州市民政局" in text and text.count(admitted) >= 2  # the issuing authority dates it too
    assert ": " not in text.replace("http://", "").replace("https://", "")  # no half-width colons in the wording
    assert len(seals) == 1


def test_the_qr_code_and_the_printed_address_use_the_public_url(world, pools, settings, monkeypatch):
    settings.DUDAO_PUBLIC_URL = "https://dudao.zhengzhou.gov.cn"
    encoded = []
    real = certificates.QrCodeWidget
    monkeypatch.setattr(certificates, "QrCodeWidget", lambda value: encoded.append(value) or real(value))
    entry = pools.city
    expected = "https://dudao.zhengzhou.gov.cn" + reverse("pools:verify_code", args=[entry.verification_code])
    assert certificates.verification_url(entry) == expected
    text = "\n".join(text_lines(certificates.render(entry)))
    assert encoded == [expected]
    assert expected in text and "127.0.0.1" not in text


@pytest.mark.parametrize("level", ["city", "district", "agency"])
def test_every_level_renders(world, pools, level):
    entry = getattr(pools, level)
    text = "\n".join(text_lines(certificates.render(entry)))
    assert entry.person.name in text and entry.entry_number in text
    owner = entry.organization.name if entry.level == Entry.Level.AGENCY else entry.jurisdiction.name
    assert owner in text


def test_a_suspended_entry_still_renders(world, pools):
    services.change_status(actor=world.city_admin, entry=pools.city, to_status=Entry.Status.SUSPENDED, reason="暂停")
    assert pools.city.entry_number in "\n".join(text_lines(certificates.render(Entry.objects.get(pk=pools.city.pk))))


def test_certificate_download_page(world, pools, login):
    response = login(world.supervisor).get(reverse("pools:certificate", args=[pools.city.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and pools.city.entry_number in disposition
    pdf = b"".join(response.streaming_content)
    assert "督导甲" in "\n".join(text_lines(pdf))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("city_admin", 200), ("agency_admin", 200), ("erqi_admin", 404), ("outsider", 404), ("trainer", 404)],
)
def test_certificate_download_is_scoped(world, pools, login, persona, status):
    assert (
        login(world.persona(persona)).get(reverse("pools:certificate", args=[pools.district.pk])).status_code == status
    )


def test_certificate_needs_login(world, pools, client):
    response = client.get(reverse("pools:certificate", args=[pools.city.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_certificate_api(world, pools, api):
    response = api(world.supervisor).get(f"/api/v1/pool-entries/{pools.city.pk}/certificate/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert pools.city.entry_number in response["Content-Disposition"]
    assert "督导甲" in "\n".join(text_lines(response.content))
    # Asking for PDF only still gets a PDF; an entry out of scope is not found.
    assert (
        api(world.supervisor)
        .get(f"/api/v1/pool-entries/{pools.city.pk}/certificate/", HTTP_ACCEPT="application/pdf")
        .status_code
        == 200
    )
    assert api(world.erqi_admin).get(f"/api/v1/pool-entries/{pools.city.pk}/certificate/").status_code == 404


def test_a_renewal_issues_a_new_certificate_and_the_old_one_no_longer_verifies(world, pools, client):
    from django.utils import timezone

    entry = pools.city
    old_code = entry.verification_code
    later = entry.expires_on.replace(year=entry.expires_on.year + 3)
    services.renew(actor=world.city_admin, entry=entry, expires_on=later, reason="考评合格，续聘")
    entry = Entry.objects.get(pk=entry.pk)
    today = timezone.localdate()
    assert entry.verification_code != old_code and entry.certificate_issued_on == today
    text = "\n".join(text_lines(certificates.render(entry)))
    issued = f"{today.year}年{today.month}月{today.day}日"
    assert f"续聘日期：{issued}" in text and f"有效期至：{later.year}年{later.month}月{later.day}日" in text
    assert " ".join(entry.verification_code[i : i + 4] for i in range(0, 16, 4)) in text
    assert client.get(reverse("pools:verify_code", args=[entry.verification_code])).status_code == 200
    assert client.get(reverse("pools:verify_code", args=[old_code])).status_code == 404
