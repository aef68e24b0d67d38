"""The supervision agreement (督导协议) as an A4 PDF in Chinese: the parties,
the term, the hours, the supervisees, goals, frequency, functions,
confidentiality and the subsidy basis (谁使用、谁补贴: the using organisation
pays), with each side's online confirmation time or a blank signature line.
The CJK font is the pool certificate's, embedded as a subset."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from dudao.core.pdf import register_font

from .models import Engagement


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


def _text(value) -> str:
    # Paragraph reads a little markup: the user's text must stay text.
    return escape(str(value or "—")).replace("\n", "<br/>")


def render(engagement: Engagement) -> bytes:
    font = register_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=1, spaceAfter=8 * mm)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=20, spaceBefore=4 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")

    e = engagement
    supervisor = e.supervisor
    supervisees = (
        _("All current staff of %(org)s") % {"org": e.organization.name}
        if e.covers_all_staff
        else "、".join(p.name for p in e.supervisees.order_by("name", "pk")) or "—"
    )
    story = [Paragraph(_text(_("Supervision agreement")), title_style)]

    def line(label, value):
        story.append(Paragraph(f"{_text(label)}：{_text(value)}", body))

    def section(label, value):
        story.append(Paragraph(_text(label), heading))
        story.append(Paragraph(_text(value), body))

    line(_("Party A (using organisation)"), e.organization.name)
    line(_("Party B (supervisor)"), supervisor.name)
    if e.home_organization_id:
        line(_("Supervisor's home agency"), e.home_organization.name)
    line(_("Kind"), e.get_kind_display())
    line(_("Pool entry"), f"{e.entry.entry_number}（{e.entry.get_level_display()}）")
    line(
        _("Term"),
        f"{date_format(e.starts_on, 'Y-m-d')} — {date_format(e.ends_on, 'Y-m-d')}",
    )
    if e.ended_on:
        line(_("Ended on"), date_format(e.ended_on, "Y-m-d"))
    line(_("Agreed hours per month"), f"{e.hours_per_month}")
    line(_("Supervisees"), supervisees)

    section(_("Goals"), e.goals)
    section(_("Frequency and hours"), e.frequency)
    section(_("Functions"), "、".join(e.functions or []) or "—")
    section(_("Confidentiality"), e.confidentiality)
    section(
        _("Subsidy basis"),
        e.subsidy_basis
        or _("Whoever uses the supervisor pays (谁使用、谁补贴): %(org)s pays for this supervision.")
        % {"org": e.organization.name},
    )

    story.append(Spacer(1, 10 * mm))
    blank = "＿＿＿＿＿＿＿＿＿＿"
    agency = (
        _("Confirmed online at %(time)s") % {"time": _when(e.agency_confirmed_at)}
        if e.agency_confirmed_at
        else _("Signature: %(line)s  Date: %(line)s") % {"line": blank}
    )
    supervisor_side = (
        _("Confirmed online at %(time)s") % {"time": _when(e.supervisor_confirmed_at)}
        if e.supervisor_confirmed_at
        else _("Signature: %(line)s  Date: %(line)s") % {"line": blank}
    )
    line(_("Party A (using organisation)"), f"{e.organization.name}  {agency}")
    line(_("Party B (supervisor)"), f"{supervisor.name}  {supervisor_side}")

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=f"{_('Supervision agreement')} {e.pk}",
        author=e.organization.name,
        pageCompression=1,
    )
    document.build(story)
    return buffer.getvalue()
