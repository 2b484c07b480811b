from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridworkConfig(AppConfig):
    name = "linli.gridwork"
    label = "gridwork"
    verbose_name = _("网格工作")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.gridwork import access, offers  # noqa: F401  (offers: what it offers on other domains' pages)
