"""Every admin page renders for a superuser; plan members see only their plan's rows."""

import pytest

from projects.services import banner_of
from django.contrib import admin
from django.urls import reverse

from funding.models import AnnualBudget
from indicators.models import Indicator
from plans.models import Category, PlanMembership, PlanYear
from plans.services import membership_set
from projects.models import ImplementingUnit, Place, UnitAlias
from projects.services import unit_for_spelling
from tests.factories import BudgetFactory, ProjectFactory, UserFactory
from plans.access import SYSTEM
from rollups.services import recompute_plan


@pytest.fixture
def populated(plan):
    unit, _ = unit_for_spelling(plan=plan, spelling="科右中旗农科局", user=SYSTEM)
    banner = banner_of(plan)
    town = Place.objects.create(plan=plan, kind="township", name="巴彦呼舒镇", parent=banner)
    project = ProjectFactory(plan=plan, unit=unit, township=town, name="<script>alert(1)</script>项目")
    BudgetFactory(project=project)
    Indicator.objects.create(
        plan=plan, seq=1, name="脱贫人口巩固率", unit="%", target=100, target_year=2025, attribute="binding"
    )
    return plan


def _objects():
    return {model: model._default_manager.first() for model in admin.site._registry}


@pytest.mark.django_db
def test_every_admin_page_renders_for_a_superuser(admin_client, populated, django_assert_max_num_queries):
    membership_set(plan=populated, member=UserFactory(), role="staff", user=SYSTEM)
    for model, obj in _objects().items():
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = admin_client.get(reverse(f"{base}_changelist"))
        assert changelist.status_code == 200, f"{opts.label} changelist"
        add = admin_client.get(reverse(f"{base}_add"))
        assert add.status_code in (200, 403), f"{opts.label} add"
        if obj is not None:
            change = admin_client.get(reverse(f"{base}_change", args=[obj.pk]))
            assert change.status_code == 200, f"{opts.label} change"
            history = admin_client.get(reverse(f"{base}_history", args=[obj.pk]))
            assert history.status_code == 200, f"{opts.label} history"
    assert admin_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_user_supplied_text_is_escaped(admin_client, populated):
    page = admin_client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;项目" in page


@pytest.mark.django_db
def test_changelists_cost_a_constant_number_of_queries(admin_client, plan, django_assert_max_num_queries):
    def queries_for(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [reverse("admin:projects_project_changelist"), reverse("admin:funding_annualbudget_changelist")]
    BudgetFactory(project=ProjectFactory(plan=plan))
    few = [queries_for(u) for u in urls]
    for _ in range(30):
        BudgetFactory(project=ProjectFactory(plan=plan))
    many = [queries_for(u) for u in urls]
    assert many == few


@pytest.mark.django_db
def test_budget_changelist_shows_exact_totals_of_the_filtered_rows(admin_client, plan):
    from decimal import Decimal

    for amount in ("168.15", "86.5", "1921.11"):
        BudgetFactory(project=ProjectFactory(plan=plan), beijing_funds=Decimal(amount))
    page = admin_client.get(reverse("admin:funding_annualbudget_changelist"), {"plan": plan.pk}).content.decode()
    assert "2,175.76" in page


@pytest.mark.django_db
def test_plan_member_sees_only_their_plan(client, plan, other_plan):
    mine = BudgetFactory(project=ProjectFactory(plan=plan, name="我的项目"))
    theirs = BudgetFactory(project=ProjectFactory(plan=other_plan, name="别人的项目"))
    user = UserFactory()
    membership_set(plan=plan, member=user, role=PlanMembership.Role.STAFF, user=SYSTEM)
    client.force_login(user)

    page = client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert "我的项目" in page and "别人的项目" not in page
    # Another plan's records are not found at all, rather than forbidden, so ids leak nothing.
    assert client.get(reverse("admin:projects_project_change", args=[theirs.project.pk])).status_code == 302
    assert client.get(reverse("admin:funding_annualbudget_change", args=[theirs.pk])).status_code == 302
    assert client.get(reverse("admin:projects_project_change", args=[mine.project.pk])).status_code == 200
    for model in (Category, PlanYear, ImplementingUnit, UnitAlias, Place, AnnualBudget):
        opts = model._meta
        listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert listing.status_code == 200
        assert other_plan.code not in listing.content.decode()


@pytest.mark.django_db
def test_liaison_can_read_but_not_change(client, budget):
    user = UserFactory()
    membership_set(plan=budget.project.plan, member=user, role=PlanMembership.Role.LIAISON, user=SYSTEM)
    client.force_login(user)
    url = reverse("admin:funding_annualbudget_change", args=[budget.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"total_investment": "1"})
    assert response.status_code == 403
    budget.refresh_from_db()
    assert str(budget.total_investment) == "1500.00"


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client, budget):
    for url in (reverse("admin:index"), reverse("admin:funding_annualbudget_changelist"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_home_lists_only_the_users_plans_with_totals(client, plan, other_plan):
    BudgetFactory(project=ProjectFactory(plan=plan))
    recompute_plan(plan.pk)  # the home page reads the plan's totals from its rollups
    user = UserFactory()
    membership_set(plan=plan, member=user, role=PlanMembership.Role.LIAISON, user=SYSTEM)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert plan.name in page and other_plan.name not in page
    assert "1,500.00" in page


@pytest.mark.django_db
def test_project_inline_offers_only_the_projects_plan_years(admin_client, budget, other_plan):
    page = admin_client.get(reverse("admin:projects_project_change", args=[budget.project.pk])).content.decode()
    assert f"{budget.project.plan.code} 2021" in page
    assert f"{other_plan.code} 2021" not in page


@pytest.mark.django_db
def test_the_plan_filter_is_a_select_past_thirty_plans_and_still_filters(client, plan, other_plan):
    """A member of many plans gets one select (with the list's other parameters kept) instead of a link per plan;
    the figures under the list are of the plans they see, summed as for a few."""
    from plans.admin_scoping import PlanFilter
    from tests.factories import PlanFactory

    user = UserFactory(is_staff=True)
    plans = [plan, *PlanFactory.create_batch(PlanFilter.LINKS_UP_TO, partner="朝阳区")]
    for each in plans:
        membership_set(plan=each, member=user, role=PlanMembership.Role.LIAISON, user=SYSTEM)
    mine = BudgetFactory(project=ProjectFactory(plan=plans[3], name="第四个规划的项目"))
    BudgetFactory(project=ProjectFactory(plan=other_plan, name="别人的项目"))
    client.force_login(user)
    url = reverse("admin:funding_annualbudget_changelist")
    page = client.get(url, {"year": 2021}).content.decode()
    assert 'class="plan-filter-select"' in page and '<input type="hidden" name="year" value="2021">' in page
    assert all(f'<option value="{each.pk}">{each.code}</option>' in page for each in plans)
    assert f">{other_plan.code}<" not in page and "别人的项目" not in page
    figures = client.get(url).context["budget_totals"]
    assert figures["budgets"] == 1 and figures["beijing_funds"] == f"{mine.beijing_funds:,.2f}"
    chosen = client.get(url, {"plan": plans[3].pk}).content.decode()
    assert f'<option value="{plans[3].pk}" selected>' in chosen and "第四个规划的项目" in chosen
    assert "第四个规划的项目" not in client.get(url, {"plan": plans[4].pk}).content.decode()
    # A few plans: links, as every other filter.
    few = UserFactory(is_staff=True)
    membership_set(plan=plan, member=few, role=PlanMembership.Role.LIAISON, user=SYSTEM)
    client.force_login(few)
    assert 'class="plan-filter-select"' not in client.get(url).content.decode()
