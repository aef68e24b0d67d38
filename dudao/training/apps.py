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

        from dudao.core import workbench

        from . import todos

        workbench.register(todos.todos)
        workbench.register_deadlines(todos.deadlines)
