from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import (
            middleware,  # noqa: F401 - its receiver starts each session's clocks when someone signs in
            security_log,  # noqa: F401 - its receivers write the security log
        )
