from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentServicesConfig(AppConfig):
    """为民服务. The package is ``resident_services`` so that its name never collides with the
    ``services`` layer every app has; the label stays ``services`` so that the tables, the
    migration history and the URL namespace of running installations are unchanged."""

    name = "linli.resident_services"
    label = "services"
    verbose_name = _("为民服务")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.resident_services import access, offers  # noqa: F401  (offers: what it offers on other domains' pages)
