"""What a year's budget figures should agree on, written once.

The importer turns each disagreement into a warning on its row (imported as written); the budget
form shows the same ones and saves only once the user has confirmed them. Neither refuses: the
annex itself holds rows whose total is not the sum of its parts, and they are what the plan says.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from planportal.lib.money import format_wan


@dataclass(frozen=True)
class BudgetCheck:
    code: str  # total_mismatch, actual_above_planned
    field: str  # the budget field the warning is about
    params: dict

    def text(self) -> str:
        return str(MESSAGES[self.code] % {key: format_wan(value) for key, value in self.params.items()})


MESSAGES = {
    "total_mismatch": _("The total investment %(total)s is not cooperation funds %(beijing)s + local funds "
                        "%(local)s = %(sum)s 万元."),
    "actual_above_planned": _("Disbursed %(actual)s is above the planned %(planned)s 万元."),
}


def budget_checks(*, total, beijing, local, actual_beijing=None, actual_local=None) -> list[BudgetCheck]:
    """The disagreements among one budget's figures (Decimals in 万元; None where a figure is not given)."""
    found = []
    beijing, local = beijing or Decimal(0), local or Decimal(0)
    if total and total != beijing + local:
        found.append(BudgetCheck("total_mismatch", "total_investment",
                                 {"total": total, "beijing": beijing, "local": local, "sum": beijing + local}))
    for actual, planned, field in ((actual_beijing, beijing, "actual_beijing_funds"),
                                   (actual_local, local, "actual_local_funds")):
        if actual is not None and actual > planned:
            found.append(BudgetCheck("actual_above_planned", field, {"actual": actual, "planned": planned}))
    return found
