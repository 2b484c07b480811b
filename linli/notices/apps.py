from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "linli.notices"
    label = "notices"
    verbose_name = _("通知公告")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.notices import access  # noqa: F401
