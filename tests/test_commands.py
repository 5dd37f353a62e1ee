import pytest

from plans.access import EDIT, VIEW, may
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from indicators.models import Indicator
from plans.models import Category, Plan, PlanMembership, PlanYear


@pytest.mark.django_db
def test_create_plan_makes_years_and_categories():
    call_command("create_plan", "xingan-test", "--name", "测试规划", "--years", "2021-2025", "--county", "突泉县")
    plan = Plan.objects.get(code="xingan-test")
    assert (plan.county, plan.partner, plan.amount_unit) == ("突泉县", "海淀区", "万元")
    assert list(PlanYear.objects.filter(plan=plan).values_list("year", flat=True)) == [2021, 2022, 2023, 2024, 2025]
    assert list(Category.objects.filter(plan=plan).values_list("name_zh", flat=True)) == [
        "基础设施类", "产业合作类", "人才培训类", "劳务协作类", "消费帮扶类",
        "乡村振兴类", "社会事业类", "乡村旅游类", "万企兴万村类",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("years", ["2025-2021", "2021", "twenty-21"])
def test_create_plan_rejects_bad_years(years):
    with pytest.raises(CommandError):
        call_command("create_plan", "bad", "--name", "x", "--years", years)
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_create_plan_refuses_a_duplicate_code(plan):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_plan", plan.code, "--name", "x", "--years", "2021-2025")


@pytest.mark.django_db
def test_load_demo_creates_the_bundled_plan_and_users_once(settings):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    plan = Plan.objects.get(code="keyouzhongqi-2021-2025")
    assert (plan.county, plan.partner, plan.first_year, plan.last_year) == ("科右中旗", "海淀区", 2021, 2025)
    roles = dict(PlanMembership.objects.filter(plan=plan).values_list("user__username", "role"))
    assert roles == {"staff": "staff", "liaison": "liaison", "admin": "admin"}
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("planportal-demo")
    staff = get_user_model().objects.get(username="staff")
    # Roles come from the memberships alone: no global permission grants plan data.
    assert may(staff, plan, EDIT) and not staff.is_superuser and not staff.has_perm("funding.change_annualbudget")
    liaison = get_user_model().objects.get(username="liaison")
    assert may(liaison, plan, VIEW) and not may(liaison, plan, EDIT) and not liaison.get_all_permissions()
    binding = Indicator.objects.filter(plan=plan, kind="main", attribute="binding").values_list("name", flat=True)
    assert Indicator.objects.filter(plan=plan, kind="main").count() == 10 and len(binding) == 4
    assert Indicator.objects.get(plan=plan, kind="main", seq=1).direction == "at_most"
    assert Indicator.objects.filter(plan=plan, kind="goal").exists()  # chapter 2's five-year goals


@pytest.mark.django_db
def test_load_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not get_user_model().objects.exists()
