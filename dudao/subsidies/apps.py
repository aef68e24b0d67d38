from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "dudao.subsidies"
    verbose_name = _("Subsidies")

    def ready(self):
        from .receivers import connect

        connect()

        from dudao.core import workbench

        from .todos import subsidy_todos

        workbench.register(subsidy_todos)
