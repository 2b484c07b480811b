from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The way in (门户): where each person's day starts and the menu that links every domain.
    It sits above the domains (it may import any of them; none imports it)."""

    name = "linli.portal"
    label = "portal"
    verbose_name = _("门户")
