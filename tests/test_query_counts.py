"""Every page the benchmark times costs the same number of queries whatever the data size.

Measured first with two small plans (the user sees both), then on a plan ten times larger among four:
each page must make exactly as many queries. The counts are what bench/README.md reports as `queries`;
timings are the benchmark's business, not the suite's."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from plans.models import Category
from portal.synthetic import synthetic_generate
from projects.models import Project

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20  # the ceiling for every page (bench/README.md)


def _pages(code: str) -> dict[str, str]:
    plan_id = Project.objects.filter(plan__code=code).values_list("plan_id", flat=True).first()
    project = Project.objects.filter(plan_id=plan_id).annotate(n=Count("budgets")).order_by("-n", "pk").first()
    category = Category.objects.filter(plan_id=plan_id).order_by("order").first()
    base, api = f"/plans/{code}", f"/api/plans/{code}"
    return {
        "dashboard": f"{base}/",
        "project list": f"{base}/projects/",
        "project list, filtered": f"{base}/projects/?year=2023&category={category.pk}",
        "project list, sorted": f"{base}/projects/?sort=-total_investment",
        "project list, a later page": f"{base}/projects/?page=3",
        "a project": f"{base}/projects/{project.pk}/",
        "totals matrix": f"{base}/totals/",
        "disagreements": f"{base}/disagreements/",
        "indicators": f"{base}/indicators/",
        "yearly review": f"{base}/reviews/2022/",
        "home": "/",
        "admin budget list": "/admin/funding/annualbudget/",
        "admin budget list, one plan and year": f"/admin/funding/annualbudget/?plan={plan_id}&year=2023",
        "admin budget list, a search": "/admin/funding/annualbudget/?q=项目",
        "API plans": "/api/plans/",
        "API projects": f"{api}/projects/",
        "API budgets": f"{api}/budgets/",
        "API stated figures": f"{api}/stated-figures/",
        "API totals": f"{api}/rollups/",
        "API disagreements": f"{api}/variances/",
    }


def _counts(client, code: str) -> dict[str, int]:
    counts = {}
    for name, path in _pages(code).items():
        client.get(path)  # once first: what a first request caches is not the page's cost
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


def test_every_page_costs_the_same_queries_with_ten_times_the_rows_and_twice_the_plans(client, django_user_model):
    user = django_user_model.objects.create(username="reader", is_staff=True)
    member = (("reader", "liaison"),)
    synthetic_generate(plans=2, budgets_per_plan=120, prefix="small", members=member)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    few = _counts(client, "small-0001")

    synthetic_generate(plans=1, budgets_per_plan=1200, prefix="large", members=member)
    synthetic_generate(plans=1, budgets_per_plan=300, prefix="more", members=member)
    many = _counts(client, "large-0001")

    assert many == few
    assert max(many.values()) <= MAX_QUERIES, many
