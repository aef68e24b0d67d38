from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dudao.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from dudao.core import excel, scoping

        from . import access_log
        from .scopes import build_scope
        from .units import unit_name

        access_log.connect()
        scoping.register_resolver(build_scope)
        excel.register_issuer(unit_name)
