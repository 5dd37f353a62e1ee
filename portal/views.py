"""The home page (a user's plans), a plan's overview, and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from planportal.celery import app as celery_app
from plans.access import VIEW, plan_for_user, role_of
from portal.dashboard import dashboard_context
from portfolio.queries import PortfolioFilter, portfolio_page
from rollups.services import oldest_pending_age


@login_required
def home(request):
    """The plans this user may see, a page at a time, as the portfolio shows them (portfolio.queries: read from
    the rollups, the same queries with one plan or a thousand); the portfolio adds filters and summaries."""
    data = portfolio_page(request.user, PortfolioFilter(), request.GET.get("page"), summaries=False)
    return render(request, "home.html", {"data": data, "query": ""})


@login_required
def dashboard(request, code):
    """A plan's overview: where every user of a plan starts."""
    plan = plan_for_user(request.user, code, VIEW)
    return render(request, "plans/dashboard.html", {
        "plan": plan, "role": role_of(request.user, plan), **dashboard_context(plan),
    })


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # what is down, in a word: the page says it, nothing more
        return f"down: {type(exc).__name__}"
    return "ok"


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker():
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


def _cache():
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache does not keep a value")


@never_cache
@require_GET
def healthz(request):
    """For load balancers and operators: the database (503 when it is down), the broker, the cache,
    and how long the oldest change has waited for its totals (seconds; null when none waits).

    Only the database makes the site unusable; without the broker or the cache saves still commit
    and the totals follow when they are back (the recompute outbox).
    """
    report = {"database": _check(_database), "database_vendor": connection.vendor}
    if report["database"] != "ok":
        return JsonResponse({"status": "down", **report}, status=503)
    report["broker"] = _check(_broker) if settings.CELERY_BROKER_URL else "none (tasks run in-process)"
    report["cache"] = _check(_cache)
    age = oldest_pending_age()
    report["oldest_pending_recompute_seconds"] = None if age is None else round(age, 1)
    degraded = report["broker"].startswith("down") or report["cache"] != "ok"
    return JsonResponse({"status": "degraded" if degraded else "ok", **report})
