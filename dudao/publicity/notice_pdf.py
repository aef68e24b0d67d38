"""The printable 公示 notice: an A4 PDF in the formal layout of a bureau's
notice — title, the body with the period and how to object, the list (序号,
name, unit, district, path), the contact, the issuing authority and date. The
CJK font is the project's (settings.DUDAO_CJK_FONT), embedded as a subset."""

from functools import cache
from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import kinds
from .models import Item, Notice

FONT = "DudaoCJK"


@cache
def _font() -> str:
    # The same name the certificate registers: registering twice is harmless.
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(settings.DUDAO_CJK_FONT)))
    return FONT


def long_date(day) -> str:
    return _("%(year)s-%(month)s-%(day)s") % {"year": day.year, "month": day.month, "day": day.day}


def _styles(font):
    base = {"fontName": font, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=20, leading=30, alignment=TA_CENTER, **base),
        "body": ParagraphStyle("body", fontSize=12, leading=22, firstLineIndent=24, **base),
        "cell": ParagraphStyle("cell", fontSize=10.5, leading=14, **base),
        "right": ParagraphStyle("right", fontSize=12, leading=22, alignment=TA_RIGHT, **base),
    }


def render(notice: Notice) -> bytes:
    font = _font()
    style = _styles(font)
    buffer = BytesIO()
    issuer = _("%(jurisdiction)s civil affairs bureau") % {"jurisdiction": notice.jurisdiction.name}
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=notice.title,
        author=issuer,
    )
    items = list(notice.items.exclude(status=Item.Status.STOPPED).order_by("name", "id"))
    public_url = settings.DUDAO_SITE_URL.rstrip("/") + reverse("publicity:notice_detail", args=[notice.pk])
    story = [
        Paragraph(notice.title, style["title"]),
        Spacer(1, 6 * mm),
        Paragraph(
            _(
                "In accordance with Zheng Min Wen [2018] No. 22, the following %(count)s people (%(kind)s) are "
                "published for public notice from %(start)s to %(end)s. They take the new status when the period "
                "ends with no objection upheld."
            )
            % {
                "count": len(items),
                "kind": kinds.label(notice.kind),
                "start": long_date(notice.starts_on),
                "end": long_date(notice.ends_on),
            },
            style["body"],
        ),
        Paragraph(
            _(
                "Anyone with an objection may lodge it during the period, by name or anonymously with a contact, "
                "on the platform (%(url)s) or with the contact below. The keeper investigates each objection and "
                "decides it with a reason."
            )
            % {"url": public_url},
            style["body"],
        ),
        Spacer(1, 4 * mm),
    ]
    header = [_("No."), _("Name"), _("Unit"), _("District"), _("Path")]
    rows = [[Paragraph(h, style["cell"]) for h in header]]
    for number, item in enumerate(items, start=1):
        rows.append(
            [Paragraph(str(value), style["cell"]) for value in (number, item.name, item.unit, item.district, item.path)]
        )
    table = Table(rows, colWidths=[12 * mm, 24 * mm, 62 * mm, 26 * mm, 36 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 8 * mm),
        Paragraph(
            _("Period of the public notice: %(start)s to %(end)s")
            % {"start": long_date(notice.starts_on), "end": long_date(notice.ends_on)},
            style["body"],
        ),
        Paragraph(_("Contact: %(contact)s") % {"contact": notice.contact or issuer}, style["body"]),
        Spacer(1, 14 * mm),
        Paragraph(issuer, style["right"]),
        Paragraph(long_date(notice.starts_on), style["right"]),
    ]
    doc.build(story)
    return buffer.getvalue()
