from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "dudao.selection"
    verbose_name = _("Selection")

    def ready(self):
        from dudao.directory.signals import organization_moved, person_renamed

        from .models import Nomination, Trainee

        def follow(sender, organization, **kwargs):
            Nomination.objects.filter(organization=organization).update(**organization.chain())
            Trainee.objects.filter(nomination__organization=organization).update(**organization.chain())

        def rename(sender, person, **kwargs):
            Trainee.objects.filter(person=person).update(person_name=person.name)

        organization_moved.connect(follow, dispatch_uid="selection.nominations_follow_their_unit", weak=False)
        person_renamed.connect(rename, dispatch_uid="selection.trainees_follow_renames", weak=False)

        from django.db.models import OuterRef, Subquery

        from dudao.core.scoping import CHAIN_FIELDS
        from dudao.directory.scoping import follow_moved
        from dudao.directory.signals import jurisdictions_moved

        def follow_tree(sender, jurisdiction_ids, **kwargs):
            follow_moved(Nomination.objects.all(), jurisdiction_ids, via="organization")
            # A trainee keeps its nomination's chain (the nominating unit's).
            nomination = Nomination.objects.filter(pk=OuterRef("nomination_id"))
            Trainee.objects.filter(nomination__organization__jurisdiction_id__in=list(jurisdiction_ids)).update(
                **{name: Subquery(nomination.values(name)[:1]) for name in CHAIN_FIELDS}
            )

        jurisdictions_moved.connect(follow_tree, dispatch_uid="selection.nominations_follow_the_tree", weak=False)

        from django.urls import reverse

        from dudao.publicity import kinds as publicity_kinds

        from . import selectors, services

        publicity_kinds.register(
            publicity_kinds.Kind(
                code=selectors.PUBLICITY_KIND,
                label=_("Trainees of a nomination round"),
                take_effect=services.take_effect_after_publicity,
                stop=services.stop_after_publicity,
                record_url=lambda item: reverse("selection:nomination_detail", args=[item.target_id]),
            )
        )

        from dudao.core import workbench

        from . import todos

        workbench.register(todos.todos)
        workbench.register_deadlines(todos.deadlines)
        workbench.register_figures(todos.figures)
