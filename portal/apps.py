from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: the pages that bring the domain apps together (home, a plan's overview, its projects),
    seeding the bundled plan, and the project-wide URLs."""

    name = "portal"
    verbose_name = _("Portal")
