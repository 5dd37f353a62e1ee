"""Every project page and action × anonymous, another plan's member, liaison, staff and plan admin."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from funding.models import AnnualBudget
from projects.models import Comment, Project
from tests.factories import BudgetFactory, ProjectFactory
from tests.projects_web.conftest import member, signed_in

pytestmark = pytest.mark.django_db


def _project_data(project, **extra):
    data = {"name": "改过的名字", "category": project.category_id, "nature": "新建", "unit": "",
            "unit_spelling": "", "location_text": "巴彦呼舒镇", "description": "", "status": "planned"}
    if project is not None and project.pk:
        data["version"] = project.version
    return {**data, **extra}


def _budget_data(budget=None, year=2022):
    data = {"year": year, "serial_no": "", "nature": "", "total_investment": "10", "beijing_funds": "6",
            "local_funds": "4", "actual_beijing_funds": "", "actual_local_funds": "", "scale_and_content": "",
            "beijing_funds_use": ""}
    if budget is not None:
        data["version"] = budget.version
    return data


# name, method, kind ("read", "comment" or "write"), url kwargs, POST data
ACTIONS = [
    ("plan-projects", "get", "read", lambda b: {}, None),
    ("plan-projects", "get-csv", "read", lambda b: {}, None),
    ("plan-projects", "get-xlsx", "read", lambda b: {}, None),
    ("plan-project", "get", "read", lambda b: {"pk": b.project_id}, None),
    ("plan-project-comment", "post", "comment", lambda b: {"pk": b.project_id}, lambda b: {"body": "看过了"}),
    ("plan-project-create", "get", "write", lambda b: {}, None),
    ("plan-project-create", "post", "write", lambda b: {},
     lambda b: _project_data(Project(category=b.project.category))),
    ("plan-project-edit", "get", "write", lambda b: {"pk": b.project_id}, None),
    ("plan-project-edit", "post", "write", lambda b: {"pk": b.project_id}, lambda b: _project_data(b.project)),
    ("plan-budget-create", "get", "write", lambda b: {"pk": b.project_id}, None),
    ("plan-budget-create", "post", "write", lambda b: {"pk": b.project_id}, lambda b: _budget_data()),
    ("plan-budget-edit", "get", "write", lambda b: {"pk": b.project_id, "budget_pk": b.pk}, None),
    ("plan-budget-edit", "post", "write", lambda b: {"pk": b.project_id, "budget_pk": b.pk},
     lambda b: _budget_data(b, year=2021)),
    ("plan-budget-delete", "get", "write", lambda b: {"pk": b.project_id, "budget_pk": b.pk}, None),
    ("plan-budget-delete", "post", "write", lambda b: {"pk": b.project_id, "budget_pk": b.pk}, lambda b: {}),
]
ACTION_IDS = [f"{name}-{method}" for name, method, *_rest in ACTIONS]


def _request(client, action, budget):
    name, method, _kind, kwargs, data = action
    url = reverse(name, kwargs={"code": budget.project.plan.code, **kwargs(budget)})
    if method == "post":
        return url, client.post(url, data(budget))
    url += {"get-csv": "?format=csv", "get-xlsx": "?format=xlsx"}.get(method, "")
    return url, client.get(url)


def _state():
    """What a refused request must not have changed."""
    return (
        list(Project.objects.order_by("pk").values_list("pk", "name", "version")),
        list(AnnualBudget.objects.order_by("pk").values_list("pk", "plan_year__year", "beijing_funds", "version")),
        Comment.objects.count(),
    )


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
def test_anonymous_is_sent_to_the_login_page(client, budget, action):
    before = _state()
    url, response = _request(client, action, budget)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url, safe='/')}"
    assert _state() == before


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
def test_another_plans_member_gets_not_found(outsider, budget, action):
    before = _state()
    _url, response = _request(signed_in(outsider), action, budget)
    assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
def test_a_liaison_reads_and_comments_but_changes_nothing(liaison, budget, action):
    before = _state()
    _url, response = _request(signed_in(liaison), action, budget)
    kind, method = action[2], action[1]
    if kind == "write":
        assert response.status_code == 403
        assert _state() == before
    elif method == "post":
        assert response.status_code == 302 and Comment.objects.get().author == liaison
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
def test_staff_and_plan_admins_may_do_everything(plan, budget, action, role):
    user = member(plan, role)
    _url, response = _request(signed_in(user), action, budget)
    if action[1] == "post":
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].startswith(f"/plans/{plan.code}/projects/")
    else:
        assert response.status_code == 200


def test_a_superuser_is_an_admin_of_every_plan(admin_client, budget):
    url = reverse("plan-project-edit", kwargs={"code": budget.project.plan.code, "pk": budget.project_id})
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["plan-project", "plan-project-edit", "plan-budget-create", "plan-project-comment"])
def test_another_plans_project_id_under_this_plans_code_is_not_found(plan, other_plan, staff, name):
    foreign = ProjectFactory(plan=other_plan)
    client = signed_in(staff)
    url = reverse(name, kwargs={"code": plan.code, "pk": foreign.pk})
    response = client.post(url, {"body": "x"}) if name.endswith("comment") else client.get(url)
    assert response.status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["plan-budget-edit", "plan-budget-delete"])
def test_a_budget_of_another_project_is_not_found_under_this_one(plan, other_plan, staff, budget, name):
    foreign_budget = BudgetFactory(project=ProjectFactory(plan=other_plan))
    sibling_budget = BudgetFactory(project=ProjectFactory(plan=plan))
    client = signed_in(staff)
    for other in (foreign_budget, sibling_budget):
        url = reverse(name, kwargs={"code": plan.code, "pk": budget.project_id, "budget_pk": other.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, _budget_data(other)).status_code == 404
    assert AnnualBudget.objects.count() == 3


def test_an_unknown_plan_code_is_not_found(staff):
    assert signed_in(staff).get("/plans/no-such-plan/projects/").status_code == 404
