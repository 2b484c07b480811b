from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "linli.volunteers"
    label = "volunteers"
    verbose_name = _("志愿服务")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.volunteers import access  # noqa: F401
