from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dudao.core.forms import add_service_errors, posted
from dudao.directory.selectors import find_by_id_number, organizations_for, people_for

from .. import permissions, selectors, services
from ..forms import (
    DirectNominationForm,
    NominateForm,
)
from ..models import Nomination

S = Nomination.Status


def _managed_organization(request, org_pk):
    organization = get_object_or_404(organizations_for(request.user), pk=org_pk)
    if not permissions.nominates_for(request.user, organization):
        raise PermissionDenied
    return organization


@login_required
def round_nominate(request, pk, org_pk):
    """The agency's nomination page: its quota, and every staff member with the
    eligibility rules checked one by one."""
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    organization = _managed_organization(request, org_pk)
    if request.method == "POST":
        person_pk = request.POST.get("person", "")
        if not person_pk.isdigit():
            raise Http404
        person = get_object_or_404(people_for(request.user), pk=person_pk)
        form = NominateForm(request.POST)
        if form.is_valid():
            try:
                nomination = services.create_nomination(
                    actor=request.user,
                    round_=round_,
                    person=person,
                    organization=organization,
                    statement=form.cleaned_data["statement"],
                )
                if request.POST.get("action") == "submit":
                    services.submit(actor=request.user, nomination=nomination)
                    messages.success(
                        request, _("%(name)s was nominated and sent to the district.") % {"name": person.name}
                    )
                else:
                    messages.success(request, _("Draft nomination saved for %(name)s.") % {"name": person.name})
                return redirect("selection:nomination_detail", pk=nomination.pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("selection:round_nominate", pk=round_.pk, org_pk=organization.pk)
    rows = selectors.nomination_sheet(round_, organization)
    # Those who can be nominated (or already are) first; the rest folded, each with what it lacks.
    ready = [row for row in rows if row["eligible"] or row["nomination"]]
    others = [row for row in rows if not (row["eligible"] or row["nomination"])]
    return render(
        request,
        "selection/nominate.html",
        {
            "round": round_,
            "organization": organization,
            "quota": selectors.quota_for(round_, organization),
            "rows": rows,
            "ready": ready,
            "others": others,
            "form": NominateForm(),
        },
    )


@login_required
def direct_create(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if not permissions.can_nominate_anywhere(request.user):
        raise PermissionDenied
    form = DirectNominationForm(posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = d["person"] or find_by_id_number(request.user, d["person_id_number"])
        employer = person.current_employer if person else None
        if person is None or employer is None:
            form.add_error("person_id_number", _("No person with this ID number is on a roster you can see."))
        else:
            try:
                nomination = services.create_nomination(
                    actor=request.user,
                    round_=round_,
                    person=person,
                    organization=employer,
                    path=Nomination.Path.DIRECT,
                    category=d["category"],
                    statement=d["statement"],
                )
                messages.success(request, _("Draft saved. Attach the evidence, then submit it to the city."))
                return redirect("selection:nomination_detail", pk=nomination.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
    return render(request, "selection/direct_form.html", {"round": round_, "form": form})
