"""The pool certificate: an A4 PDF in formal Chinese (full-width
punctuation, dates as 2026年11月30日, the issuing authority and a seal area)
with the entry number and the verification code, the CJK font embedded as a
subset so it prints the same on any machine, and a QR code pointing at the
public verification page under DUDAO_PUBLIC_URL."""

from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from dudao.core.pdf import FONT, draw_seal_area, formal_date, register_font, text

from .models import Entry

__all__ = ["FONT", "register_font", "render", "verification_url"]

LEVEL_TITLES = {
    Entry.Level.CITY: gettext_lazy("%(city)s social work supervisor talent pool"),
    Entry.Level.DISTRICT: gettext_lazy("%(city)s social work supervisor talent pool"),
    Entry.Level.AGENCY: gettext_lazy("internal supervisors of %(org)s"),
}


def verification_url(entry: Entry) -> str:
    return settings.DUDAO_PUBLIC_URL + reverse("pools:verify_code", args=[entry.verification_code])


def render(entry: Entry) -> bytes:
    font = register_font()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{_('Certificate of admission')} {entry.entry_number}")
    pdf.setAuthor(entry.jurisdiction.name if entry.jurisdiction else entry.organization.name)
    width, height = A4

    pdf.setLineWidth(2)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setLineWidth(0.5)
    pdf.rect(18 * mm, 18 * mm, width - 36 * mm, height - 36 * mm)

    title = str(LEVEL_TITLES[entry.level]) % {
        "city": entry.jurisdiction.name if entry.jurisdiction else "",
        "org": entry.organization.name if entry.organization else "",
    }
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 60 * mm, _("Certificate of admission"))
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 75 * mm, title)

    person = entry.person
    body = ParagraphStyle("body", fontName=font, fontSize=15, leading=26, firstLineIndent=30, wordWrap="CJK")
    pdf.setFont(font, 15)
    y = height - 100 * mm
    pdf.drawString(35 * mm, y, _("%(name)s:") % {"name": person.name})
    paragraph = Paragraph(
        text(
            _("Having been reviewed and approved, you are admitted to the %(pool)s. This certificate is hereby issued.")
            % {"pool": title}
        ),
        body,
    )
    _w, h = paragraph.wrapOn(pdf, width - 70 * mm, 60 * mm)
    y -= 6 * mm + h
    paragraph.drawOn(pdf, 35 * mm, y)

    pdf.setFont(font, 12)
    details = [
        (_("Entry number"), entry.entry_number),
        (_("Admitted on"), formal_date(entry.admitted_on)),
        *([(_("Renewed on"), formal_date(entry.certificate_issued_on))] if entry.certificate_issued_on else []),
        (_("Valid until"), formal_date(entry.expires_on)),
        (_("Service domains"), "、".join(d.name for d in entry.domains.all()) or "—"),
        (_("Verification code"), " ".join(entry.verification_code[i : i + 4] for i in range(0, 16, 4))),
    ]
    y -= 14 * mm
    for label, value in details:
        pdf.drawString(35 * mm, y, _("%(label)s: %(value)s") % {"label": label, "value": value})
        y -= 9 * mm

    url = verification_url(entry)
    qr = QrCodeWidget(url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 35 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, 30 * mm, 40 * mm)
    pdf.setFont(font, 9)
    pdf.drawString(30 * mm, 33 * mm, _("Scan the QR code or open this address to verify the certificate:"))
    pdf.drawString(30 * mm, 28 * mm, url)

    if entry.level == Entry.Level.AGENCY:
        issuer = entry.organization.name
    else:
        issuer = _("%(jurisdiction)s civil affairs bureau") % {"jurisdiction": entry.jurisdiction.name}
    # The issuing authority and the date, with the seal stamped across them.
    right = width - 35 * mm
    draw_seal_area(pdf, right - 22 * mm, 72 * mm)
    pdf.setFont(font, 14)
    pdf.drawRightString(right, 76 * mm, issuer)
    pdf.drawRightString(right, 66 * mm, formal_date(entry.certificate_issued_on or entry.admitted_on))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
