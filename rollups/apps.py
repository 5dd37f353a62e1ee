from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "rollups"
    verbose_name = _("Totals and disagreements")

    def ready(self):
        from funding.list_figures import register_list_figures
        from plans.hooks import register_totals_changed
        from rollups import tasks  # noqa: F401  (registers the rollups.* tasks enqueued by name)
        from rollups.list_figures import budget_list_figures
        from rollups.services import request_recompute

        # Every write below (plans, projects, funding, figures, importers) ends with
        # plans.hooks.totals_changed(plan_id): here it becomes a recompute request.
        register_totals_changed(request_recompute)
        # The admin's budget list counts and sums its rows from the totals (funding.list_figures).
        register_list_figures(budget_list_figures)
