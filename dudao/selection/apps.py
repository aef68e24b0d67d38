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
