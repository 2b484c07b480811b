from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "linli.projects"
    label = "projects"
    verbose_name = _("项目")

    def ready(self):
        # Registers this domain's capabilities and locators with the scope mechanism.
        from linli.projects import access, offers  # noqa: F401  (offers: what it offers on other domains' pages)
