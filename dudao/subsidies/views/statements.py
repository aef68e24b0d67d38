"""Pages of subsidy statements: the list (filters, sort, paging, Excel per
payer and month), a statement with its lines, the payer's confirm and pay
forms (each behind a confirmation step), the printable PDF, and the payer's
signed-off months still to compute."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import BootstrapMixin, add_service_errors, posted
from dudao.core.views import ListPage

from .. import pdf, permissions
from ..filters import StatementFilter
from ..models import Purpose, Statement
from ..selectors import statements as selectors
from ..services import statements as services

COLUMNS = [
    (gettext_lazy("Kind"), lambda s: s.get_kind_display()),
    (gettext_lazy("Month"), lambda s: f"{s.month:%Y-%m}"),
    (gettext_lazy("Supervisor"), lambda s: s.supervisor.name),
    (gettext_lazy("Using organisation"), lambda s: s.organization.name),
    (gettext_lazy("Payer"), lambda s: s.payer_name),
    (gettext_lazy("Pool level"), lambda s: s.get_pool_level_display()),
    (gettext_lazy("Confirmed hours"), lambda s: s.hours),
    (gettext_lazy("Amount before the ceiling"), lambda s: s.gross),
    (gettext_lazy("Total (yuan)"), lambda s: s.total),
    (gettext_lazy("Status"), lambda s: s.get_status_display()),
    (gettext_lazy("Paid on"), lambda s: s.paid_on or ""),
    (gettext_lazy("Payment reference"), lambda s: s.paid_reference),
    *[(p.label, (lambda key: lambda s: getattr(s, f"paid_{key}"))(p.value)) for p in Purpose],
]


class StatementList(ListPage):
    template_name = "subsidies/list.html"
    table_template = "subsidies/_table.html"
    filterset_class = StatementFilter
    sort_fields = {"month": ("month",), "total": ("total",), "status": ("status", "-month")}
    default_sort = "-month"
    export_title = gettext_lazy("Subsidy statements")
    export_columns = COLUMNS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.reads_any(request.user):
            raise PermissionDenied(_("Your role does not read subsidy statements."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.statements_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(computes=bool(permissions.paying_org_ids(self.request.user)), **kwargs)


class PayForm(BootstrapMixin, forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=gettext_lazy("Payment reference"), max_length=100)
    self_training = forms.DecimalField(
        label=Purpose.SELF_TRAINING.label, min_value=0, max_digits=12, decimal_places=2, required=False
    )
    self_improvement = forms.DecimalField(
        label=Purpose.SELF_IMPROVEMENT.label, min_value=0, max_digits=12, decimal_places=2, required=False
    )
    transport = forms.DecimalField(
        label=Purpose.TRANSPORT.label, min_value=0, max_digits=12, decimal_places=2, required=False
    )
    other = forms.DecimalField(label=Purpose.OTHER.label, min_value=0, max_digits=12, decimal_places=2, required=False)
    confirmed = forms.BooleanField(label=gettext_lazy("I confirm the payment was made as entered."))

    def purposes(self):
        return {p.value: self.cleaned_data.get(p.value) for p in Purpose if self.cleaned_data.get(p.value) is not None}


def statement_detail(request, pk):
    statement = selectors.statement_for(request.user, pk)
    return render(request, "subsidies/detail.html", _detail_context(request, statement))


def _detail_context(request, statement, pay_form=None):
    pays = permissions.pays(request.user, statement)
    if pay_form is None and pays and statement.status == Statement.Status.CONFIRMED:
        pay_form = PayForm(initial={"paid_on": timezone.localdate(), "other": statement.total})
    return {
        "statement": statement,
        "lines": statement.lines.all(),
        "pays": pays,
        "pay_form": pay_form,
        "purposes": [(p.label, getattr(statement, f"paid_{p.value}")) for p in Purpose],
    }


@login_required
@require_POST
def statement_confirm(request, pk):
    statement = selectors.statement_for(request.user, pk)
    if not permissions.pays(request.user, statement):
        raise PermissionDenied(_("Only the payer confirms and pays this statement."))
    if not request.POST.get("confirmed"):
        messages.error(request, _("Tick the box to confirm the statement."))
        return redirect("subsidies:statement_detail", pk=statement.pk)
    try:
        services.confirm(actor=request.user, statement=statement)
        messages.success(request, _("The statement is confirmed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("subsidies:statement_detail", pk=statement.pk)


@login_required
def statement_pay(request, pk):
    statement = selectors.statement_for(request.user, pk)
    if not permissions.pays(request.user, statement):
        raise PermissionDenied(_("Only the payer confirms and pays this statement."))
    form = PayForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.pay(
                actor=request.user,
                statement=statement,
                paid_on=d["paid_on"],
                reference=d["reference"],
                purposes=form.purposes(),
            )
            messages.success(request, _("The payment is recorded; the supervisor was told."))
            return redirect("subsidies:statement_detail", pk=statement.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if request.method == "GET":
        return redirect("subsidies:statement_detail", pk=statement.pk)
    return render(request, "subsidies/detail.html", _detail_context(request, statement, form), status=400)


@login_required
def statement_pdf(request, pk):
    statement = selectors.statement_for(request.user, pk)
    response = HttpResponse(pdf.render(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="subsidy-{statement.pk}.pdf"'
    return response


@login_required
def to_compute(request):
    if not permissions.paying_org_ids(request.user):
        raise PermissionDenied(_("Only a paying agency computes subsidy statements."))
    if request.method == "POST":
        sign_off = get_object_or_404(selectors.months_to_compute(request.user), pk=request.POST.get("sign_off") or 0)
        try:
            made = services.compute(actor=request.user, engagement=sign_off.engagement, month=sign_off.month)
            messages.success(request, _("The subsidy of %(month)s is computed.") % {"month": f"{sign_off.month:%Y-%m}"})
            return redirect("subsidies:statement_detail", pk=made[0].pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("subsidies:to_compute")
    months = list(selectors.months_to_compute(request.user)[:200])
    return render(request, "subsidies/to_compute.html", {"months": months})


urlpatterns = [
    path("statements/", StatementList.as_view(), name="statement_list"),
    path("statements/<int:pk>/", login_required(statement_detail), name="statement_detail"),
    path("statements/<int:pk>/confirm/", statement_confirm, name="statement_confirm"),
    path("statements/<int:pk>/pay/", statement_pay, name="statement_pay"),
    path("statements/<int:pk>/pdf/", statement_pdf, name="statement_pdf"),
    path("to-compute/", to_compute, name="to_compute"),
]
