from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "dudao.publicity"
    verbose_name = _("Public notice")

    def ready(self):
        from dudao.core import workbench

        from . import todos

        workbench.register(todos.todos)
