from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = _("Imports")

    def ready(self):
        from importers import tasks  # noqa: F401  (registers the importers.* tasks enqueued by name)
