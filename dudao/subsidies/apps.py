from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "dudao.subsidies"
    verbose_name = _("Subsidies")

    def ready(self):
        from dudao.directory.scoping import follow_moved
        from dudao.directory.signals import jurisdictions_moved, organization_moved

        from .models import Statement

        # Statements keep the using organisation's chain, as its sessions do.
        def follow(sender, organization, **kwargs):
            Statement.objects.filter(organization=organization).update(**organization.chain())

        def follow_tree(sender, jurisdiction_ids, **kwargs):
            follow_moved(Statement.objects.all(), jurisdiction_ids, via="organization")

        organization_moved.connect(follow, dispatch_uid="subsidies.rows_follow_their_organisation", weak=False)
        jurisdictions_moved.connect(follow_tree, dispatch_uid="subsidies.rows_follow_the_tree", weak=False)

        from .receivers import connect

        connect()

        from dudao.core import workbench

        from .todos import figures, subsidy_todos

        workbench.register(subsidy_todos)
        workbench.register_figures(figures)
