"""Writes to stated figures."""

from decimal import Decimal

from django.db import transaction

from figures.models import KeyProject, StatedFigure
from planportal.lib.names import category_key
from plans.models import Category, Plan


def _source_text(source: dict) -> str:
    """"第二章 … 第三节 … 三、发展目标，第142行：“…”" — where a reader finds the figure."""
    heads = [" ".join((source.get(k) or "").split()) for k in ("chapter", "section", "subsection")]
    where = " ".join(h for h in heads if h)
    return f"{where}，第{source['line']}行：“{source['quote']}”"


@transaction.atomic
def narrative_figures_load(*, plan: Plan, targets: list[dict], user=None) -> dict:
    """Load the figures the plan's text states (chapter 2 targets) from the stated-figures fixture.

    Idempotent: a figure already there is updated in place (with history), never duplicated.
    """
    categories = {category_key(c.name_zh): c.pk for c in Category.objects.filter(plan=plan)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for target in targets:
        category_id = None
        if target.get("category"):
            category_id = categories.get(category_key(target["category"]))
        figure = StatedFigure(
            plan=plan, origin=StatedFigure.Origin.NARRATIVE, year=target.get("year"), category_id=category_id,
            label=(target.get("category_text") or "")[:200], metric=target["key"], value=Decimal(target["value"]),
            unit=target.get("unit") or "", qualifier=target.get("qualifier") or "",
            source=_source_text(target["source"]), created_by=user,
        ).assign_slot()
        existing = StatedFigure.objects.filter(plan=plan, slot=figure.slot).first()
        if existing is None:
            figure.full_clean()
            figure.save()
            counts["created"] += 1
        elif (existing.value, existing.source, existing.qualifier) != (figure.value, figure.source, figure.qualifier):
            existing.value, existing.source, existing.qualifier = figure.value, figure.source, figure.qualifier
            existing.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if counts["created"] or counts["updated"]:
        from projects.services import request_recompute

        request_recompute(plan.pk)
    return counts


@transaction.atomic
def key_projects_load(*, plan: Plan, columns: list[dict]) -> int:
    """The 专栏2–26 key-project lists from the stated-figures fixture. Idempotent."""
    categories = {category_key(c.name_zh): c.pk for c in Category.objects.filter(plan=plan)}
    created = 0
    for column in columns:
        years = column.get("years") or [plan.first_year]
        for item in column["projects"]:
            _key, was_created = KeyProject.objects.update_or_create(
                plan=plan, column=column["column"], name=item["name"][:300],
                defaults={
                    "title": column["title"][:200],
                    "first_year": min(years),
                    "last_year": max(years),
                    "category_id": categories.get(category_key(column.get("category") or column.get("field"))),
                    "source": f"专栏{column['column']}（{column['title']}），第{item['line']}行"[:200],
                },
            )
            created += was_created
    return created


FIGURE_CORRECTABLE = {"value", "qualifier", "unit", "label", "source"}


@transaction.atomic
def stated_figure_create(*, plan: Plan, user, metric: str, value, source: str, year: int | None = None,
                         category=None, label: str = "", unit: str = "", qualifier: str = "") -> StatedFigure:
    """A figure staff add (origin "manual"): one per year, category and metric."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from projects.services import attribute_to, request_recompute

    if year is not None and year not in plan.years:
        raise ValidationError({"year": _("%(year)s is outside the plan's years %(first)s–%(last)s.")
                               % {"year": year, "first": plan.first_year, "last": plan.last_year}})
    figure = StatedFigure(
        plan=plan, origin=StatedFigure.Origin.MANUAL, year=year, category=category, metric=metric, value=value,
        source=source, label=label, unit=unit, qualifier=qualifier, created_by=user,
    ).assign_slot()
    if StatedFigure.objects.filter(plan=plan, slot=figure.slot).exists():
        raise ValidationError({"metric": _("A figure entered by staff for this year, category and metric "
                                           "already exists: correct that one instead.")})
    figure.full_clean()
    attribute_to(figure, user)
    figure.save()
    request_recompute(plan.pk)
    return figure


@transaction.atomic
def stated_figure_update(*, figure: StatedFigure, user, **changes) -> StatedFigure:
    """Correct a figure's value or wording; the history keeps what it said before."""
    from projects.services import attribute_to, request_recompute

    unknown = set(changes) - FIGURE_CORRECTABLE
    if unknown:
        raise TypeError(f"stated_figure_update() got unknown fields: {', '.join(sorted(unknown))}")
    figure = StatedFigure.objects.select_for_update().get(pk=figure.pk)
    for field, value in changes.items():
        setattr(figure, field, value)
    figure.assign_slot().full_clean()
    attribute_to(figure, user)
    figure.save()
    request_recompute(figure.plan_id)
    return figure
