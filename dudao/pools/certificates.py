"""The pool certificate: an A4 PDF in Chinese with the entry number and the
verification code, the CJK font embedded as a subset so it prints the same on
any machine, and a QR code pointing at the public verification page."""

from functools import cache
from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .models import Entry

FONT = "DudaoCJK"

LEVEL_TITLES = {
    Entry.Level.CITY: gettext_lazy("%(city)s social work supervisor talent pool"),
    Entry.Level.DISTRICT: gettext_lazy("%(city)s social work supervisor talent pool"),
    Entry.Level.AGENCY: gettext_lazy("internal supervisors of %(org)s"),
}


@cache
def register_font() -> str:
    # ReportLab subsets a TrueType font on embedding: only the glyphs used are written.
    pdfmetrics.registerFont(TTFont(FONT, str(settings.DUDAO_CJK_FONT)))
    return FONT


def verification_url(entry: Entry) -> str:
    return settings.DUDAO_SITE_URL.rstrip("/") + reverse("pools:verify_code", args=[entry.verification_code])


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
    lines = [
        _("%(name)s:") % {"name": person.name},
        _("you are admitted to the %(pool)s.") % {"pool": title},
        _("This certificate is issued in witness thereof."),
    ]
    pdf.setFont(font, 15)
    y = height - 105 * mm
    for line in lines:
        pdf.drawString(35 * mm, y, line)
        y -= 12 * mm

    pdf.setFont(font, 12)
    details = [
        (_("Entry number"), entry.entry_number),
        (_("Admitted on"), date_format(entry.admitted_on, "Y-m-d")),
        (_("Valid until"), date_format(entry.expires_on, "Y-m-d")),
        (_("Service domains"), "、".join(d.name for d in entry.domains.all()) or "—"),
        (_("Verification code"), " ".join(entry.verification_code[i : i + 4] for i in range(0, 16, 4))),
    ]
    y -= 8 * mm
    for label, value in details:
        pdf.drawString(35 * mm, y, f"{label}: {value}")
        y -= 9 * mm

    url = verification_url(entry)
    qr = QrCodeWidget(url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 35 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 35 * mm - size, 30 * mm)
    pdf.setFont(font, 9)
    pdf.drawString(35 * mm, 35 * mm, _("Scan the QR code or open this address to verify the certificate:"))
    pdf.drawString(35 * mm, 30 * mm, url)

    if entry.level == Entry.Level.AGENCY:
        issuer = entry.organization.name
    else:
        issuer = _("%(jurisdiction)s civil affairs bureau") % {"jurisdiction": entry.jurisdiction.name}
    pdf.setFont(font, 14)
    pdf.drawRightString(width - 35 * mm, 80 * mm, issuer)
    pdf.drawRightString(width - 35 * mm, 70 * mm, date_format(entry.admitted_on, "Y-m-d"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
