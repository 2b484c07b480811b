from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Site-wide operations that span the domains: the demo, the deadline scan."""

    name = "linli.ops"
    label = "ops"
    verbose_name = _("运维")
