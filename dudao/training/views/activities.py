from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.forms import add_service_errors, posted
from dudao.core.views import ListPage
from dudao.core.widgets import search_results

from .. import selectors, services
from ..filters import ActivityFilter
from ..forms import ActivityForm, participant_label


class ActivityList(ListPage):
    template_name = "training/activity_list.html"
    table_template = "training/_activity_table.html"
    filterset_class = ActivityFilter
    sort_fields = {"date": ("held_on",), "title": ("title",), "hours": ("hours",)}
    default_sort = "-date"
    export_title = gettext_lazy("Training activities")
    export_columns = [
        (gettext_lazy("Date"), lambda a: a.held_on),
        (gettext_lazy("Title"), lambda a: a.title),
        (gettext_lazy("Kind"), lambda a: a.get_kind_display()),
        (gettext_lazy("Service domain"), lambda a: a.domain.name if a.domain else ""),
        (gettext_lazy("Organised by"), lambda a: a.organization.name if a.organization else a.jurisdiction.name),
        (gettext_lazy("Hours"), lambda a: float(a.hours)),
        (gettext_lazy("Planned (not yet held)"), lambda a: _("Yes") if a.is_plan else ""),
        (gettext_lazy("Participants"), lambda a: "、".join(p.name for p in a.participants.all())),
    ]

    def get_queryset(self):
        return selectors.activities_for(self.request.user)

    def decorate(self, rows):
        return selectors.with_participant_counts(rows)

    def get_export_queryset(self, queryset):
        return queryset.prefetch_related("participants")

    def get_context_data(self, **kwargs):
        organizations, jurisdictions = selectors.organiser_choices(self.request.user)
        return super().get_context_data(can_create=organizations.exists() or jurisdictions.exists(), **kwargs)


@login_required
def activity_create(request):
    organizations, jurisdictions = selectors.organiser_choices(request.user)
    if not organizations.exists() and not jurisdictions.exists():
        raise PermissionDenied
    form = ActivityForm(
        posted(request),
        organizations=organizations,
        jurisdictions=jurisdictions,
        people=selectors.participant_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d.pop("organiser")
        try:
            activity = services.record_activity(actor=request.user, **form.organiser_kwargs(), **d)
            messages.success(request, _("Training activity %(title)s recorded.") % {"title": activity.title})
            return redirect("training:activity_list")
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "training/activity_form.html", {"form": form})


@login_required
def participant_choices(request):
    """The participant picker's matches: people on rosters the user manages."""
    organizations, jurisdictions = selectors.organiser_choices(request.user)
    if not organizations.exists() and not jurisdictions.exists():
        raise PermissionDenied
    people = selectors.search_participants(request.user, request.GET.get("q", ""))
    return JsonResponse(search_results(people, label=participant_label))


@login_required
def my_training(request):
    person = request.user.person
    if person is None:
        raise Http404
    return render(
        request,
        "training/my_training.html",
        {
            "person": person,
            "history": selectors.training_history(person),
            "surveys": selectors.open_surveys_for(person),
        },
    )
