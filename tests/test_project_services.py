from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding.services import budget_create
from projects.models import ImplementingUnit, Place, UnitAlias
from projects.services import project_create, project_update, unit_add_alias, unit_for_spelling, unit_merge
from tests.factories import PlanFactory
from plans.access import SYSTEM


@pytest.mark.django_db
def test_unit_spellings_map_to_one_unit(plan):
    first, created = unit_for_spelling(plan=plan, spelling="科右中旗农科局", user=SYSTEM)
    again, created_again = unit_for_spelling(plan=plan, spelling="旗农科局", user=SYSTEM)
    assert created and not created_again and first == again
    town, _ = unit_for_spelling(plan=plan, spelling="巴彦呼舒镇人民政府", user=SYSTEM)
    assert unit_for_spelling(plan=plan, spelling="巴彦呼舒人民政府", user=SYSTEM)[0] == town
    other, _ = unit_for_spelling(plan=plan, spelling="旗农牧局", user=SYSTEM)
    assert other != first
    assert unit_for_spelling(plan=plan, spelling="  ", user=SYSTEM) == (None, False)


@pytest.mark.django_db
def test_units_of_two_plans_never_mix(plan, other_plan):
    mine, _ = unit_for_spelling(plan=plan, spelling="旗农科局", user=SYSTEM)
    theirs, created = unit_for_spelling(plan=other_plan, spelling="旗农科局", user=SYSTEM)
    assert created and mine != theirs


@pytest.mark.django_db
def test_an_alias_cannot_point_at_two_units(plan):
    a, _ = unit_for_spelling(plan=plan, spelling="旗卫健委", user=SYSTEM)
    b, _ = unit_for_spelling(plan=plan, spelling="旗教育局", user=SYSTEM)
    unit_add_alias(unit=a, spelling="卫生健康委员会", user=SYSTEM)
    with pytest.raises(ValidationError, match="已对应实施单位"):
        unit_add_alias(unit=b, spelling="科右中旗卫健委", user=SYSTEM)


@pytest.mark.django_db
def test_merging_units_moves_projects_and_spellings(plan):
    a, _ = unit_for_spelling(plan=plan, spelling="旗团委", user=SYSTEM)
    b, _ = unit_for_spelling(plan=plan, spelling="共青团科右中旗委员会", user=SYSTEM)
    project = project_create(plan=plan, name="青年之家", category=plan.categories.first(), unit=b, user=SYSTEM)
    unit_merge(keep=a, merge=b, user=SYSTEM)
    project.refresh_from_db()
    assert project.unit == a
    assert not ImplementingUnit.objects.filter(pk=b.pk).exists()
    assert set(UnitAlias.objects.filter(unit=a).values_list("spelling", flat=True)) == {"旗团委", "共青团科右中旗委员会"}


@pytest.mark.django_db
def test_location_is_recognised_and_raw_text_kept(plan):
    project = project_create(
        plan=plan, name="嘎查环境整治", category=plan.categories.first(), location_text="科右中旗巴彦茫哈苏木葛根敖日都嘎查"
    , user=SYSTEM)
    assert project.location_text == "科右中旗巴彦茫哈苏木葛根敖日都嘎查"
    assert project.township.name == "巴彦茫哈苏木" and project.township.parent.kind == "banner"
    assert project.village.name == "葛根敖日都嘎查" and project.village.parent == project.township
    # Another spelling of the same township lands on the same place.
    other = project_create(
        plan=plan, name="另一个", category=plan.categories.first(), location_text="科右中旗巴彦忙哈苏木巴彦温都尔嘎查"
    , user=SYSTEM)
    assert other.township == project.township
    # A vague text keeps no place, but keeps its words.
    vague = project_update(project=other, location_text="科右中旗各苏木镇", user=SYSTEM)
    assert vague.township is None and vague.village is None and vague.location_text == "科右中旗各苏木镇"


@pytest.mark.django_db
def test_other_banners_are_recognised_by_suffix():
    plan = PlanFactory(county="突泉县")
    project = project_create(
        plan=plan, name="道路", category=plan.categories.first(), location_text="突泉县六户镇永安村"
    , user=SYSTEM)
    assert (project.township.name, project.village.name) == ("六户镇", "永安村")
    assert Place.objects.get(plan=plan, kind="banner").name == "突泉县"


@pytest.mark.django_db
def test_project_without_name_is_refused(plan):
    with pytest.raises(ValidationError):
        project_create(plan=plan, name="   ", category=plan.categories.first(), user=SYSTEM)


@pytest.mark.django_db
def test_project_history_records_every_change(plan):
    project = project_create(plan=plan, name="旧名", category=plan.categories.first(), user=SYSTEM)
    project_update(project=project, name="新名", status="in_progress", user=SYSTEM)
    history = list(project.history.order_by("history_id").values_list("name", "status"))
    assert history == [("旧名", "planned"), ("新名", "in_progress")]


@pytest.mark.django_db
def test_budget_history_keeps_old_amounts(project):
    budget = budget_create(project=project, year=2022, beijing_funds=Decimal("86.5"), user=SYSTEM)
    from funding.services import budget_update

    budget_update(budget=budget, beijing_funds=Decimal("1921.11"), user=SYSTEM)
    amounts = list(budget.history.order_by("history_id").values_list("beijing_funds", flat=True))
    assert amounts == [Decimal("86.50"), Decimal("1921.11")]
