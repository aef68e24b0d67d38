from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "dudao.supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from dudao.directory.signals import jurisdictions_moved, organization_moved

        from .models import Engagement, OrganizationCoverage, PracticeLog, Session

        def follow(sender, organization, **kwargs):
            chain = organization.chain()
            for model in (Engagement, Session, OrganizationCoverage):
                model.objects.filter(organization=organization).update(**chain)
            PracticeLog.objects.filter(organization=organization).update(**chain)

        organization_moved.connect(follow, dispatch_uid="supervision.rows_follow_their_organisation", weak=False)

        from dudao.directory.scoping import follow_moved

        def follow_tree(sender, jurisdiction_ids, **kwargs):
            for model in (Engagement, Session, OrganizationCoverage, PracticeLog):
                follow_moved(model.objects.all(), jurisdiction_ids, via="organization")

        jurisdictions_moved.connect(follow_tree, dispatch_uid="supervision.rows_follow_the_tree", weak=False)

        from .receivers import connect

        connect()

        from dudao.core import workbench

        from .todos import figures, todos

        workbench.register(todos)
        workbench.register_figures(figures)
