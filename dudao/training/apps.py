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
