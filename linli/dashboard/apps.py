from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "linli.dashboard"
    label = "dashboard"
    verbose_name = _("数据看板")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.dashboard import access  # noqa: F401
