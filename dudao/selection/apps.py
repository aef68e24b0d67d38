from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "dudao.selection"
    verbose_name = _("Selection")

    def ready(self):
        from dudao.directory.signals import organization_moved

        from .models import Nomination

        def follow(sender, organization, **kwargs):
            Nomination.objects.filter(organization=organization).update(**organization.chain())

        organization_moved.connect(follow, dispatch_uid="selection.nominations_follow_their_unit", weak=False)
