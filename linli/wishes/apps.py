from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "linli.wishes"
    label = "wishes"
    verbose_name = _("微心愿")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.wishes import access  # noqa: F401
