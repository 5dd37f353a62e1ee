"""Indicators the project portfolio can count by itself.

Some indicators name things the project rows already say: a 乡村振兴类 project
whose name contains 示范 builds a demonstration village (示范嘎查) at its
village; a 乡村旅游类 project develops a tourism village. Counting the distinct
places of such projects gives a figure to set beside what staff report.

What a count means: the places of the plan's projects (cancelled ones left
out) as the portfolio plans them, not places certified as finished. Per year it
is cumulative: the distinct places of projects with a budget in that year or
earlier. The whole-plan figure (year empty) counts every matching project,
with or without budgets. A project whose place was not recognised (no village,
or a village whose township is unknown) cannot be counted for that place kind.

Every count is one aggregate query per rule (COUNT DISTINCT with one filtered
count per year), never a loop over rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Q, When
from django.db.models.functions import Coalesce

from indicators.models import Indicator
from plans.models import Plan
from projects.models import Place, Project

VILLAGE, TOWNSHIP = "village", "township"


@dataclass(frozen=True)
class Rule:
    code: str
    category_code: str  # plans.categories code, stable across translations of the category name
    counts: str  # VILLAGE or TOWNSHIP
    name_contains: str = ""
    # Which indicators this rule computes: 专栏1 rows by exact name, chapter-2 goals by key.
    main_names: frozenset[str] = field(default_factory=frozenset)
    goal_keys: frozenset[str] = field(default_factory=frozenset)

    def applies_to(self, indicator: Indicator) -> bool:
        if indicator.kind == Indicator.Kind.MAIN:
            return indicator.name in self.main_names
        return indicator.key in self.goal_keys


RULES = (
    # 乡村振兴示范嘎查 (专栏1 no. 4), and the chapter-2 goal "30个乡村振兴嘎查典型", the same 30 villages.
    Rule(
        code="revitalisation_demo_villages", category_code="revitalisation", counts=VILLAGE, name_contains="示范",
        main_names=frozenset({"乡村振兴示范嘎查"}), goal_keys=frozenset({"revitalisation_model_gacha"}),
    ),
    # 乡村振兴示范苏木镇 (专栏1 no. 3): the townships those demonstration projects lie in.
    Rule(
        code="revitalisation_demo_townships", category_code="revitalisation", counts=TOWNSHIP, name_contains="示范",
        main_names=frozenset({"乡村振兴示范苏木镇"}),
    ),
    # 旅游示范嘎查 (专栏1 no. 6 and the chapter-2 goal): villages of rural-tourism projects.
    Rule(
        code="tourism_demo_villages", category_code="tourism", counts=VILLAGE,
        main_names=frozenset({"旅游示范嘎查"}), goal_keys=frozenset({"tourism_demo_gacha"}),
    ),
)


def rule_for(indicator: Indicator) -> Rule | None:
    return next((rule for rule in RULES if rule.applies_to(indicator)), None)


def _place_expression(counts: str):
    if counts == VILLAGE:
        return F("village_id")
    # The township is set on the project, or known as the parent of its village.
    return Coalesce(
        "township_id",
        Case(When(village__parent__kind=Place.Kind.TOWNSHIP, then=F("village__parent_id"))),
    )


def rule_counts(*, plan: Plan, rule: Rule) -> dict[int | None, Decimal]:
    """{year: cumulative distinct places up to that year, None: distinct places in all} in one query."""
    projects = Project.objects.filter(plan=plan, category__code=rule.category_code).exclude(
        status=Project.Status.CANCELLED
    )
    if rule.name_contains:
        projects = projects.filter(name__contains=rule.name_contains)
    place = _place_expression(rule.counts)
    aggregates = {"total": Count(place, distinct=True)}
    for year in plan.years:
        aggregates[f"y{year}"] = Count(place, distinct=True, filter=Q(budgets__plan_year__year__lte=year))
    row = projects.aggregate(**aggregates)
    counts: dict[int | None, Decimal] = {None: Decimal(row["total"])}
    counts.update({year: Decimal(row[f"y{year}"]) for year in plan.years})
    return counts
