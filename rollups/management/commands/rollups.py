import json

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from rollups.queries import rollups_json, variances_json
from rollups.services import recompute_plan


class Command(BaseCommand):
    help = "Recompute a plan's totals and print them with every disagreement with the plan's stated figures."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--all", action="store_true", help="list agreeing checks too")

    def handle(self, *args, plan, json: bool, all: bool, **options):
        try:
            plan_obj = Plan.objects.get(code=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"No plan with code {plan!r}.") from None
        recompute_plan(plan_obj.pk)
        rollups = rollups_json(plan_obj)
        variances = variances_json(plan_obj, differing_only=not all)
        if json:
            self.stdout.write(_dumps({"plan": plan_obj.code, "rollups": rollups, "variances": variances}))
            return
        self.stdout.write(f"{plan_obj.name} ({plan_obj.code})")
        self.stdout.write(f"{'year':>6} {'category':<14} {'rows':>5} {'total':>14} {'beijing':>14} {'local':>14}")
        for r in rollups:
            self.stdout.write(f"{r['year'] or '全部':>6} {r['category'] or '合计':<14} {r['projects']:>5} "
                              f"{r['total_investment']:>14} {r['beijing_funds']:>14} {r['local_funds']:>14}")
        self.stdout.write(f"\n{len(variances)} disagreements:")
        for v in variances:
            self.stdout.write(f"  {v['year'] or '全期'} {v['category'] or ''} {v['metric']}: stated {v['stated']}, "
                              f"computed {v['computed']}, difference {v['difference']} — {v['source']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
