"""The administration keeps the plan's promises like every other door (the cases of issue 9, as a user tries them).

A user who is staff on plan A and liaison on plan B; a plan admin who is liaison elsewhere;
an approved year; two people editing one budget. Each attempt through the admin is
refused with the message the pages give, and nothing is saved.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from funding.models import AnnualBudget
from funding.services import budget_update
from plans.access import SYSTEM
from plans.locks import locked_message
from plans.models import PlanMembership, PlanYear
from plans.services import membership_set
from projects.models import Project
from reviews.services import year_approve, year_submit
from tests.admin_forms import admin_form
from tests.conftest import member
from tests.factories import BudgetFactory, PlanFactory, ProjectFactory, UserFactory

with translation.override("en"):
    LOCKED_2021 = locked_message([2021])  # the message every door gives (the test browsers ask for English)


def browser(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def post_change(client, obj, **changes):
    url = change_url(obj)
    data = admin_form(client, url, type(obj))
    data.update({key: str(value) for key, value in changes.items()})
    return client.post(url, data)


@pytest.fixture
def plan_b(db):
    return PlanFactory(county="科右前旗", name="B 规划")


@pytest.fixture
def mixed(plan, plan_b):
    """Staff on plan A, liaison on plan B."""
    user = member(plan, "staff")
    membership_set(plan=plan_b, member=user, role="liaison", user=SYSTEM)
    return user


def _approve(plan, year, liaison):
    plan_year = PlanYear.objects.get(plan=plan, year=year)
    year_submit(plan_year=plan_year, user=SYSTEM)
    year_approve(plan_year=plan_year, user=liaison)


@pytest.mark.django_db
def test_a_role_on_one_plan_gives_nothing_on_another(mixed, plan, plan_b):
    theirs = BudgetFactory(project=ProjectFactory(plan=plan_b, name="B 项目"))
    mine = BudgetFactory(project=ProjectFactory(plan=plan, name="A 项目"))
    client = browser(mixed)
    # B's project and budget open read-only: no save button, and a save is refused.
    page = client.get(change_url(theirs.project)).content.decode()
    assert 'name="_save"' not in page
    assert client.post(change_url(theirs.project), {"name": "改名"}).status_code == 403
    assert client.post(change_url(theirs), {"beijing_funds": "1"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.project.name == "B 项目" and theirs.beijing_funds == Decimal("800")
    # On A, the same user edits.
    response = post_change(client, mine.project, name="A 项目（改）")
    assert response.status_code == 302
    assert Project.objects.get(pk=mine.project.pk).name == "A 项目（改）"


@pytest.mark.django_db
def test_nobody_promotes_themselves_or_adds_admins_to_a_plan_they_do_not_administer(plan, plan_b):
    user = member(plan, "admin")
    membership_set(plan=plan_b, member=user, role="liaison", user=SYSTEM)
    client = browser(user)
    own_b = PlanMembership.objects.get(plan=plan_b, user=user)
    assert client.post(change_url(own_b), {"role": "admin"}).status_code == 403
    own_a = PlanMembership.objects.get(plan=plan, user=user)
    response = post_change(client, own_a, role="staff")
    assert response.status_code == 200 and "Nobody changes their own role" in response.content.decode()
    stranger = UserFactory()
    add = reverse("admin:plans_planmembership_add")
    response = client.post(add, {"plan": plan_b.pk, "username": stranger.username, "role": "admin"})
    assert response.status_code == 200  # the form again: plan B is not a choice for this user
    assert not PlanMembership.objects.filter(user=stranger).exists()
    assert dict(PlanMembership.objects.filter(user=user).values_list("plan_id", "role")) == {
        plan.pk: "admin", plan_b.pk: "liaison"}


@pytest.mark.django_db
def test_a_demoted_user_loses_the_rights_at_once(plan, project):
    admin_user = member(plan, "admin")
    colleague = member(plan, "staff")
    client, theirs = browser(admin_user), browser(colleague)
    assert post_change(theirs, project, name="还能改").status_code == 302
    membership = PlanMembership.objects.get(plan=plan, user=colleague)
    assert post_change(client, membership, role="liaison").status_code == 302
    assert PlanMembership.objects.get(pk=membership.pk).role == "liaison"
    assert theirs.post(change_url(project), {"name": "不能再改"}).status_code == 403
    assert Project.objects.get(pk=project.pk).name == "还能改"


@pytest.mark.django_db
def test_an_approved_year_cannot_change_through_any_admin_form(plan, staff, liaison):
    budget = BudgetFactory(project=ProjectFactory(plan=plan), beijing_funds=Decimal("1000"))
    _approve(plan, 2021, liaison)
    client = browser(staff)
    # The budget's own form.
    response = post_change(client, budget, beijing_funds="777.00")
    assert response.status_code == 200 and LOCKED_2021 in response.content.decode()
    # The project form's budget inline.
    response = post_change(client, budget.project, **{"budgets-0-beijing_funds": "777.00"})
    assert response.status_code == 200 and LOCKED_2021 in response.content.decode()
    # The project's category: it would move approved money to another category's total.
    other = plan.categories.exclude(pk=budget.project.category_id).first()
    response = post_change(client, budget.project, category=other.pk)
    assert response.status_code == 200 and LOCKED_2021 in response.content.decode()
    budget.refresh_from_db()
    assert budget.beijing_funds == Decimal("1000") and budget.project.category_id != other.pk


@pytest.mark.django_db
def test_an_approved_year_cannot_be_deleted_through_the_admin(plan, staff, liaison):
    budget = BudgetFactory(project=ProjectFactory(plan=plan))
    _approve(plan, 2021, liaison)
    client = browser(staff)
    project_delete = reverse("admin:projects_project_delete", args=[budget.project.pk])
    response = client.post(project_delete, {"post": "yes"}, follow=True)
    assert LOCKED_2021 in response.content.decode()
    changelist = reverse("admin:funding_annualbudget_changelist")
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [budget.pk], "post": "yes"},
                           follow=True)
    assert LOCKED_2021 in response.content.decode()
    assert AnnualBudget.objects.filter(pk=budget.pk).exists() and Project.objects.filter(pk=budget.project.pk).exists()


@pytest.mark.django_db
def test_a_stale_admin_save_is_refused_with_the_other_changes_shown(plan, staff):
    budget = BudgetFactory(project=ProjectFactory(plan=plan), beijing_funds=Decimal("1000"), local_funds=Decimal("5"))
    client = browser(staff)
    url = change_url(budget)
    opened = admin_form(client, url, AnnualBudget)
    assert "version" not in opened  # the stored version is never a form field; the opened one is hidden
    # Meanwhile someone saves a change through the API or a page.
    budget_update(budget=AnnualBudget.objects.get(pk=budget.pk), user=member(plan, "staff"),
                  expected_version=budget.version, beijing_funds=Decimal("1200"))
    opened["local_funds"] = "9"
    response = client.post(url, opened)
    page = response.content.decode()
    assert response.status_code == 200 and "Someone else changed this record" in page
    assert "1,000.00 → 1,200.00" in page
    budget.refresh_from_db()
    assert (budget.beijing_funds, budget.local_funds, budget.version) == (Decimal("1200"), Decimal("5"), 2)
    # Saving the form shown again keeps their change and adds this one: nothing is lost.
    again = admin_form_from(page, AnnualBudget)
    assert again["beijing_funds"] in ("1200.0000", "1200.00", "1200") and again["local_funds"] == "9"
    assert client.post(url, again).status_code == 302
    budget.refresh_from_db()
    assert (budget.beijing_funds, budget.local_funds, budget.version) == (Decimal("1200"), Decimal("9"), 3)


def admin_form_from(page: str, model) -> dict:
    from tests.admin_forms import form_data

    data = form_data(page, form_id=f"{model._meta.model_name}_form")
    data.pop("csrfmiddlewaretoken", None)
    return data


@pytest.mark.django_db
def test_a_web_form_opened_before_an_admin_save_is_refused(plan, staff):
    budget = BudgetFactory(project=ProjectFactory(plan=plan), beijing_funds=Decimal("1000"))
    opened_version = budget.version
    assert post_change(browser(staff), budget, beijing_funds="1100").status_code == 302
    budget.refresh_from_db()
    assert budget.version == opened_version + 1  # the admin save bumped it
    page = browser(staff).post(
        reverse("plan-budget-edit", kwargs={"code": plan.code, "pk": budget.project.pk, "budget_pk": budget.pk}),
        {"version": opened_version, "year": 2021, "total_investment": "1", "beijing_funds": "1", "local_funds": "0"})
    assert page.status_code == 409
    budget.refresh_from_db()
    assert budget.beijing_funds == Decimal("1100")


@pytest.mark.django_db
def test_adding_a_project_with_its_budgets_in_the_admin_goes_through_the_services(plan, staff):
    client = browser(staff)
    url = reverse("admin:projects_project_add")
    data = admin_form(client, url, Project)
    category = plan.categories.first()
    data.update({"plan": str(plan.pk), "name": "  新项目  ", "category": str(category.pk), "nature": "新建",
                 "status": "planned", "location_text": "巴彦呼舒镇哈日道卜嘎查",
                 "budgets-TOTAL_FORMS": "1", "budgets-0-plan_year": str(PlanYear.objects.get(plan=plan, year=2024).pk),
                 "budgets-0-total_investment": "10", "budgets-0-beijing_funds": "6", "budgets-0-local_funds": "4"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(name="新项目")  # the service trims the name …
    assert project.township.name == "巴彦呼舒镇"  # … and recognises the place
    budget = project.budgets.get()
    assert (budget.year, budget.beijing_funds) == (2024, Decimal("6"))
    assert project.history.get().history_user == staff and budget.history.get().history_user == staff


@pytest.mark.django_db
def test_each_record_can_be_added_changed_and_deleted_in_the_admin_through_its_service(plan, staff, plan_admin):
    """The admin's glue to every service: add, change and delete one record of each kind."""
    from figures.models import KeyProject, StatedFigure
    from indicators.models import Indicator, IndicatorValue
    from plans.models import Category
    from projects.models import ImplementingUnit, Place, UnitAlias
    from projects.services import banner_of, unit_create

    unit = unit_create(plan=plan, name="旗教育局", user=SYSTEM)
    indicator = Indicator.objects.create(plan=plan, seq=1, name="指标", unit="个", target=1, target_year=2025,
                                         attribute="binding")
    banner = banner_of(plan)
    cases = [
        (staff, ImplementingUnit, {"plan": plan.pk, "name": "旗卫健委"}, {"name": "科右中旗卫健委"}),
        (staff, UnitAlias, {"unit": unit.pk, "spelling": "科右中旗教育局局"}, {"spelling": "旗教育局（新）"}),
        (staff, Place, {"plan": plan.pk, "kind": "township", "name": "好腰苏木", "parent": banner.pk},
         {"name": "好腰苏木镇"}),
        (staff, StatedFigure, {"plan": plan.pk, "year": "2023", "metric": "projects", "value": "5",
                               "source": "补充说明"}, {"value": "6"}),
        (staff, KeyProject, {"plan": plan.pk, "column": "3", "title": "专栏3", "first_year": "2023",
                             "last_year": "2023", "name": "重点", "source": "专栏3"}, {"name": "重点（改）"}),
        (staff, Indicator, {"plan": plan.pk, "kind": "main", "key": "extra", "seq": "9", "name": "新指标",
                            "unit": "个", "target": "3", "target_year": "2025", "attribute": "expected",
                            "direction": "at_least"}, {"target": "4"}),
        (staff, IndicatorValue, {"indicator": indicator.pk, "year": "2023", "value": "1"}, {"value": "2"}),
        (plan_admin, Category, {"plan": plan.pk, "order": "10", "code": "extra", "name_zh": "新类"},
         {"name_zh": "新类别"}),
    ]
    for user, model, fields, changes in cases:
        client = browser(user)
        opts = model._meta
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        before = set(model._default_manager.values_list("pk", flat=True))
        data = {**admin_form(client, add, model), **fields}
        response = client.post(add, data)
        assert response.status_code == 302, (opts.label, response.content.decode()[:4000])
        (pk,) = set(model._default_manager.values_list("pk", flat=True)) - before
        obj = model._default_manager.get(pk=pk)
        response = post_change(client, obj, **changes)
        assert response.status_code == 302, (opts.label, response.content.decode()[:4000])
        obj.refresh_from_db()
        for name, value in changes.items():
            assert str(getattr(obj, name)).rstrip("0").rstrip(".") == value.rstrip("0").rstrip("."), opts.label
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[pk])
        assert client.post(delete, {"post": "yes"}).status_code == 302, opts.label
        assert not model._default_manager.filter(pk=pk).exists(), opts.label
