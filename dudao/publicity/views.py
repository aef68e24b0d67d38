"""Pages of 公示: the lists for signed-in users, the public page, the
objection form, and the keeper's queue and decision page."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import add_service_errors, form_errors_text, posted
from dudao.core.views import ListPage

from . import kinds, notice_pdf, permissions, selectors, services
from .filters import ItemFilter, NoticeFilter, ObjectionFilter
from .forms import ContactForm, DecisionForm, ObjectionForm
from .models import Item, Objection


class NoticeList(ListPage):
    template_name = "publicity/notice_list.html"
    table_template = "publicity/_notice_table.html"
    filterset_class = NoticeFilter
    sort_fields = {"starts": ("starts_on",), "ends": ("ends_on",), "title": ("title",)}
    default_sort = "-starts"
    export_title = gettext_lazy("Public notices")
    export_columns = [
        (gettext_lazy("Title"), lambda n: n.title),
        (gettext_lazy("Kind"), lambda n: kinds.label(n.kind)),
        (gettext_lazy("Keeper"), lambda n: n.jurisdiction.name),
        (gettext_lazy("First day"), lambda n: n.starts_on),
        (gettext_lazy("Last day"), lambda n: n.ends_on),
        (gettext_lazy("People"), lambda n: n.item_count),
        (gettext_lazy("Objections awaiting decision"), lambda n: n.pending_objections),
    ]

    def get(self, request, *args, **kwargs):
        # Periods that ended take effect when the lists are read, not only at night.
        services.settle_due()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.notices_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            today=timezone.localdate(),
            is_keeper=permissions.keeps_any(self.request.user),
            **kwargs,
        )


def _visible_notice(request, pk):
    return get_object_or_404(selectors.notices_for(request.user), pk=pk)


class NoticeDetail(ListPage):
    """The people of one list, with the objection link while the period runs."""

    template_name = "publicity/notice_detail.html"
    table_template = "publicity/_item_table.html"
    filterset_class = ItemFilter
    sort_fields = {"name": ("name",), "unit": ("unit", "name"), "district": ("district", "name")}
    default_sort = "name"
    export_title = gettext_lazy("Public notice")
    export_columns = [
        (gettext_lazy("Name"), lambda i: i.name),
        (gettext_lazy("Unit"), lambda i: i.unit),
        (gettext_lazy("District"), lambda i: i.district),
        (gettext_lazy("Path"), lambda i: i.path),
        (gettext_lazy("Status"), lambda i: i.get_status_display()),
        (gettext_lazy("Reason"), lambda i: i.status_reason),
    ]

    def get(self, request, *args, **kwargs):
        services.settle_due()
        self.notice = _visible_notice(request, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.items_for(self.request.user).filter(notice=self.notice)

    def get_context_data(self, **kwargs):
        keeper = permissions.can_keep(self.request.user, self.notice)
        return super().get_context_data(
            notice=self.notice,
            kind_label=kinds.label(self.notice.kind),
            running=self.notice.is_running(),
            is_keeper=keeper,
            contact_form=ContactForm(initial={"contact": self.notice.contact}) if keeper else None,
            **kwargs,
        )


@login_required
@require_POST
def notice_contact(request, pk):
    notice = _visible_notice(request, pk)
    if not permissions.can_keep(request.user, notice):
        raise PermissionDenied(_("Only the keeper of this public notice may change it."))
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            services.update_notice(actor=request.user, notice=notice, contact=form.cleaned_data["contact"])
            messages.success(request, _("The contact is saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("publicity:notice_detail", pk=notice.pk)


def _pdf_response(notice):
    filename = f"{_('Public notice')}-{notice.starts_on:%Y%m%d}-{notice.pk}.pdf"
    return FileResponse(
        BytesIO(notice_pdf.render(notice)), as_attachment=True, filename=filename, content_type="application/pdf"
    )


@login_required
def notice_print(request, pk):
    return _pdf_response(_visible_notice(request, pk))


@login_required
def objection_new(request, pk):
    item = get_object_or_404(selectors.items_for(request.user), pk=pk)
    form = ObjectionForm(posted(request))
    if form.is_valid():
        try:
            objection = services.lodge_objection(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your objection is lodged; the keeper will investigate and decide it."))
            if objection.lodged_by_id:
                return redirect("publicity:objection_detail", pk=objection.pk)
            return redirect("publicity:notice_detail", pk=item.notice_id)
    return render(request, "publicity/objection_form.html", {"item": item, "notice": item.notice, "form": form})


class ObjectionList(ListPage):
    """The keeper's queue of objections (and, for anyone, the ones they lodged)."""

    template_name = "publicity/objection_list.html"
    table_template = "publicity/_objection_table.html"
    filterset_class = ObjectionFilter
    sort_fields = {"lodged": ("lodged_at",), "name": ("item__name", "lodged_at")}
    default_sort = "-lodged"
    export_title = gettext_lazy("Objections to public notices")
    export_columns = [
        (gettext_lazy("Public notice"), lambda o: o.item.notice.title),
        (gettext_lazy("Name"), lambda o: o.item.name),
        (gettext_lazy("Unit"), lambda o: o.item.unit),
        (gettext_lazy("Lodged at"), lambda o: timezone.localtime(o.lodged_at).replace(tzinfo=None)),
        (gettext_lazy("Lodged by"), lambda o: _("Anonymous") if o.anonymous else str(o.lodged_by or "—")),
        (gettext_lazy("Contact"), lambda o: o.contact),
        (gettext_lazy("Objection"), lambda o: o.text),
        (gettext_lazy("Status"), lambda o: o.get_status_display()),
        (gettext_lazy("Reason for the decision"), lambda o: o.decision_reason),
    ]

    def get_queryset(self):
        return selectors.objections_for(self.request.user)


def _visible_objection(request, pk) -> Objection:
    return get_object_or_404(selectors.objections_for(request.user), pk=pk)


@login_required
def objection_detail(request, pk):
    objection = _visible_objection(request, pk)
    keeper = permissions.can_keep(request.user, objection.item.notice)
    if request.method == "POST" and not keeper:
        raise PermissionDenied(_("Only the keeper of this public notice decides its objections."))
    form = DecisionForm(posted(request)) if keeper and objection.status == Objection.Status.PENDING else None
    if form is not None and form.is_valid():
        try:
            objection = services.decide_objection(actor=request.user, objection=objection, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The objection is %(status)s.") % {"status": objection.get_status_display()})
            return redirect("publicity:objection_detail", pk=objection.pk)
    item = objection.item
    return render(
        request,
        "publicity/objection_detail.html",
        {
            "objection": objection,
            "item": item,
            "notice": item.notice,
            "is_keeper": keeper,
            "form": form,
            "record_url": kinds.get(item.notice.kind).record_url(item) if keeper else "",
            "others": item.objections.exclude(pk=objection.pk).select_related("decided_by") if keeper else [],
        },
    )


# --- public (no sign-in), only where the keeper's policy allows --------------------


def public_list(request):
    notices = list(selectors.public_notices())
    return render(request, "publicity/public_list.html", {"notices": notices})


def public_notice(request, pk):
    notice = selectors.public_notice(pk)
    if notice is None:
        raise Http404
    items = notice.items.order_by("name", "id").filter(status__in=[Item.Status.PENDING, Item.Status.EFFECTIVE])
    return render(request, "publicity/public_notice.html", {"notice": notice, "items": items})


def public_print(request, pk):
    notice = selectors.public_notice(pk)
    if notice is None:
        raise Http404
    return _pdf_response(notice)
