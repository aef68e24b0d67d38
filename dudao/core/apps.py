from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dudao.core"
    verbose_name = _("Core")

    def ready(self):
        # Every app declares its audit events in its own events.py; core knows
        # none of them by name (tests/test_layers.py), it only collects them.
        autodiscover_modules("events")
