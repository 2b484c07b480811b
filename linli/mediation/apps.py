from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "linli.mediation"
    label = "mediation"
    verbose_name = _("人民调解")

    def ready(self):
        # Registers this domain's capabilities with the scope mechanism.
        from linli.mediation import access  # noqa: F401
