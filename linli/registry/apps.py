from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"
    verbose_name = _("基础台账")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.registry import access  # noqa: F401
