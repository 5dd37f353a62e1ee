"""Writes to indicators: loading a plan's indicators, yearly values, derived counts."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.derived import rule_counts, rule_for
from indicators.models import DerivedValue, Indicator, IndicatorValue
from planportal.concurrency import next_version
from planportal.fields import known_fields
from planportal.history import attribute_to
from plans.access import EDIT, history_user, require
from plans.models import Plan

# 农村低收入人口数 targets 0: the fewer the better. Everything else in 专栏1 is "reach at least".
_AT_MOST_HINTS = ("低收入人口数", "返贫", "贫困发生率")

# Chapter-2 five-year targets that are portfolio totals (project count, cooperation
# funds): compared with the project rows by the rollups, not reported as indicators.
PORTFOLIO_TOTAL_KEYS = frozenset({"projects", "beijing_funds"})

# Readable names for the chapter-2 goals the bundled plan states; a key not listed
# here (another plan's fixture) is named by its quote from the document.
GOAL_NAMES = {
    "enterprises_introduced": "引进北京落地企业",
    "jobs_created": "带动就业",
    "labour_transfer": "转移贫困劳动人口稳定在京就业",
    "talent_exchanges": "开展专业技术人才交流",
    "technologies_introduced": "引进技术",
    "local_organisations": "培育带贫减贫作用强的本地合作组织和龙头企业",
    "supply_bases": "共建优质有机绿色农畜产品供应基地",
    "five_good_gacha": "乡村振兴“五好”嘎查",
    "five_beauty_gacha": "“五美”人居环境嘎查",
    "tourism_demo_gacha": "旅游示范嘎查",
    "reception_points": "接待点（农家乐、牧家乐）",
    "consolidation_gacha": "巩固成果嘎查",
    "revitalisation_model_gacha": "乡村振兴嘎查典型",
    "expansion_gacha": "拓展成果嘎查",
}


def direction_for(name: str) -> str:
    return Indicator.Direction.AT_MOST if any(hint in name for hint in _AT_MOST_HINTS) else Indicator.Direction.AT_LEAST


def main_key(seq: int) -> str:
    return f"main-{seq}"


@transaction.atomic
def indicators_load(*, plan: Plan, rows: list[dict], source: str, user, goals: list[dict] = ()) -> list[Indicator]:
    """Create or refresh a plan's 专栏1 indicators (and, given chapter-2 targets, its goals). Idempotent."""
    require(user, plan, EDIT)
    indicators = []
    for row in rows:
        indicator, _created = Indicator.objects.update_or_create(
            plan=plan,
            key=main_key(row["seq"]),
            defaults={
                "kind": Indicator.Kind.MAIN,
                "name": row["name"],
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
    if goals:
        indicators += goals_load(plan=plan, targets=goals, user=user)
    return indicators


def _goal_source(source: dict) -> str:
    where = " · ".join(" ".join(source.get(part, "").split()) for part in ("chapter", "section", "subsection"))
    text = f"{where}，第{source['line']}行：“{source['quote']}”"
    limit = Indicator._meta.get_field("source").max_length
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def goals_load(*, plan: Plan, targets: list[dict], user) -> list[Indicator]:
    """The chapter-2 five-year goals (targets with no year) as expected, at-least indicators. Idempotent.

    Portfolio totals and per-category figures are left to the rollups, which compare them with the rows.
    """
    require(user, plan, EDIT)
    goals = [
        target for target in targets
        if target["year"] is None and target.get("category") is None and target["key"] not in PORTFOLIO_TOTAL_KEYS
    ]
    indicators = []
    for seq, target in enumerate(goals, start=1):
        indicator, _created = Indicator.objects.update_or_create(
            plan=plan,
            key=target["key"],
            defaults={
                "kind": Indicator.Kind.GOAL,
                "name": GOAL_NAMES.get(target["key"], target["source"]["quote"])[:200],
                "seq": seq,
                "unit": target.get("unit") or "",
                "target": Decimal(target["value"]),
                "target_year": plan.last_year,
                "attribute": Indicator.Attribute.EXPECTED,
                "direction": Indicator.Direction.AT_LEAST,
                "source": _goal_source(target["source"]),
            },
        )
        indicator.full_clean()
        indicators.append(indicator)
    return indicators


# Units in which a value may fall below zero (a growth rate can); everything else counts people, things or money.
RATE_UNITS = ("%", "％", "‰", "百分点", "percentage points")


def may_be_negative(indicator: Indicator) -> bool:
    return indicator.unit.strip() in RATE_UNITS


def _as_decimal(value) -> Decimal:
    # A float has already lost the figure the user typed (0.1 is not 0.1): refuse it.
    if isinstance(value, float) or isinstance(value, bool):
        raise ValidationError({"value": _("Enter the value as a decimal number, not a float.")})
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationError({"value": _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({"value": _("Enter a number.")})
    return number


@transaction.atomic
def indicator_value_set(
    *,
    indicator: Indicator,
    year: int,
    value,
    user,
    note: str = "",
    evidence_text: str = "",
    evidence_file: File | None = None,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Enter or correct the value of an indicator for a year; the old value stays in the history.

    A correction states the value, note and evidence text anew (the page prefills
    them from the current entry); without a new file it keeps the one attached.

    `expected_version`: the version of the year's value the editor started from; 0 when
    they saw no value for the year (a new entry). A save over someone else's newer save,
    or a new entry where someone else was first, is refused (StaleEdit). None: the caller
    does not guard. A value that was deleted meanwhile is entered anew.
    """
    require(user, indicator.plan_id, EDIT)
    number = _as_decimal(value)
    if number < 0 and not may_be_negative(indicator):
        raise ValidationError({"value": ValidationError(
            _("%(name)s is counted in %(unit)s: its value cannot be negative."), code="negative_count",
            params={"name": indicator.name, "unit": indicator.unit or "—"})})
    # Lock the row so two people correcting the same year do not both read the old value.
    current = IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year).first()
    entry = current or IndicatorValue(indicator=indicator, year=year)
    if current is not None:
        entry.version = next_version(current, expected_version)
    entry.value = number
    entry.note = note
    entry.evidence_text = evidence_text
    entry.entered_by = history_user(user)
    entry.entered_at = timezone.now()
    if evidence_file is not None:
        entry.evidence_file = evidence_file
    entry.full_clean()
    # Outside a request (CLI, tests) the history middleware does not know the user.
    attribute_to(entry, user)
    entry.save()
    return entry


@transaction.atomic
def indicator_value_delete(*, entry: IndicatorValue, user) -> None:
    """Withdraw a year's value; the history keeps what was reported."""
    require(user, entry.indicator.plan_id, EDIT)
    attribute_to(entry, user)
    entry.delete()


INDICATOR_FIELDS = {"kind", "key", "seq", "name", "unit", "target", "target_year", "attribute", "direction", "source"}


def _indicator_saved(indicator: Indicator) -> Indicator:
    indicator.full_clean()
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError:
        raise ValidationError(_("The plan already has an indicator of this kind with this name or key.")) from None
    return indicator


@transaction.atomic
def indicator_create(*, plan: Plan, user, **fields) -> Indicator:
    """An indicator added by hand (staff); its key is its own unless given."""
    known_fields(fields, INDICATOR_FIELDS, "indicator_create")
    require(user, plan, EDIT)
    return _indicator_saved(Indicator(plan=plan, **fields))


@transaction.atomic
def indicator_update(*, indicator: Indicator, user, **changes) -> Indicator:
    known_fields(changes, INDICATOR_FIELDS, "indicator_update")
    require(user, indicator.plan_id, EDIT)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    for field, value in changes.items():
        setattr(current, field, value)
    return _indicator_saved(current)


@transaction.atomic
def indicator_delete(*, indicator: Indicator, user) -> None:
    """Delete an indicator with its values (the values' history stays)."""
    require(user, indicator.plan_id, EDIT)
    for entry in IndicatorValue.objects.filter(indicator=indicator):
        attribute_to(entry, user)
        entry.delete()
    Indicator.objects.filter(pk=indicator.pk).delete()


@transaction.atomic
def derived_refresh(*, plan: Plan) -> int:
    """Recount every derivable indicator of a plan from its projects; returns the number of values stored.

    Replaces the plan's derived values at once, so running it twice is harmless
    and an indicator that no longer has a rule loses its stale counts.
    """
    now = timezone.now()
    rows = []
    counted: dict[str, dict] = {}  # one query per rule, even when a rule serves two indicators
    for indicator in Indicator.objects.for_plan(plan):
        rule = rule_for(indicator)
        if rule is None:
            continue
        if rule.code not in counted:
            counted[rule.code] = rule_counts(plan=plan, rule=rule)
        for year, count in counted[rule.code].items():
            rows.append(DerivedValue(indicator=indicator, year=year, value=count, rule=rule.code, computed_at=now))
    DerivedValue.objects.filter(indicator__plan=plan).delete()
    DerivedValue.objects.bulk_create(rows)
    return len(rows)
