"""The home page (a user's plans), a plan's overview, and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from funding.models import AnnualBudget
from plans.access import VIEW, plan_for_user, role_of
from plans.models import Plan
from portal.dashboard import dashboard_context


@login_required
def home(request):
    """The plans this user may see, each with its planned totals (two queries whatever the data size)."""
    plans = list(Plan.objects.visible_to(request.user).order_by("code"))
    sums = (
        AnnualBudget.objects.filter(plan_year__plan__in=[p.pk for p in plans])
        .values("plan_year__plan")
        .annotate(
            budgets=Count("id"),
            projects=Count("project", distinct=True),
            total_investment=Sum("total_investment"),
            beijing_funds=Sum("beijing_funds"),
            local_funds=Sum("local_funds"),
        )
        .order_by()
    )
    by_plan = {row["plan_year__plan"]: row for row in sums}
    rows = [(plan, by_plan.get(plan.pk, {})) for plan in plans]
    return render(request, "home.html", {"rows": rows})


@login_required
def dashboard(request, code):
    """A plan's overview: where every user of a plan starts."""
    plan = plan_for_user(request.user, code, VIEW)
    return render(request, "plans/dashboard.html", {
        "plan": plan, "role": role_of(request.user, plan), **dashboard_context(plan),
    })


@never_cache
@require_GET
def healthz(request):
    """For load balancers and `make run` smoke checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})
