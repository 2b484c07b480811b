from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "linli.councils"
    label = "councils"
    verbose_name = _("议事")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.councils import access  # noqa: F401
