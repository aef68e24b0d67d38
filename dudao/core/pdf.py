"""What every printed document shares: the CJK font (embedded as a subset,
so a PDF prints the same on any machine), dates written the formal way
(2026年11月30日), paragraph styles, and the box a seal and a signature go in.
The documents themselves live with their apps (the pool certificate, the
推荐表, the round lists, subsidy statements)."""

import datetime as dt
from functools import cache
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

FONT = "DudaoCJK"


@cache
def register_font() -> str:
    # ReportLab subsets a TrueType font on embedding: only the glyphs used are written.
    pdfmetrics.registerFont(TTFont(FONT, str(settings.DUDAO_CJK_FONT)))
    return FONT


def formal_date(value: dt.date | dt.datetime | None) -> str:
    """A date as an official document writes it: 2026年11月30日 in Chinese
    (Django's zh-Hans DATE_FORMAT), November 30, 2026 in English; a
    date-time is read in local time first."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return date_format(value, "DATE_FORMAT")


def text(value) -> str:
    """A value as Paragraph markup: escaped, and a dash for nothing."""
    return escape(str(value if value not in (None, "") else "—"))


def styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=20, leading=30, alignment=1, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=12, leading=18, alignment=1),
        "heading": ParagraphStyle(
            "heading", fontName=font, fontSize=12.5, leading=20, spaceBefore=4 * mm, spaceAfter=1.5 * mm
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=font, fontSize=8.5, leading=12, wordWrap="CJK"),
        "right": ParagraphStyle("right", fontName=font, fontSize=10.5, leading=17, alignment=2),
    }


def table_style(font: str) -> list:
    """The ruled look of a form: a grid, the label column shaded."""
    return [
        ("FONT", (0, 0), (-1, -1), font, 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]


class SealBox(Flowable):
    """A box for the opinion of one unit, its seal and its signature:
    "(seal)" and "signature: ___  date: ____年__月__日" on the right, room
    for the round seal above them."""

    def __init__(self, heading: str, opinion: str = "", *, width=174 * mm, height=36 * mm):
        super().__init__()
        self.heading, self.opinion = heading, opinion
        self.width, self.height = width, height

    def wrap(self, available_width, available_height):
        self.width = min(self.width, available_width)
        return self.width, self.height

    def draw(self):
        font = register_font()
        c = self.canv
        c.setLineWidth(0.5)
        c.rect(0, 0, self.width, self.height)
        c.setFont(font, 10.5)
        c.drawString(3 * mm, self.height - 6 * mm, self.heading)
        if self.opinion:
            c.setFont(font, 9.5)
            c.drawString(3 * mm, self.height - 12 * mm, self.opinion[:50])
        c.setFont(font, 10)
        c.drawRightString(self.width - 6 * mm, 15 * mm, _("(seal)"))
        c.drawString(6 * mm, 5 * mm, _("Signature of the person in charge:"))
        c.drawRightString(self.width - 6 * mm, 5 * mm, _("Date:      year    month    day"))


def draw_seal_area(canvas, x: float, y: float, radius: float = 21 * mm, label: str = "") -> None:
    """A dashed circle where the issuing authority stamps its seal."""
    canvas.saveState()
    canvas.setStrokeColor(colors.grey)
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.6)
    canvas.circle(x, y, radius)
    if label:
        canvas.setFillColor(colors.grey)
        canvas.setFont(register_font(), 9)
        canvas.drawCentredString(x, y - 1.5 * mm, label)
    canvas.restoreState()
