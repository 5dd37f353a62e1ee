"""Cross-table rules the database cannot check: everything a project points at is of its own plan."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_project_belongs_to_plan(project) -> None:
    errors = {}
    plan_id = project.plan_id
    if plan_id is None:
        return
    if project.category_id and project.category.plan_id != plan_id:
        errors["category"] = _("This category belongs to another plan.")
    if project.unit_id and project.unit.plan_id != plan_id:
        errors["unit"] = _("This implementing unit belongs to another plan.")
    for field in ("township", "village"):
        place = getattr(project, field)
        if place is not None and place.plan_id != plan_id:
            errors[field] = _("This place belongs to another plan.")
    if project.continues_id and project.continues.plan_id == plan_id:
        errors["continues"] = _("A project continues a project of an earlier plan, not one of its own plan.")
    if project.township_id and project.township.kind != "township":
        errors["township"] = _("Choose a township (苏木/镇).")
    if project.village_id and project.village.kind != "village":
        errors["village"] = _("Choose a village (嘎查/社区).")
    if errors:
        raise ValidationError(errors)
