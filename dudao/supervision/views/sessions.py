"""Pages of supervision records: the list (per way in: given, attended, at the
agency, our supervisors elsewhere, the jurisdiction), a session with its
confirmations, the record form, and an engagement's months with sign-off."""

import datetime as dt

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.core.forms import BootstrapMixin, add_service_errors, form_errors_text, posted
from dudao.core.views import ListPage

from .. import permissions, types
from ..functions import functions_of
from ..models import Attendance, Engagement, Session, SuperviseeType
from ..selectors import sessions as selectors
from ..services import sessions as services


def parse_month(raw) -> dt.date | None:
    """'YYYY-MM' → its first day, or None when it is not such a month."""
    try:
        return dt.datetime.strptime(str(raw).strip(), "%Y-%m").date()
    except (TypeError, ValueError):
        return None


class MonthField(forms.CharField):
    default_error_messages = {"invalid": gettext_lazy("Give the month as YYYY-MM.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class MonthFilter(django_filters.Filter):
    field_class = MonthField


VIEW_CHOICES = [
    ("supervisor", gettext_lazy("Sessions I gave")),
    ("supervisee", gettext_lazy("Sessions I attended")),
    ("agency", gettext_lazy("Sessions at our agency")),
    ("home", gettext_lazy("Our supervisors elsewhere")),
    ("coverage", gettext_lazy("Sessions in our jurisdiction")),
]


class SessionFilter(django_filters.FilterSet):
    """The one filter of the session list, page and API alike."""

    # Which way in the list reads (selectors.sessions_for); the queryset is
    # already chosen by it, so the filter itself only validates the value.
    view = django_filters.ChoiceFilter(
        label=gettext_lazy("Sessions"),
        choices=VIEW_CHOICES,
        method="by_view",
        help_text=gettext_lazy(
            "supervisor: given; supervisee: attended; agency: at the agencies I run; "
            "home: our supervisors at other agencies (no notes); coverage: in my jurisdiction (no notes)"
        ),
    )
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=Session.Status.choices)
    month = MonthFilter(label=gettext_lazy("Month (YYYY-MM)"), field_name="month")
    engagement = django_filters.NumberFilter(label=gettext_lazy("Engagement"), field_name="engagement_id")
    supervisor = django_filters.CharFilter(label=gettext_lazy("Supervisor name"), method="by_supervisor")
    form = django_filters.ChoiceFilter(label=gettext_lazy("Form"), choices=Session.Form.choices)
    to_confirm = django_filters.BooleanFilter(
        label=gettext_lazy("To confirm"),
        method="by_to_confirm",
        widget=forms.Select(choices=[("", "---------"), ("true", gettext_lazy("Only those I still have to confirm"))]),
    )

    flagged = django_filters.BooleanFilter(
        label=gettext_lazy("Unconfirmed too long"),
        method="by_flagged",
        widget=forms.Select(choices=[("", "---------"), ("true", gettext_lazy("Only those flagged to the agency"))]),
    )

    class Meta:
        model = Session
        fields = ["view", "status", "month", "engagement", "supervisor", "form", "to_confirm", "flagged"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and request.user.is_authenticated:
            mine = {v.key for v in selectors.views_for(request.user)}
            view = self.filters["view"]
            view.extra["choices"] = [c for c in VIEW_CHOICES if c[0] in mine]
            # The copied filter may carry the form field built for the class
            # (the schema generator builds it): build it again with these choices.
            view.__dict__.pop("_field", None)

    def by_view(self, queryset, name, value):
        return queryset

    def by_flagged(self, queryset, name, value):
        if not value:
            return queryset
        return queryset & selectors.unconfirmed_flagged(self.request.user) if self.request else queryset.none()

    def by_supervisor(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(supervisor__name__contains=value) if value else queryset

    def by_to_confirm(self, queryset, name, value):
        if not value:
            return queryset
        pid = permissions.supervisee_person_id(self.request.user) if self.request else None
        if pid is None:
            return queryset.none()
        return queryset.filter(attendances__person_id=pid, attendances__status=Attendance.Status.PENDING)


def with_attendances(queryset):
    return queryset.prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("person").order_by("pk"))
    )


def _names(session) -> str:
    return "、".join(a.person.name for a in session.attendances.all())


BASE_COLUMNS = [
    (gettext_lazy("Date"), lambda s: s.date),
    (gettext_lazy("Start time"), lambda s: s.start_time.strftime("%H:%M")),
    (gettext_lazy("Duration (minutes)"), lambda s: s.duration_minutes),
    (gettext_lazy("Supervisor"), lambda s: s.supervisor.name),
    (gettext_lazy("Using organisation"), lambda s: s.organization.name),
    (gettext_lazy("Form"), lambda s: s.get_form_display()),
    (gettext_lazy("Functions"), lambda s: "、".join(s.functions)),
    (gettext_lazy("Supervisees"), _names),
    (gettext_lazy("Topics"), lambda s: s.topics),
    (gettext_lazy("Status"), lambda s: s.get_status_display()),
]
# Ratings are never a column: they are kept apart from the sessions (models.Rating).
NOTES_COLUMN = (gettext_lazy("Notes"), lambda s: s.notes)


class SessionList(ListPage):
    template_name = "supervision/sessions/list.html"
    table_template = "supervision/sessions/_table.html"
    filterset_class = SessionFilter
    sort_fields = {"date": ("date", "start_time")}
    default_sort = "-date"
    export_title = gettext_lazy("Supervision sessions")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.views_for(request.user):
            raise PermissionDenied(_("Your role does not read supervision sessions."))
        return super().dispatch(request, *args, **kwargs)

    @property
    def view(self):
        return selectors.view_named(self.request.user, self.request.GET.get("view"))

    @property
    def export_columns(self):
        return BASE_COLUMNS + ([NOTES_COLUMN] if self.view.notes else [])

    def get_queryset(self):
        return selectors.sessions_for(self.request.user, self.view.key)

    def get_export_queryset(self, queryset):
        return with_attendances(queryset)

    def decorate(self, rows):
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(
            rows, Prefetch("attendances", queryset=Attendance.objects.select_related("person").order_by("pk"))
        )
        return rows

    def get_context_data(self, **kwargs):
        user = self.request.user
        engagement = None
        if raw := self.request.GET.get("engagement"):
            try:
                engagement = selectors.engagement_for(user, raw)
            except Http404:
                engagement = None
        return super().get_context_data(
            views=selectors.views_for(user),
            current_view=self.view,
            engagement=engagement,
            live_engagements=selectors.live_engagements_for(user, self.view.key),
            **kwargs,
        )


# --- one session ------------------------------------------------------------------


class ConfirmForm(BootstrapMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Your rating of the supervision"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Nobody sees who gave which rating: the supervisor and the agency see only averages."),
    )
    comment = forms.CharField(label=gettext_lazy("Comment (optional)"), max_length=300, required=False)


class DisputeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why the session did not take place as recorded"), max_length=300)


class ResolveForm(BootstrapMixin, forms.Form):
    attendance = forms.IntegerField(widget=forms.HiddenInput)
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("yes", gettext_lazy("The session stands")), ("no", gettext_lazy("The session does not stand"))],
        coerce=lambda v: v == "yes",
    )
    resolution = forms.CharField(label=gettext_lazy("Resolution"), max_length=300)


@login_required
def session_detail(request, pk):
    seen = selectors.visible_session(request.user, pk)
    session = seen.session
    attendances = selectors.attendances_of(session)
    mine = None
    pid = permissions.supervisee_person_id(request.user)
    if seen.attended:
        mine = next((a for a in attendances if a.person_id == pid), None)
    uses = permissions.uses(request.user, session.engagement)
    is_supervisor = permissions.is_supervisor_of(request.user, session.engagement)
    return render(
        request,
        "supervision/sessions/detail.html",
        {
            "session": session,
            "attendances": attendances,
            "show_notes": seen.notes,
            "mine": mine,
            "confirm_form": ConfirmForm() if mine and mine.status == Attendance.Status.PENDING else None,
            "dispute_form": DisputeForm() if mine and mine.status == Attendance.Status.PENDING else None,
            "resolve_forms": [
                (a, ResolveForm(initial={"attendance": a.pk}, prefix=f"a{a.pk}"))
                for a in attendances
                if uses and a.status == Attendance.Status.DISPUTED
            ],
            "can_edit": is_supervisor and all(a.status == Attendance.Status.PENDING for a in attendances),
            "uses": uses,
        },
    )


def _act(request, pk, act, form_class, **extra):
    """Run one action on a visible session, answer with a message and go back to it."""
    seen = selectors.visible_session(request.user, pk)
    form = form_class(request.POST, **extra)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("supervision:session_detail", pk=seen.session.pk)
    try:
        message = act(seen.session, form.cleaned_data)
        messages.success(request, message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("supervision:session_detail", pk=seen.session.pk)


@login_required
@require_POST
def session_confirm(request, pk):
    def act(session, data):
        # Only the rating and the comment are read: the time is the server's.
        services.confirm(actor=request.user, session=session, rating=data["rating"], comment=data["comment"])
        return _("Thank you: the session is confirmed and your rating recorded without your name.")

    return _act(request, pk, act, ConfirmForm)


@login_required
@require_POST
def session_dispute(request, pk):
    def act(session, data):
        services.dispute(actor=request.user, session=session, reason=data["reason"])
        return _("Your dispute was sent to the agency.")

    return _act(request, pk, act, DisputeForm)


@login_required
@require_POST
def session_resolve(request, pk):
    seen = selectors.visible_session(request.user, pk)
    prefix = next((k.split("-")[0] for k in request.POST if k.endswith("-attendance")), None)

    def act(session, data):
        attendance = get_object_or_404(Attendance, pk=data["attendance"], session=session)
        services.resolve(
            actor=request.user, attendance=attendance, upheld=data["upheld"], resolution=data["resolution"]
        )
        return _("The dispute is resolved.")

    if not permissions.uses(request.user, seen.session.engagement):
        raise PermissionDenied(_("Only the agency using the supervisor resolves disputes over its sessions."))
    return _act(request, pk, act, ResolveForm, prefix=prefix)


@login_required
@require_POST
def session_delete(request, pk):
    seen = selectors.visible_session(request.user, pk)
    if not permissions.is_supervisor_of(request.user, seen.session.engagement):
        raise PermissionDenied(_("Only the engagement's supervisor records its sessions."))
    engagement_id = seen.session.engagement_id
    try:
        services.delete(actor=request.user, session=seen.session, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("supervision:session_detail", pk=seen.session.pk)
    messages.success(request, _("The session was deleted."))
    return redirect(f"{_url('supervision:session_list')}?engagement={engagement_id}")


def _url(name, *args):

    return reverse(name, args=args)


# --- recording ----------------------------------------------------------------------


class SessionForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=gettext_lazy("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=gettext_lazy("Duration (minutes)"), min_value=1, max_value=1440)
    form = forms.ChoiceField(label=gettext_lazy("Form"), choices=Session.Form.choices)
    functions = forms.MultipleChoiceField(label=gettext_lazy("Functions"), widget=forms.CheckboxSelectMultiple)
    supervisees = forms.MultipleChoiceField(
        label=gettext_lazy("Supervisees present"), widget=forms.CheckboxSelectMultiple
    )
    topics = forms.CharField(label=gettext_lazy("Topics"), max_length=300)
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "About the supervision only: keep the supervisees' case records and clients' details out of these notes."
        ),
    )

    def __init__(self, *args, engagement, people, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = functions_of(engagement.organization)
        self.fields["functions"].choices = [(f, f) for f in allowed]
        self.people = {str(p.pk): p for p in people}
        self.fields["supervisees"].choices = [(str(p.pk), p.name) for p in people]
        self.type_fields = []
        for p in people:
            name = f"type_{p.pk}"
            self.fields[name] = forms.ChoiceField(
                label=p.name,
                choices=SuperviseeType.choices,
                initial=kinds.get(p.pk, SuperviseeType.OTHER),
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.type_fields.append((p, name))

    def rows(self):
        """Each supervisee's checkbox beside their type."""
        boxes = {str(w.data["value"]): w for w in self["supervisees"]}
        return [(boxes[str(p.pk)], self[name]) for p, name in self.type_fields]

    def service_arguments(self) -> dict:
        d = self.cleaned_data
        chosen = [self.people[pk] for pk in d["supervisees"]]
        return {
            "date": d["date"],
            "start_time": d["start_time"],
            "duration_minutes": d["duration_minutes"],
            "form": d["form"],
            "functions": d["functions"],
            "supervisees": chosen,
            "topics": d["topics"],
            "notes": d["notes"],
            "supervisee_types": {p.pk: d.get(f"type_{p.pk}") for p in chosen if d.get(f"type_{p.pk}")},
        }


@login_required
def session_new(request, pk):
    engagement = selectors.engagement_for(request.user, pk)
    if not permissions.is_supervisor_of(request.user, engagement):
        raise PermissionDenied(_("Only the engagement's supervisor records its sessions."))
    if engagement.status != Engagement.Status.ACTIVE:
        raise PermissionDenied(_("Sessions are recorded only under an active engagement."))
    people = selectors.covered_people(engagement)
    kinds = types.types_of([p.pk for p in people], timezone.localdate())
    form = SessionForm(
        posted(request),
        engagement=engagement,
        people=people,
        kinds=kinds,
        initial={"date": timezone.localdate(), "duration_minutes": 60, "form": Session.Form.INDIVIDUAL},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.record(actor=request.user, engagement=engagement, **form.service_arguments())
            messages.success(request, _("The session is recorded; the supervisees were asked to confirm it."))
            return redirect("supervision:session_detail", pk=session.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "supervision/sessions/form.html", {"form": form, "engagement": engagement})


@login_required
def session_edit(request, pk):
    """The supervisor corrects a session nobody has confirmed yet, in an open month."""
    seen = selectors.visible_session(request.user, pk)
    session = seen.session
    engagement = selectors.engagement_for(request.user, session.engagement_id)
    if not permissions.is_supervisor_of(request.user, engagement):
        raise PermissionDenied(_("Only the engagement's supervisor records its sessions."))
    attendances = selectors.attendances_of(session)
    people = selectors.covered_people(engagement)
    known = {p.pk for p in people}
    people += [a.person for a in attendances if a.person_id not in known]
    kinds = types.types_of([p.pk for p in people], session.date) | {a.person_id: a.supervisee_type for a in attendances}
    form = SessionForm(
        posted(request),
        engagement=engagement,
        people=people,
        kinds=kinds,
        initial={
            "date": session.date,
            "start_time": session.start_time,
            "duration_minutes": session.duration_minutes,
            "form": session.form,
            "functions": session.functions,
            "supervisees": [str(a.person_id) for a in attendances],
            "topics": session.topics,
            "notes": session.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        try:
            services.update(
                actor=request.user,
                session=session,
                supervisee_types=arguments.pop("supervisee_types"),
                **arguments,
            )
            messages.success(request, _("The session is updated."))
            return redirect("supervision:session_detail", pk=session.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request, "supervision/sessions/form.html", {"form": form, "engagement": engagement, "session": session}
    )


# --- months and sign-off ----------------------------------------------------------------


class SignOffForm(BootstrapMixin, forms.Form):
    month = MonthField(label=gettext_lazy("Month"))


class ReopenForm(BootstrapMixin, forms.Form):
    month = MonthField(label=gettext_lazy("Month"))
    reason = forms.CharField(label=gettext_lazy("Reason for reopening"), max_length=300)
    confirmed = forms.BooleanField(
        label=gettext_lazy("I understand the supervisor is told and the month can change again."), required=True
    )


@login_required
def month_list(request, pk):
    engagement = selectors.engagement_for(request.user, pk)
    uses = permissions.uses(request.user, engagement)
    if request.method == "POST":
        if not uses:
            raise PermissionDenied(_("Only the agency using the supervisor signs off its months."))
        reopening = request.POST.get("action") == "reopen"
        form = (ReopenForm if reopening else SignOffForm)(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors_text(form))
        else:
            d = form.cleaned_data
            try:
                if reopening:
                    services.reopen(actor=request.user, engagement=engagement, month=d["month"], reason=d["reason"])
                    messages.success(request, _("%(month)s is reopened.") % {"month": f"{d['month']:%Y-%m}"})
                else:
                    services.sign_off(actor=request.user, engagement=engagement, month=d["month"])
                    messages.success(request, _("%(month)s is signed off.") % {"month": f"{d['month']:%Y-%m}"})
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("supervision:month_list", pk=engagement.pk)
    return render(
        request,
        "supervision/sessions/months.html",
        {
            "engagement": engagement,
            "months": selectors.months_of(engagement),
            "uses": uses,
            "is_supervisor": permissions.is_supervisor_of(request.user, engagement)
            and engagement.status == Engagement.Status.ACTIVE,
        },
    )


urlpatterns = [
    path("sessions/", SessionList.as_view(), name="session_list"),
    path("sessions/<int:pk>/", session_detail, name="session_detail"),
    path("sessions/<int:pk>/confirm/", session_confirm, name="session_confirm"),
    path("sessions/<int:pk>/dispute/", session_dispute, name="session_dispute"),
    path("sessions/<int:pk>/resolve/", session_resolve, name="session_resolve"),
    path("sessions/<int:pk>/edit/", session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", session_delete, name="session_delete"),
    path("engagements/<int:pk>/sessions/new/", session_new, name="session_new"),
    path("engagements/<int:pk>/months/", month_list, name="month_list"),
]
