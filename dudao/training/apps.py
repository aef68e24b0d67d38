from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "dudao.training"
    verbose_name = _("Training")

    def ready(self):
        from dudao.directory.signals import organization_moved

        from .models import Activity

        def follow(sender, organization, **kwargs):
            Activity.objects.filter(organization=organization).update(**organization.chain())

        organization_moved.connect(follow, dispatch_uid="training.activities_follow_their_organiser", weak=False)

        from dudao.directory.scoping import follow_moved
        from dudao.directory.signals import jurisdictions_moved

        def follow_tree(sender, jurisdiction_ids, **kwargs):
            follow_moved(Activity.objects.filter(organization__isnull=False), jurisdiction_ids, via="organization")
            follow_moved(Activity.objects.filter(organization=None), jurisdiction_ids, via="jurisdiction")

        jurisdictions_moved.connect(follow_tree, dispatch_uid="training.activities_follow_the_tree", weak=False)

        from dudao.selection.selectors import register_trainee_reader

        from .selectors import trainees_trained_q

        register_trainee_reader(trainees_trained_q)

        from django.urls import reverse

        from dudao.publicity import kinds as publicity_kinds

        from . import services

        publicity_kinds.register(
            publicity_kinds.Kind(
                code=services.PUBLICITY_KIND,
                label=_("Passing trainees of a cohort (entering the city pool)"),
                take_effect=services.take_effect_after_publicity,
                stop=services.stop_after_publicity,
                record_url=lambda item: reverse("selection:nomination_detail", args=[item.record.rsplit(":", 1)[1]]),
            )
        )

        from dudao.core import workbench

        from . import todos

        workbench.register(todos.todos)
        workbench.register_deadlines(todos.deadlines)
