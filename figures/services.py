"""Writes to stated figures and key projects, with the acting user's role, the year lock, the version,
validation, history and the recompute request checked here for every door."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from figures.models import KeyProject, StatedFigure
from planportal.concurrency import next_version
from planportal.fields import known_fields
from planportal.history import attribute_to
from planportal.lib.names import category_key
from plans.access import EDIT, history_user, require
from plans.hooks import totals_changed
from plans.locks import ensure_plan_years_editable
from plans.models import Category, Plan


def _source_text(source: dict) -> str:
    """"第二章 … 第三节 … 三、发展目标，第142行：“…”" — where a reader finds the figure."""
    heads = [" ".join((source.get(k) or "").split()) for k in ("chapter", "section", "subsection")]
    where = " ".join(h for h in heads if h)
    return f"{where}，第{source['line']}行：“{source['quote']}”"


@transaction.atomic
def narrative_figures_load(*, plan: Plan, targets: list[dict], user) -> dict:
    """Load the figures the plan's text states (chapter 2 targets) from the stated-figures fixture.

    Idempotent: a figure already there is updated in place (with history), never duplicated.
    """
    require(user, plan, EDIT)
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
            source=_source_text(target["source"]), created_by=history_user(user),
        ).assign_slot()
        existing = StatedFigure.objects.select_for_update().filter(plan=plan, slot=figure.slot).first()
        if existing is None:
            ensure_plan_years_editable(plan_id=plan.pk, years=[figure.year])
            figure.full_clean()
            attribute_to(figure, user)
            figure.save()
            counts["created"] += 1
        elif (existing.value, existing.source, existing.qualifier) != (figure.value, figure.source, figure.qualifier):
            ensure_plan_years_editable(plan_id=plan.pk, years=[figure.year])
            existing.value, existing.source, existing.qualifier = figure.value, figure.source, figure.qualifier
            existing.version = next_version(existing, None)  # a form opened before this load is now stale
            attribute_to(existing, user)
            existing.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if counts["created"] or counts["updated"]:
        totals_changed(plan.pk)
    return counts


@transaction.atomic
def key_projects_load(*, plan: Plan, columns: list[dict], user) -> int:
    """The 专栏2–26 key-project lists from the stated-figures fixture. Idempotent."""
    require(user, plan, EDIT)
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
    totals_changed(plan.pk)
    return created


FIGURE_CORRECTABLE = {"value", "qualifier", "unit", "label", "source"}


@transaction.atomic
def stated_figure_create(*, plan: Plan, user, metric: str, value, source: str, year: int | None = None,
                         category=None, label: str = "", unit: str = "", qualifier: str = "") -> StatedFigure:
    """A figure staff add (origin "manual"): one per year, category and metric."""
    require(user, plan, EDIT)
    if category is not None and category.plan_id != plan.pk:
        raise ValidationError({"category": _("This category belongs to another plan.")})
    if year is not None and year not in plan.years:
        raise ValidationError({"year": _("%(year)s is outside the plan's years %(first)s–%(last)s.")
                               % {"year": year, "first": plan.first_year, "last": plan.last_year}})
    figure = StatedFigure(
        plan=plan, origin=StatedFigure.Origin.MANUAL, year=year, category=category, metric=metric, value=value,
        source=source, label=label, unit=unit, qualifier=qualifier, created_by=history_user(user),
    ).assign_slot()
    ensure_plan_years_editable(plan_id=plan.pk, years=[year])
    if StatedFigure.objects.filter(plan=plan, slot=figure.slot).exists():
        raise ValidationError({"metric": _("A figure entered by staff for this year, category and metric "
                                           "already exists: correct that one instead.")})
    figure.full_clean()
    attribute_to(figure, user)
    figure.save()
    totals_changed(plan.pk)
    return figure


@transaction.atomic
def stated_figure_update(*, figure: StatedFigure, user, expected_version: int | None = None,
                         **changes) -> StatedFigure:
    """Correct a figure's value or wording; the history keeps what it said before. With `expected_version`
    (the version the editor started from), a save over someone else's newer save is refused (StaleEdit)."""
    known_fields(changes, FIGURE_CORRECTABLE, "stated_figure_update")
    require(user, figure.plan_id, EDIT)
    figure = StatedFigure.objects.select_for_update().get(pk=figure.pk)
    figure.version = next_version(figure, expected_version)
    ensure_plan_years_editable(plan_id=figure.plan_id, years=[figure.year])
    for field, value in changes.items():
        setattr(figure, field, value)
    figure.assign_slot().full_clean()
    attribute_to(figure, user)
    figure.save()
    totals_changed(figure.plan_id)
    return figure


@transaction.atomic
def stated_figure_delete(*, figure: StatedFigure, user) -> None:
    """Remove a figure staff entered; what the plan document or an annex states is corrected, never removed."""
    require(user, figure.plan_id, EDIT)
    ensure_plan_years_editable(plan_id=figure.plan_id, years=[figure.year])
    if figure.origin != StatedFigure.Origin.MANUAL:
        raise ValidationError(_("Only figures entered by staff can be deleted; a figure the plan states is "
                                "corrected instead (its history keeps what it said)."))
    attribute_to(figure, user)
    figure.delete()
    totals_changed(figure.plan_id)


KEY_PROJECT_FIELDS = {"column", "title", "first_year", "last_year", "category", "name", "source"}


def _key_project_saved(key_project: KeyProject) -> KeyProject:
    if key_project.category_id and key_project.category.plan_id != key_project.plan_id:
        raise ValidationError({"category": _("This category belongs to another plan.")})
    key_project.full_clean()
    key_project.save()
    totals_changed(key_project.plan_id)
    return key_project


@transaction.atomic
def key_project_create(*, plan: Plan, user, **fields) -> KeyProject:
    known_fields(fields, KEY_PROJECT_FIELDS, "key_project_create")
    require(user, plan, EDIT)
    return _key_project_saved(KeyProject(plan=plan, **fields))


@transaction.atomic
def key_project_update(*, key_project: KeyProject, user, **changes) -> KeyProject:
    known_fields(changes, KEY_PROJECT_FIELDS, "key_project_update")
    require(user, key_project.plan_id, EDIT)
    current = KeyProject.objects.select_for_update().get(pk=key_project.pk)
    for field, value in changes.items():
        setattr(current, field, value)
    return _key_project_saved(current)


@transaction.atomic
def key_project_delete(*, key_project: KeyProject, user) -> None:
    require(user, key_project.plan_id, EDIT)
    KeyProject.objects.filter(pk=key_project.pk).delete()
    totals_changed(key_project.plan_id)
