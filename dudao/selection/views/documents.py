"""Print-ready documents of the nomination workflow: the 推荐表 of a
nomination, and a round's list of nominees per district and for the city,
as PDF and Excel."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dudao.accounts.units import unit_name
from dudao.core.excel import xlsx_response

from .. import documents, permissions, selectors


def pdf_response(content: bytes, filename: str) -> FileResponse:
    return FileResponse(BytesIO(content), as_attachment=True, filename=filename, content_type="application/pdf")


@login_required
def nomination_form(request, pk):
    return pdf_response(*documents.nomination_form_for(request.user, pk))


def _round_list(request, pk, district_pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if not permissions.reads_round_lists(request.user):
        raise PermissionDenied
    district = None
    if district_pk is None:
        # The city's list covers every district: only for whoever reads the whole round.
        if not permissions.reads_whole_round(request.user, round_):
            raise PermissionDenied
    else:
        district = next((d for d in selectors.round_list_districts(request.user, round_) if d.pk == district_pk), None)
        if district is None:
            raise Http404
    return round_, district, selectors.round_list(request.user, round_, district)


@login_required
def round_list_pdf(request, pk, district_pk=None):
    round_, district, nominations = _round_list(request, pk, district_pk)
    title = documents.round_list_title(round_, district)
    content = documents.round_list_pdf(round_, nominations, issuer=unit_name(request.user), district=district)
    return pdf_response(content, f"{title}-{timezone.localdate():%Y%m%d}.pdf")


@login_required
def round_list_xlsx(request, pk, district_pk=None):
    round_, district, nominations = _round_list(request, pk, district_pk)
    title = documents.round_list_title(round_, district)
    content = documents.round_list_xlsx(round_, nominations, user=request.user, district=district)
    return xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}.xlsx", content)
