"""succession.services.plan_succeed: the next plan starts with what the last one knows."""


import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.models import Indicator
from plans.access import SYSTEM
from plans.models import Category, Plan, PlanMembership, PlanYear
from portal.bundled import bundled_plan_ensure
from projects.models import ImplementingUnit, Place, UnitAlias
from projects.services import plan_unit_key, unit_add_alias, unit_for_spelling
from succession.services import TARGET_TO_FILL, pending_targets, plan_succeed
from tests.conftest import member
from tests.factories import PlanFactory, UserFactory


def _succeed(source, code="next-2026-2030", **extra):
    return plan_succeed(user=SYSTEM, source=source, code=code, name="十五五规划", first_year=2026, last_year=2030,
                        **extra)


def _categories(plan):
    return list(Category.objects.filter(plan=plan).order_by("order", "id").values_list("code", "name_zh", "name_en"))


def _spellings(plan):
    return {(a.unit.name, a.spelling) for a in UnitAlias.objects.filter(plan=plan).select_related("unit")}


def _places(plan):
    return {(p.kind, p.name, p.parent.name if p.parent else None)
            for p in Place.objects.filter(plan=plan).select_related("parent")}


def _definitions(plan):
    return set(Indicator.objects.filter(plan=plan).values_list(
        "kind", "key", "seq", "name", "unit", "attribute", "direction", "target"))


@pytest.mark.django_db
def test_the_bundled_plan_copies_into_a_2026_2030_plan():
    old, _created = bundled_plan_ensure()
    unit_add_alias(unit=ImplementingUnit.objects.get(plan=old, name="科右中旗农科局"), spelling="农牧和科技局",
                   user=SYSTEM)  # a second spelling of one unit
    made = _succeed(old)
    new = made.plan
    assert new.follows == old and (new.county, new.partner) == (old.county, old.partner)
    assert list(PlanYear.objects.filter(plan=new).values_list("year", flat=True)) == [2026, 2027, 2028, 2029, 2030]
    assert _categories(new) == _categories(old) and len(_categories(new)) == 9
    assert set(ImplementingUnit.objects.filter(plan=new).values_list("name", flat=True)) == set(
        ImplementingUnit.objects.filter(plan=old).values_list("name", flat=True))
    assert _spellings(new) == _spellings(old) and made.spellings_merged == []
    assert UnitAlias.objects.filter(plan=old).count() > ImplementingUnit.objects.filter(plan=old).count()
    for alias in UnitAlias.objects.filter(plan=new):
        assert alias.key == plan_unit_key(new, alias.spelling)
    assert _places(new) == _places(old) and len(_places(new)) > 10
    assert _definitions(new) == _definitions(old) and len(_definitions(new)) >= 10
    # Every target is a placeholder until the new figure is entered; its year moved with the plan.
    assert pending_targets(new).count() == Indicator.objects.filter(plan=new).count()
    assert set(Indicator.objects.filter(plan=new).values_list("target_year", flat=True)) == {2030}
    main = Indicator.objects.get(plan=new, key="main-1")
    assert main.source.startswith(TARGET_TO_FILL) and Indicator.objects.get(plan=old, key="main-1").source in main.source
    # Nothing of the portfolio comes along, and the old plan is untouched.
    assert not new.projects.exists() and not pending_targets(old).exists()
    assert (made.categories, made.units, made.places) == (9, ImplementingUnit.objects.filter(plan=old).count(),
                                                          Place.objects.filter(plan=old).count())


@pytest.mark.django_db
def test_a_villages_township_and_banner_keep_their_tree():
    old = PlanFactory()
    banner = Place.objects.create(plan=old, kind=Place.Kind.BANNER, name=old.county)
    town = Place.objects.create(plan=old, kind=Place.Kind.TOWNSHIP, name="巴彦呼舒镇", parent=banner)
    Place.objects.create(plan=old, kind=Place.Kind.VILLAGE, name="代钦塔拉嘎查", parent=town)
    Place.objects.create(plan=old, kind=Place.Kind.VILLAGE, name="代钦塔拉嘎查", parent=banner)
    new = _succeed(old).plan
    assert _places(new) == {("banner", "科右中旗", None), ("township", "巴彦呼舒镇", "科右中旗"),
                            ("village", "代钦塔拉嘎查", "巴彦呼舒镇"), ("village", "代钦塔拉嘎查", "科右中旗")}
    assert not Place.objects.filter(plan=new, parent__plan=old).exists()


@pytest.mark.django_db
def test_an_existing_code_is_refused_and_nothing_is_copied():
    old = PlanFactory()
    unit, _created = unit_for_spelling(plan=old, spelling="旗农科局", user=SYSTEM)
    taken = PlanFactory(code="taken", first_year=2026, last_year=2030)
    before = (Plan.objects.count(), ImplementingUnit.objects.count(), Category.objects.count())
    with pytest.raises(ValidationError) as refused:
        _succeed(old, code="taken")
    assert "taken" in str(refused.value.message_dict["code"])
    assert (Plan.objects.count(), ImplementingUnit.objects.count(), Category.objects.count()) == before
    assert taken.follows is None and not ImplementingUnit.objects.filter(plan=taken).exists()


@pytest.mark.django_db
def test_the_next_plan_starts_after_the_last_and_only_a_superuser_makes_it():
    old = PlanFactory()
    with pytest.raises(ValidationError) as refused:
        plan_succeed(user=SYSTEM, source=old, code="overlap", name="x", first_year=2025, last_year=2029)
    assert "first_year" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        plan_succeed(user=member(old, "admin"), source=old, code="by-admin", name="x", first_year=2026,
                     last_year=2030)
    assert not Plan.objects.filter(code__in=["overlap", "by-admin"]).exists()


@pytest.mark.django_db
def test_spellings_move_with_their_unit_and_members_only_on_request():
    old = PlanFactory()
    unit, _created = unit_for_spelling(plan=old, spelling="旗农科局", user=SYSTEM)
    unit_add_alias(unit=unit, spelling="科右中旗农牧和科技局", user=SYSTEM)
    staff, liaison = member(old, "staff"), member(old, "liaison")
    without = _succeed(old, code="without-members").plan
    assert not PlanMembership.objects.filter(plan=without).exists()
    root = UserFactory(is_superuser=True, is_staff=True)
    PlanMembership.objects.create(plan=old, user=root, role="admin")
    made = plan_succeed(user=root, source=old, code="with-members", name="x", first_year=2026, last_year=2030,
                        with_members=True)
    roles = dict(PlanMembership.objects.filter(plan=made.plan).values_list("user__username", "role"))
    assert roles == {staff.username: "staff", liaison.username: "liaison"}
    assert made.members_skipped == [root.username]
    new_unit = ImplementingUnit.objects.get(plan=made.plan)
    assert set(new_unit.aliases.values_list("spelling", flat=True)) == {"旗农科局", "科右中旗农牧和科技局"}
    assert new_unit.pk != unit.pk and new_unit.version == 1
