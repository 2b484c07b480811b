from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "linli.appeals"
    label = "appeals"
    verbose_name = _("诉求")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.appeals import access  # noqa: F401
