"""The forms: create and edit projects and budgets, delete a budget; field errors, locks, no lost updates."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import AnnualBudget
from plans.models import Category, PlanYear
from projects.models import ImplementingUnit, Project
from tests.factories import ProjectFactory, UnitFactory
from tests.projects_web.conftest import member, signed_in
from plans.access import SYSTEM

pytestmark = pytest.mark.django_db


def _url(name, budget=None, project=None, **kwargs):
    project = project or budget.project
    kwargs = {"code": project.plan.code, "pk": project.pk, **kwargs}
    if budget is not None and name in ("plan-budget-edit", "plan-budget-delete"):
        kwargs["budget_pk"] = budget.pk
    return reverse(name, kwargs=kwargs)


def _form_data(response) -> dict:
    """What a browser would send back: the form's current values (initial, or as typed and re-shown)."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        data[name] = "" if value is None else getattr(value, "pk", value)
    return data


def _approve(plan, year):
    PlanYear.objects.filter(plan=plan, year=year).update(review_status=PlanYear.Review.APPROVED)


# --- projects ---------------------------------------------------------------------------------------

def test_staff_create_a_project_and_land_on_its_page(plan, staff):
    category = Category.objects.get(plan=plan, name_zh="产业合作类")
    client = signed_in(staff)
    data = {"name": " 肉牛养殖基地 ", "category": category.pk, "nature": "新建", "unit": "", "unit_spelling": "旗农科局",
            "location_text": "巴彦呼舒镇哈吐布其嘎查", "description": "<b>示范</b>", "status": "planned"}
    asked = client.post(reverse("plan-project-create", kwargs={"code": plan.code}), data)  # a unit the plan lacks
    assert [e.code for e in asked.context["form"].errors.as_data()["unit_spelling"]] == ["new_unit"]
    assert not Project.objects.exists() and 'type="checkbox" name="confirm_new_unit"' in asked.content.decode()
    response = client.post(reverse("plan-project-create", kwargs={"code": plan.code}),
                           {**data, "confirm_new_unit": "on"}, follow=True)
    project = Project.objects.get(plan=plan)
    assert response.redirect_chain[-1][0] == f"/plans/{plan.code}/projects/{project.pk}/"
    assert (project.name, project.category, project.unit.name) == ("肉牛养殖基地", category, "旗农科局")
    assert (project.township.name, project.village.name) == ("巴彦呼舒镇", "哈吐布其嘎查")
    assert project.history.get().history_user == staff
    page = response.content.decode()
    assert "The project “肉牛养殖基地” is created." in page
    assert "&lt;b&gt;示范&lt;/b&gt;" in page


def test_a_known_spelling_of_a_unit_is_not_a_new_unit(plan, staff):
    from projects.services import unit_for_spelling

    unit, _created = unit_for_spelling(plan=plan, spelling="科右中旗农科局", user=SYSTEM)
    category = Category.objects.filter(plan=plan).first()
    signed_in(staff).post(reverse("plan-project-create", kwargs={"code": plan.code}), {
        "name": "项目", "category": category.pk, "nature": "新建", "unit_spelling": "旗农科局", "status": "planned",
    })
    assert Project.objects.get().unit == unit and ImplementingUnit.objects.filter(plan=plan).count() == 1


def test_a_new_unit_close_to_a_known_one_is_asked_about_first(plan, staff):
    from projects.services import unit_for_spelling

    unit_for_spelling(plan=plan, spelling="科右中旗农牧科技局", user=SYSTEM)
    category = Category.objects.filter(plan=plan).first()
    url = reverse("plan-project-create", kwargs={"code": plan.code})
    data = {"name": "项目", "category": category.pk, "nature": "新建", "unit_spelling": "科右中旗农牧科技局 办公室",
            "status": "planned"}
    asked = signed_in(staff).post(url, data)
    (message,) = asked.context["form"].errors["unit_spelling"]
    assert "Is it another spelling of “科右中旗农牧科技局”?" in message
    assert not Project.objects.exists() and ImplementingUnit.objects.filter(plan=plan).count() == 1


def test_project_form_field_errors(plan, other_plan, staff, project):
    foreign_category = Category.objects.filter(plan=other_plan).first()
    foreign_unit = UnitFactory(plan=other_plan)
    own_unit = UnitFactory(plan=plan)
    client = signed_in(staff)
    edit = client.get(_url("plan-project-edit", project=project))
    data = {**_form_data(edit), "name": "  ", "category": foreign_category.pk, "unit": foreign_unit.pk,
            "status": "unknown"}
    response = client.post(_url("plan-project-edit", project=project), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "category", "unit", "status"}
    assert "Select a valid choice" in errors["category"][0]
    response = client.post(_url("plan-project-edit", project=project),
                           {**_form_data(edit), "unit": own_unit.pk, "unit_spelling": "旗卫健委"})
    assert "Choose a unit from the list or type one, not both." in response.content.decode()
    project.refresh_from_db()
    assert project.version == 1 and project.unit is None


def test_edit_a_project_and_see_the_change_in_its_history(plan, staff, project):
    client = signed_in(staff)
    data = {**_form_data(client.get(_url("plan-project-edit", project=project))), "name": "新名字",
            "status": "in_progress"}
    response = client.post(_url("plan-project-edit", project=project), data, follow=True)
    page = response.content.decode()
    assert "The project is saved." in page
    project.refresh_from_db()
    assert (project.name, project.status, project.version) == ("新名字", "in_progress", 2)
    history = response.context["history"][0]
    assert history.who == staff.username
    assert [(c.old, c.new) for c in history.changes] == [(project.history.last().name, "新名字"),
                                                         ("planned", "in progress")]


def test_lost_update_guard_on_a_project(plan, project):
    first, second = signed_in(member(plan, "staff")), signed_in(member(plan, "admin"))
    url = _url("plan-project-edit", project=project)
    first_data, second_data = _form_data(first.get(url)), _form_data(second.get(url))
    old_name = project.name
    assert first.post(url, {**first_data, "name": "甲改的名字"}).status_code == 302

    refused = second.post(url, {**second_data, "name": "乙改的名字", "description": "乙的说明"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert 'value="乙改的名字"' in page and "乙的说明" in page  # what the second person typed is kept
    conflict = refused.context["conflict"]
    assert [(c.old, c.new) for c in conflict.changes] == [(old_name, "甲改的名字")]
    project.refresh_from_db()
    assert project.name == "甲改的名字"
    assert refused.context["form"]["version"].value() == "2"

    again = second.post(url, _form_data(refused))
    assert again.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.description, project.version) == ("乙改的名字", "乙的说明", 3)


def test_a_project_with_an_approved_year_keeps_what_the_approved_row_shows(plan, staff, budget):
    _approve(plan, 2021)
    client = signed_in(staff)
    url = _url("plan-project-edit", project=budget.project)
    shown = client.get(url)
    page = shown.content.decode()
    assert "its name, nature, category, implementing unit and place stay as approved" in page
    assert shown.context["form"]["name"].field.disabled and shown.context["form"]["category"].field.disabled
    other = plan.categories.exclude(pk=budget.project.category_id).first()
    # A browser sends nothing for a disabled field; a hand-made post that does is ignored.
    response = client.post(url, {**_form_data(shown), "name": "改名", "category": other.pk,
                                 "description": "进展说明", "status": "in_progress"})
    assert response.status_code == 302
    budget.project.refresh_from_db()
    assert budget.project.name != "改名" and budget.project.category_id != other.pk
    assert (budget.project.description, budget.project.status) == ("进展说明", "in_progress")


# --- budgets ----------------------------------------------------------------------------------------

def _budget_data(**values):
    data = {"year": 2022, "serial_no": "3", "nature": "", "total_investment": "100", "beijing_funds": "60",
            "local_funds": "40", "actual_beijing_funds": "", "actual_local_funds": "", "scale_and_content": "",
            "beijing_funds_use": "", "confirm_figures": "on"}
    return {**data, **values}


def test_add_a_years_budget(plan, staff, project):
    response = signed_in(staff).post(_url("plan-budget-create", project=project),
                                     _budget_data(beijing_funds="1,234.5678", actual_local_funds="0"), follow=True)
    budget = AnnualBudget.objects.get(project=project)
    assert (budget.year, budget.beijing_funds, budget.actual_beijing_funds, budget.actual_local_funds) == (
        2022, Decimal("1234.5678"), None, Decimal("0"))
    assert budget.history.get().history_user == staff
    assert "The 2022 budget is saved." in response.content.decode()


@pytest.mark.parametrize("values, field, message", [
    ({"beijing_funds": "-1"}, "beijing_funds", "An amount cannot be negative."),
    ({"actual_local_funds": "-0.01"}, "actual_local_funds", "An amount cannot be negative."),
    ({"total_investment": "1.12345"}, "total_investment", "has too many decimals"),
    ({"local_funds": "一百"}, "local_funds", "is not a number: enter an amount in 万元"),
    ({"local_funds": "1e3"}, "local_funds", "is not a number"),
    ({"local_funds": "1.2.3"}, "local_funds", "is not a number"),
    ({"local_funds": ""}, "local_funds", "This field is required."),
    ({"year": "2030"}, "year", "2030 is not a year of this plan (2021–2025)."),
    ({"year": "2021"}, "year", "This project already has a budget for 2021."),
])
def test_budget_field_errors(plan, staff, budget, values, field, message):
    response = signed_in(staff).post(_url("plan-budget-create", project=budget.project), _budget_data(**values))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert AnnualBudget.objects.count() == 1


def test_edit_a_budgets_planned_and_actual_amounts(plan, staff, budget):
    client = signed_in(staff)
    url = _url("plan-budget-edit", budget)
    data = {**_form_data(client.get(url)), "beijing_funds": "850.25", "actual_beijing_funds": "400",
            "confirm_figures": "on"}
    response = client.post(url, data, follow=True)
    budget.refresh_from_db()
    assert (budget.beijing_funds, budget.actual_beijing_funds, budget.version) == (Decimal("850.25"),
                                                                                  Decimal("400"), 2)
    page = response.content.decode()
    assert "The 2021 budget is saved." in page
    change = response.context["history"][0]
    assert change.who == staff.username and change.subject == "2021 budget"
    assert [(c.old, c.new) for c in change.changes] == [("800.00", "850.25"), ("—", "400.00")]


def test_lost_update_guard_on_a_budget(plan, budget):
    alice, bob = member(plan, "staff"), member(plan, "staff")
    first, second = signed_in(alice), signed_in(bob)
    url = _url("plan-budget-edit", budget)
    first_data, second_data = _form_data(first.get(url)), _form_data(second.get(url))
    assert first.post(url, {**first_data, "beijing_funds": "801", "local_funds": "699"}).status_code == 302

    refused = second.post(url, {**second_data, "beijing_funds": "799", "actual_beijing_funds": "100",
                                     "confirm_figures": "on"})  # not local
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else changed this record while you were editing it." in page
    assert 'value="799"' in page and 'value="100"' in page  # Bob's entries are kept
    conflict = refused.context["conflict"]
    assert conflict.who == alice.username
    assert [(c.label, c.old, c.new, c.yours_kept) for c in conflict.changes] == [
        ("Cooperation funds 京蒙协作资金 (万元)", "800.00", "801.00", True),  # both changed it: Bob's 799 stays
        ("Local funds 地方自筹资金 (万元)", "700.00", "699.00", False),  # only Alice did: hers is taken over
    ]
    assert alice.username in page and "800.00" in page and "801.00" in page
    budget.refresh_from_db()
    assert (budget.beijing_funds, budget.version) == (Decimal("801"), 2)

    assert 'value="699.00"' in page  # so saving again does not quietly undo Alice's change
    again = second.post(url, _form_data(refused))  # Bob checked, and saves his values on the new version
    assert again.status_code == 302
    budget.refresh_from_db()
    assert (budget.beijing_funds, budget.local_funds, budget.actual_beijing_funds, budget.version) == (
        Decimal("799"), Decimal("699"), Decimal("100"), 3)


def test_an_approved_year_refuses_every_budget_change(plan, staff, budget):
    _approve(plan, 2021)
    other_project = ProjectFactory(plan=plan)
    client = signed_in(staff)
    edit_url = _url("plan-budget-edit", budget)
    shown = client.get(edit_url)
    assert "This year is approved and locked" in shown.content.decode()
    for url, data in [
        (edit_url, {**_form_data(shown), "beijing_funds": "1", "confirm_figures": "on"}),
        (_url("plan-budget-create", project=other_project), _budget_data(year=2021)),
        (_url("plan-budget-delete", budget), {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200
        assert "2021 has been approved and is locked" in response.content.decode()
    assert AnnualBudget.objects.get().beijing_funds == Decimal("800")
    # The other years stay open.
    assert client.post(_url("plan-budget-create", project=other_project), _budget_data(year=2022)).status_code == 302


def test_a_locked_year_offers_no_form_where_the_action_would_be(plan, staff, budget):
    """The lock is shown before saving: no edit or delete links on the project page, no form on the edit and
    delete pages (the figures with a way back instead), and the approved year is not offered for a new budget."""
    _approve(plan, 2021)
    client = signed_in(staff)
    project_page = client.get(reverse("plan-project", kwargs={"code": plan.code, "pk": budget.project_id}))
    html = project_page.content.decode()
    assert _url("plan-budget-edit", budget) not in html and _url("plan-budget-delete", budget) not in html
    assert 'class="locked-note"' in html and "Add a year" in html  # 2022–2025 are still open
    for name in ("plan-budget-edit", "plan-budget-delete"):
        page = client.get(_url(name, budget)).content.decode()
        assert "This year is approved and locked" in page and "<form" not in page.split("</header>")[-1]
        assert "800.00" in page  # the figures the lock keeps
    adding = client.get(_url("plan-budget-create", project=budget.project))
    offered = [year for year, _label in adding.context["form"].fields["year"].widget.choices]
    assert offered == [2022, 2023, 2024, 2025]  # neither the approved year nor one the project has
    for year in (2022, 2023, 2024, 2025):
        PlanYear.objects.filter(plan=plan, year=year).update(review_status=PlanYear.Review.APPROVED)
    page = client.get(reverse("plan-project", kwargs={"code": plan.code, "pk": budget.project_id})).content.decode()
    assert "Add a year" not in page
    adding = client.get(_url("plan-budget-create", project=budget.project)).content.decode()
    assert "there is no year to add" in adding and 'name="beijing_funds"' not in adding


def test_a_locked_year_keeps_its_budget_when_deleting(plan, staff, budget):
    _approve(plan, 2021)
    response = signed_in(staff).post(_url("plan-budget-delete", budget))
    assert "2021 has been approved and is locked" in response.content.decode()
    assert AnnualBudget.objects.filter(pk=budget.pk).exists()


def test_delete_a_budget_after_confirming(plan, staff, budget):
    client = signed_in(staff)
    url = _url("plan-budget-delete", budget)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Delete the 2021 budget?" in confirm.content.decode()
    assert AnnualBudget.objects.filter(pk=budget.pk).exists()
    response = client.post(url, follow=True)
    assert not AnnualBudget.objects.filter(pk=budget.pk).exists()
    assert "The 2021 budget is deleted." in response.content.decode()
    assert response.context["history"][0].deleted and response.context["history"][0].who == staff.username


def test_pages_are_chinese_by_default(plan, staff, budget):
    page = signed_in(staff, lang="zh-hans").get(_url("plan-budget-edit", budget)).content.decode()
    assert "项目总投资（万元）" in page and "保存" in page


@pytest.mark.parametrize(("typed", "stored"), [("１２３.５", "123.5"), ("1,234.5", "1234.5"), ("1 234.5", "1234.5"),
                                             ("40万元", "40"), ("４０", "40")])
def test_amounts_are_read_as_people_type_them(plan, staff, project, typed, stored):
    signed_in(staff).post(_url("plan-budget-create", project=project), _budget_data(local_funds=typed))
    assert AnnualBudget.objects.get(project=project).local_funds == Decimal(stored)


def test_figures_that_disagree_are_saved_only_once_confirmed(plan, staff, project):
    client = signed_in(staff)
    url = _url("plan-budget-create", project=project)
    data = _budget_data(total_investment="300", beijing_funds="1240.50", local_funds="60", actual_beijing_funds="99999")
    data.pop("confirm_figures")
    shown = client.post(url, data)
    assert shown.status_code == 200 and not AnnualBudget.objects.exists()
    form = shown.context["form"]
    assert "is not cooperation funds 1,240.50 + local funds 60.00 = 1,300.50" in str(form.errors["total_investment"])
    assert "Disbursed 99,999.00 is above the planned 1,240.50" in str(form.errors["actual_beijing_funds"])
    assert 'type="checkbox" name="confirm_figures"' in shown.content.decode()
    confirmed = client.post(url, {**data, "confirm_figures": "on"})
    assert confirmed.status_code == 302
    assert AnnualBudget.objects.get(project=project).beijing_funds == Decimal("1240.50")


def test_a_disagreement_the_budget_already_had_is_not_asked_again(plan, staff, budget):
    AnnualBudget.objects.filter(pk=budget.pk).update(total_investment=Decimal("1"))  # as the annex had it
    client = signed_in(staff)
    url = _url("plan-budget-edit", budget)
    response = client.post(url, {**_form_data(client.get(url)), "scale_and_content": "只改内容"})
    assert response.status_code == 302
