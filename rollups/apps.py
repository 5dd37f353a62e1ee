from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "rollups"
    verbose_name = _("Totals and disagreements")

    def ready(self):
        from plans.hooks import register_totals_changed
        from rollups import tasks  # noqa: F401  (registers the rollups.* tasks enqueued by name)
        from rollups.services import request_recompute

        # Every write below (plans, projects, funding, figures, importers) ends with
        # plans.hooks.totals_changed(plan_id): here it becomes a recompute request.
        register_totals_changed(request_recompute)
