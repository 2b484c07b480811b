from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "linli.dashboard"
    label = "dashboard"
    verbose_name = _("数据看板")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        # Imported here, not at the top: an app's modules that touch models load after the registry.
        from linli.core import hooks
        from linli.dashboard import access  # noqa: F401
        from linli.dashboard.services import appeal_fact_record

        # Every appeals change moves the figures in the same transaction (appeals never import the dashboard).
        hooks.follow(hooks.APPEAL_CHANGED, appeal_fact_record)
