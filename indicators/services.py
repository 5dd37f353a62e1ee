"""Writes to indicators."""

from decimal import Decimal

from django.db import transaction

from indicators.models import Indicator
from plans.models import Plan

# 农村低收入人口数 targets 0: the fewer the better. Everything else in 专栏1 is "reach at least".
_AT_MOST_HINTS = ("低收入人口数", "返贫", "贫困发生率")


def direction_for(name: str) -> str:
    return Indicator.Direction.AT_MOST if any(hint in name for hint in _AT_MOST_HINTS) else Indicator.Direction.AT_LEAST


@transaction.atomic
def indicators_load(*, plan: Plan, rows: list[dict], source: str) -> list[Indicator]:
    """Create or refresh a plan's indicators from the stated-figures fixture (专栏1 rows). Idempotent."""
    indicators = []
    for row in rows:
        indicator, _created = Indicator.objects.update_or_create(
            plan=plan,
            name=row["name"],
            defaults={
                "seq": row["seq"],
                "unit": row["unit"],
                "target": Decimal(row["target"]),
                "target_year": row["target_year"],
                "attribute": row["attribute"],
                "direction": direction_for(row["name"]),
                "source": f"{source}，第{row['seq']}项" if source else "",
            },
        )
        indicator.full_clean()
        indicators.append(indicator)
    return indicators
