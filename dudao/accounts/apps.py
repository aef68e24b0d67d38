from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dudao.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import access_log

        access_log.connect()
