"""The selection app's printed documents: the 推荐表 of one nomination and
the lists of a round (per district, for the city) as PDF and Excel. What
they show is read through the selectors, in the user's scope; who may ask
for a list is the permissions module's to say."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from dudao.accounts.units import unit_name
from dudao.core.excel import workbook_bytes
from dudao.core.pdf import SealBox, formal_date, register_font, styles, table_style, text
from dudao.directory.permissions import can_see_full_id

from . import selectors
from .models import Nomination

S = Nomination.Status
REVIEW_STAGES = (S.DISTRICT_REVIEW, S.CITY_REVIEW)
STAGE_LABELS = {
    S.DISTRICT_REVIEW: gettext_lazy("District review"),
    S.CITY_REVIEW: gettext_lazy("City review"),
}
DECISIONS = {
    S.CITY_REVIEW: gettext_lazy("Approved, forwarded to the city"),
    S.APPROVED: gettext_lazy("Approved"),
    S.RETURNED: gettext_lazy("Returned for revision"),
    S.REJECTED: gettext_lazy("Not approved"),
}


def _footer(label: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(register_font(), 8.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(doc.leftMargin, 10 * mm, label)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, 10 * mm, _("Page %(page)s") % {"page": canvas.getPageNumber()}
        )
        canvas.restoreState()

    return draw


def _grid(data, widths, font, extra=()):
    table = Table(data, colWidths=widths, repeatRows=0)
    table.setStyle(TableStyle(table_style(font) + list(extra)))
    return table


def reviews(nomination: Nomination) -> list:
    """The decisions taken at the review stages, oldest first (transitions
    prefetched with their actors)."""
    return [t for t in nomination.transitions.all() if t.from_status in REVIEW_STAGES and t.to_status in DECISIONS]


def _actor(user) -> str:
    if user is None:
        return "—"
    unit = unit_name(user)
    return f"{user}（{unit}）" if unit else str(user)


def nomination_form_title(nomination: Nomination) -> str:
    return _("%(city)s social work supervisor trainee nomination form") % {"city": nomination.round.jurisdiction.name}


def nomination_form_for(user, pk) -> tuple[bytes, str]:
    """The 推荐表 of a nomination the user can see (else 404) and its file
    name; the ID number in full only to whom the directory shows it."""
    nomination = selectors.nomination_form(user, pk)
    pdf = render_nomination_form(
        nomination,
        results=selectors.eligibility_of(nomination),
        show_full_id=can_see_full_id(user, nomination.person),
    )
    return pdf, f"{nomination_form_title(nomination)}-{nomination.person.name}.pdf"


def render_nomination_form(nomination: Nomination, *, results: list, show_full_id: bool) -> bytes:
    """The 推荐表: the nominee's particulars, the eligibility rule by rule,
    the statement, each review with its reviewer and date, and boxes for the
    opinions, seals and signatures of the units that sign it."""
    font = register_font()
    st = styles()
    cell = st["cell"]
    person = nomination.person

    def p(value):
        return Paragraph(text(value), cell)

    story = [
        Paragraph(text(nomination_form_title(nomination)), st["title"]),
        Paragraph(text(nomination.round.title), st["subtitle"]),
        Spacer(1, 2 * mm),
        Paragraph(
            text(
                _("Nomination no. %(number)s, printed on %(date)s")
                % {"number": nomination.pk, "date": formal_date(timezone.localdate())}
            ),
            st["right"],
        ),
        Paragraph(text(_("I. The nominee")), st["heading"]),
    ]
    certificates = list(person.certificates.all())
    certificate_text = (
        "；".join(
            _("%(level)s (no. %(number)s, obtained %(date)s)")
            % {"level": c.level.name, "number": c.number, "date": formal_date(c.issued_on)}
            for c in certificates
        )
        or "—"
    )
    category = nomination.get_category_display()
    particulars = [
        [_("Name"), p(person.name), _("Gender"), p(person.get_gender_display() if person.id_number else "")],
        [
            _("Date of birth"),
            p(formal_date(person.birth_date)),
            _("ID number"),
            p(person.id_number if show_full_id else person.masked_id_number),
        ],
        [_("Education"), p(person.education.name if person.education else ""), _("Major"), p(person.major)],
        [
            _("Nominating unit"),
            p(nomination.organization.name),
            _("District"),
            p(nomination.organization.jurisdiction.name),
        ],
        [
            _("Frontline practice since"),
            p(formal_date(person.frontline_since)),
            _("Path"),
            p(nomination.get_path_display() + (f"（{category}）" if category else "")),
        ],
        [_("Social work certificates"), p(certificate_text), "", ""],
    ]
    particulars = [[p(v) if i % 2 == 0 and v else v for i, v in enumerate(row)] for row in particulars]
    story.append(
        _grid(
            particulars,
            [32 * mm, 55 * mm, 28 * mm, 59 * mm],
            font,
            [("SPAN", (1, 5), (3, 5)), ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke)]
            + [("BACKGROUND", (2, 0), (2, 4), colors.whitesmoke)],
        )
    )

    story.append(Paragraph(text(_("II. Eligibility, rule by rule")), st["heading"]))
    rows = [[_("No."), _("Condition"), _("Result"), _("Detail")]]
    for number, r in enumerate(results, start=1):
        rows.append([str(number), p(r.label), _("Met") if r.passed else _("Not met"), p(r.detail)])
    if not results:
        rows.append(["", p(_("Not checked yet.")), "", ""])
    story.append(
        _grid(
            rows,
            [12 * mm, 48 * mm, 20 * mm, 94 * mm],
            font,
            [("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke), ("ALIGN", (0, 0), (0, -1), "CENTER")],
        )
    )

    story.append(Paragraph(text(_("III. Recommendation")), st["heading"]))
    statement = Table([[Paragraph(text(nomination.statement), st["body"])]], colWidths=[174 * mm])
    statement.setStyle(TableStyle(table_style(font) + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(statement)

    story.append(Paragraph(text(_("IV. Reviews")), st["heading"]))
    decided = reviews(nomination)
    rows = [[_("Stage"), _("Decision"), _("Reviewer"), _("Date"), _("Reason")]]
    for t in decided:
        rows.append(
            [
                p(STAGE_LABELS[t.from_status]),
                p(DECISIONS[t.to_status]),
                p(_actor(t.actor)),
                p(formal_date(t.at)),
                p(t.reason),
            ]
        )
    if not decided:
        rows.append([p(_("Not reviewed yet.")), "", "", "", ""])
    story.append(
        _grid(
            rows,
            [24 * mm, 32 * mm, 44 * mm, 28 * mm, 46 * mm],
            font,
            [("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)],
        )
    )

    story.append(Paragraph(text(_("V. Opinions, seals and signatures")), st["heading"]))
    latest = {t.from_status: t for t in decided}
    submitted = nomination.submitted_at

    def opinion(stage):
        t = latest.get(stage)
        return f"{DECISIONS[t.to_status]}（{formal_date(t.at)}）" if t else ""

    boxes = [
        SealBox(
            _("Opinion of the nominating unit"),
            _("Recommended; submitted on %(date)s") % {"date": formal_date(submitted)} if submitted else "",
        )
    ]
    if nomination.path == Nomination.Path.QUOTA:
        boxes.append(SealBox(_("Opinion of the district civil affairs department"), opinion(S.DISTRICT_REVIEW)))
    boxes.append(SealBox(_("Opinion of the city civil affairs bureau"), opinion(S.CITY_REVIEW)))
    for box in boxes:
        story.append(KeepTogether([box, Spacer(1, 3 * mm)]))

    buffer = BytesIO()
    title = f"{nomination_form_title(nomination)} · {person.name}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=nomination.organization.name,
    )
    footer = _footer(f"{nomination.round.title} · {person.name}")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- the round lists ---------------------------------------------------------------------


def round_list_title(round_, district=None) -> str:
    if district is None:
        return _("List of nominees (%(round)s)") % {"round": round_.title}
    return _("List of nominees of %(district)s (%(round)s)") % {"round": round_.title, "district": district.name}


LIST_COLUMNS = [
    (gettext_lazy("Name"), lambda n: n.person.name),
    (gettext_lazy("Gender"), lambda n: n.person.get_gender_display() if n.person.id_number else ""),
    (gettext_lazy("Education"), lambda n: n.person.education.name if n.person.education else ""),
    (gettext_lazy("Nominating unit"), lambda n: n.organization.name),
    (gettext_lazy("District"), lambda n: n.organization.jurisdiction.name),
    (gettext_lazy("Path"), lambda n: n.get_path_display()),
    (gettext_lazy("Status"), lambda n: n.get_status_display()),
    (gettext_lazy("Submitted on"), lambda n: timezone.localtime(n.submitted_at).date() if n.submitted_at else None),
]


def round_list_xlsx(round_, nominations, *, user, district=None) -> bytes:
    return workbook_bytes(round_list_title(round_, district), LIST_COLUMNS, nominations, user=user)


def round_list_pdf(round_, nominations, *, issuer: str, district=None) -> bytes:
    """The list on A4 landscape: the title, the issuing unit and the date,
    a numbered table whose header repeats on every page, and the seal area."""
    font = register_font()
    st = styles()
    cell = st["cell"]
    title = round_list_title(round_, district)
    today = formal_date(timezone.localdate())
    story = [Paragraph(text(title), st["title"])]
    issued = Table(
        [
            [
                Paragraph(text(_("Issued by: %(unit)s") % {"unit": issuer} if issuer else ""), st["body"]),
                Paragraph(text(_("Exported on: %(date)s") % {"date": today}), st["right"]),
            ]
        ],
        colWidths=[126 * mm, 126 * mm],
    )
    issued.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(issued)
    story.append(Spacer(1, 2 * mm))
    rows = [[_("No."), *[str(label) for label, _value in LIST_COLUMNS]]]
    count = 0
    for count, n in enumerate(nominations, start=1):
        values = []
        for _label, value in LIST_COLUMNS:
            v = value(n)
            values.append(Paragraph(text(formal_date(v) if hasattr(v, "year") else v), cell))
        rows.append([str(count), *values])
    if not count:
        rows.append(["", Paragraph(text(_("No nominations.")), cell), *[""] * (len(LIST_COLUMNS) - 1)])
    widths = [12 * mm, 24 * mm, 14 * mm, 22 * mm, 62 * mm, 24 * mm, 28 * mm, 34 * mm, 32 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            table_style(font)
            + [("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke), ("ALIGN", (0, 0), (0, -1), "CENTER")]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(text(_("%(count)s nominees in all.") % {"count": count}), st["body"]))
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([SealBox(issuer or _("Issuing unit"), width=120 * mm, height=36 * mm)]))
    buffer = BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=title,
    )
    footer = _footer(f"{title} · {today}")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
