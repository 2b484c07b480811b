from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "linli.services"
    label = "services"
    verbose_name = _("为民服务")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.services import access  # noqa: F401
