"""A subsidy statement as an A4 PDF in Chinese: payer, supervisor, month, the
lines with their rates, the ceiling's adjustment, the total, and the
confirmation and payment when there are. The CJK font is the one every
document uses (dudao/core/pdf.py), embedded as a subset."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dudao.core.pdf import register_font

from .models import Purpose, Statement


def _text(value) -> str:
    return escape(str(value if value not in (None, "") else "—"))


def render(statement: Statement) -> bytes:
    font = register_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=6 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    s = statement
    story = [Paragraph(_text(s.get_kind_display()), title_style)]

    def line(label, value):
        story.append(Paragraph(f"{_text(label)}：{_text(value)}", body))

    line(_("Payer"), s.payer_name)
    line(_("Supervisor"), s.supervisor.name)
    line(_("Using organisation"), s.organization.name)
    line(_("Pool level"), s.get_pool_level_display())
    line(_("Month"), f"{s.month:%Y-%m}")
    line(_("Status"), s.get_status_display())
    story.append(Spacer(1, 4 * mm))
    data = [[_("Line"), _("Date"), _("Hours"), _("Rate per hour"), _("Amount (yuan)"), _("Description")]]
    for ln in s.lines.all():
        data.append(
            [
                str(ln.position),
                ln.date.isoformat() if ln.date else "",
                str(ln.hours) if ln.kind == "session" else "",
                str(ln.rate) if ln.rate is not None else "",
                str(ln.amount),
                ln.description[:40],
            ]
        )
    data.append(["", _("Total"), str(s.hours), "", str(s.total), ""])
    table = Table(data, colWidths=[12 * mm, 26 * mm, 18 * mm, 26 * mm, 28 * mm, 60 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("ALIGN", (2, 1), (4, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    if s.ceiling is not None:
        line(_("Monthly ceiling"), _("%(amount)s yuan") % {"amount": s.ceiling})
    line(_("Total"), _("%(amount)s yuan") % {"amount": s.total})
    if s.confirmed_at:
        line(_("Confirmed at"), date_format(timezone.localtime(s.confirmed_at), "Y-m-d H:i"))
    if s.paid_on:
        line(_("Paid on"), s.paid_on.isoformat())
        line(_("Payment reference"), s.paid_reference)
        for p in Purpose:
            line(p.label, _("%(amount)s yuan") % {"amount": getattr(s, f"paid_{p.value}")})
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=str(s)).build(story)
    return buffer.getvalue()
