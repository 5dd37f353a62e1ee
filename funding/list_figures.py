"""How many budgets a list holds and what they add up to, without counting a million rows per page.

The admin's budget list needs both on every page: the paginator's count and the totals under the list.
Counting and summing every row costs O(rows) (274 ms against 45 ms at 1,000 plans, bench/README.md). The
rollups app, above this one, keeps exactly these figures per plan, year, category, unit and township, and
registers a reader here in its AppConfig.ready() (funding must not import it). The reader answers from
the totals of the plans whose totals are current, and names the plans whose are not (a change waits for
its recompute, or none ever ran): those plans' rows are counted and summed live, so the figures stay exact.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet


# The groupings of budgets the stored totals hold beside plan and year (a ListQuestion's `group`).
GROUPS = ("category", "unit", "township")


@dataclass(frozen=True)
class ListQuestion:
    """The budgets of these plans (None: every plan), in this year (None: all), and of one category,
    implementing unit or township (group: ("category" | "unit" | "township", id) or None)."""

    # The plans' ids, or a query of them (the plans a user sees: a subquery costs the same for a thousand plans,
    # a thousand ids in an IN list do not).
    plan_ids: tuple[int, ...] | QuerySet | None
    year: int | None
    group: tuple[str, int] | None


@dataclass(frozen=True)
class ListAnswer:
    figures: dict  # budgets, total_investment, beijing_funds, local_funds, actual_* (Decimal 万元)
    stale_plan_ids: tuple[int, ...]  # their rows are not in `figures`: count and sum them live


_reader: Callable[[ListQuestion], ListAnswer] | None = None


def register_list_figures(reader: Callable[[ListQuestion], ListAnswer]) -> None:
    global _reader
    _reader = reader


def list_figures(question: ListQuestion) -> ListAnswer | None:
    """The reader's answer, or None when no app registered one (then the caller counts every row)."""
    return None if _reader is None else _reader(question)


def _zero(key: str, value):
    """A sum over no rows is None: 0 budgets, 0 万元."""
    return value if value is not None else (0 if key == "budgets" else Decimal(0))


def stored_or_live_totals(question: ListQuestion, budgets) -> dict | None:
    """The count and sums (Decimal 万元) of `budgets` (an AnnualBudgetQuerySet holding exactly the budgets
    `question` describes) from the stored totals, plus the rows of any plan whose totals are not current,
    summed live; None when no reader is registered (the caller sums every row)."""
    answer = list_figures(question)
    if answer is None:
        return None
    figures = {key: _zero(key, value) for key, value in answer.figures.items()}
    if answer.stale_plan_ids:
        live = budgets.filter(plan_year__plan_id__in=answer.stale_plan_ids).order_by().totals()
        figures = {key: figures[key] + _zero(key, live[key]) for key in figures}
    return figures
