"""The rollups and pages benchmarks, on one database that grows from the bundled plan alone to 1,000 plans.

Run in a child process of `python -m bench` with Django set up on the bench's own database (dropped and
migrated first) and its production-like settings (DEBUG off). In order:

1. the bundled plan alone: gunicorn starts (4 workers); every page is fetched by CLIENTS concurrent clients
   for a few seconds, /healthz too (the floor: the cheapest view that touches the database, broker and
   cache); each page's queries are counted once in this process (Django's test client);
2. 10 synthetic plans (`generate_synthetic`): one plan's recompute is timed (few);
3. 990 more plans and one big plan (1,000,000 budgets in all at full scale): the full recompute of every
   total is timed against its honest floor — the same two-stage GROUPING SETS statement as one bare
   SELECT, its rows counted in the server instead of written — and the same plan's recompute again (many);
4. the pages again, on the same bundled plan among all the others (scale_ratio: this p50 over step 1's);
   the home page is for a user who sees every plan, the admin's budget list unfiltered;
5. with a Celery worker: one budget edit until the dashboard, fetched through gunicorn, shows the new total.

Prints one JSON line: {"rollups": {...}, "pages": {...}, "timings_s": {...}}.
"""

import os
import re
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
# Full scale: 1,000 plans of 1,000 budgets; quick: about a hundredth.
PLANS = 100 if QUICK else 1000
BUDGETS_PER_PLAN = 100 if QUICK else 1000
FEW = 10
BIG_PLAN_BUDGETS = 1_000 if QUICK else 25_000  # about 12,500 projects: page 200 of 50 exists
CLIENTS = 4 if QUICK else 20
SECONDS_PER_PAGE = 0.5 if QUICK else 5.0
WARM_SECONDS = 0.1 if QUICK else 0.5  # every gunicorn worker has served the page once before it is timed
GUNICORN_WORKERS = 4
PREFIX = "synthetic"
BIG_PREFIX = "synthetic-big"
MANY_USER, STAFF_USER, ONE_USER = "bench-many", "bench-staff", "bench-one"


def _best(fn, runs=3) -> float:
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def floor_sql() -> str:
    """The full recompute's own computation (rollups.compute: the fine aggregate and its GROUPING SETS) as one
    bare SELECT: no pairing with the stored totals, no DELETE, no INSERT. Every figure is summed once more by
    the server instead of being sent here, so the planner cannot skip computing a column nobody reads."""
    from rollups.compute import AMOUNTS, _grouping_sets_sql

    sql = _grouping_sets_sql("")
    match = re.search(r"\),\s*paired AS \(", sql)
    if match is None:
        raise RuntimeError("rollups.compute no longer computes its totals in a CTE `fresh` followed by `paired`: "
                           "update bench.world.floor_sql")
    used = ", ".join(f"SUM({name})" for name in ("projects", *AMOUNTS))
    return f"{sql[:match.start()]}) SELECT COUNT(*), {used} FROM fresh"


# --- the pages -----------------------------------------------------------------------------------

def _pages(world: dict, big: bool) -> dict[str, tuple[str, str]]:
    """name → (user, path). The same plan (the bundled one) in both worlds; page 200 of the big plan only exists
    in the large one, so the small world's row is the bundled plan's last page."""
    code, api = f"/plans/{world['code']}", f"/api/plans/{world['code']}"
    deep = f"/plans/{world['big_code']}/projects/?page=200" if big else f"{code}/projects/?page={world['last_page']}"
    return {
        "dashboard": (MANY_USER, f"{code}/"),
        "project_list": (MANY_USER, f"{code}/projects/"),
        "project_list_filtered": (MANY_USER, f"{code}/projects/?year=2023&category={world['category']}"),
        "project_list_sorted": (MANY_USER, f"{code}/projects/?sort=-total_investment"),
        "project_list_page_200_of_a_big_plan": (MANY_USER, deep),
        "project": (MANY_USER, f"{code}/projects/{world['project']}/"),
        "totals_matrix": (MANY_USER, f"{code}/totals/"),
        "disagreements": (MANY_USER, f"{code}/disagreements/"),
        "indicators": (MANY_USER, f"{code}/indicators/"),
        "yearly_review": (MANY_USER, f"{code}/reviews/{world['review_year']}/"),
        "home_seeing_every_plan": (MANY_USER, "/"),
        "portfolio_seeing_every_plan": (MANY_USER, "/portfolio/"),
        "admin_budget_list": (MANY_USER, "/admin/funding/annualbudget/"),
        "api_plans": (MANY_USER, "/api/plans/"),
        # The same list cut to one row in both worlds: what the number of plans costs apart from the size of the
        # answer (100 plans against 1 above).
        "api_plans_one_row": (MANY_USER, "/api/plans/?limit=1"),
        "api_projects": (MANY_USER, f"{api}/projects/"),
        "api_budgets": (MANY_USER, f"{api}/budgets/"),
        "api_stated_figures": (MANY_USER, f"{api}/stated-figures/"),
        "api_rollups": (MANY_USER, f"{api}/rollups/"),
        "api_variances": (MANY_USER, f"{api}/variances/"),
    }


def _sessions() -> dict[str, str]:
    """A signed-in session cookie per bench user (as the sign-in page would give)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = {}
    for user in get_user_model().objects.filter(username__in=[MANY_USER, STAFF_USER]):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookies[user.username] = client.cookies["sessionid"].value
    return cookies


def _queries(pages: dict) -> dict[str, int]:
    """Each page's queries, counted in this process on the same database (the figure the tests hold constant)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    clients = {}
    for name, (username, path) in pages.items():
        if username not in clients:
            clients[username] = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            clients[username].force_login(get_user_model().objects.get(username=username),
                                          backend="django.contrib.auth.backends.ModelBackend")
        clients[username].get(path, secure=True)  # warm: a first request fills caches the others read
        with CaptureQueriesContext(connection) as captured:
            response = clients[username].get(path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{name} {path}: {response.status_code} {response.content[:300]!r}")
        counts[name] = len(captured.captured_queries)
    return counts


def _hammer(port: int, path: str, cookie: str | None, clients: int, seconds: float) -> list[float]:
    """`clients` threads fetch `path` for `seconds` over keep-alive connections; the latencies (s)."""
    from bench.loadtest import Client, Recorder, TransportError, Unexpected

    latencies, errors = [], []
    end = time.time() + seconds

    def loop():
        rec = Recorder()
        client = Client(port, rec)
        if cookie:
            client.cookies["sessionid"] = cookie
        while time.time() < end:
            try:
                client.request("bench", "GET", path, api=path.startswith("/api/"))
            except (TransportError, Unexpected) as exc:
                errors.append(f"{exc}: {rec.unexpected[-1][2][:300] if rec.unexpected else ''}")
                break
        client.close()
        latencies.extend(row[4] for row in rec.rows if row[3] == 200)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    if errors:
        raise RuntimeError(f"GET {path}: {errors[0]}")
    return latencies


def _figures(latencies: list[float]) -> dict:
    from bench.loadtest import _latencies

    figures = _latencies([(None, None, None, 200, v) for v in latencies])
    return {"p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"], "requests": figures["count"]}


def measure_pages(port: int, world: dict, big: bool) -> dict:
    pages = _pages(world, big)
    cookies = _sessions()
    queries = _queries(pages)
    floor = _figures(_hammer(port, "/healthz", None, CLIENTS, SECONDS_PER_PAGE))
    result = {"floor_healthz": floor}
    for name, (username, path) in pages.items():
        _hammer(port, path, cookies[username], CLIENTS, WARM_SECONDS)
        result[name] = {**_figures(_hammer(port, path, cookies[username], CLIENTS, SECONDS_PER_PAGE)),
                        "queries": queries[name], "path": path}
        result[name]["floor_ratio"] = round(result[name]["p50_ms"] / floor["p50_ms"], 2)
    return result


# --- the world -----------------------------------------------------------------------------------

def _generate(plans: int, budgets: int, prefix: str, recompute: bool) -> float:
    from portal.synthetic import synthetic_generate

    started = time.perf_counter()
    synthetic_generate(plans=plans, budgets_per_plan=budgets, prefix=prefix, members=((MANY_USER, "liaison"),),
                       recompute=recompute)
    return time.perf_counter() - started


def _bundled_world() -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from plans.access import SYSTEM
    from plans.models import Category, PlanYear
    from plans.services import membership_set
    from portal.bundled import bundled_plan_ensure
    from projects.models import Project
    from rollups.services import recompute_plan

    plan, _created = bundled_plan_ensure()
    recompute_plan(plan.pk)
    User = get_user_model()
    for username, role in ((MANY_USER, "liaison"), (STAFF_USER, "staff"), (ONE_USER, "liaison")):
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_unusable_password()
            user.save()
        membership_set(plan=plan, member=user, role=role, user=SYSTEM)
    project = (Project.objects.filter(plan=plan).annotate(n=Count("budgets")).order_by("-n", "pk").first())
    projects = Project.objects.filter(plan=plan).count()
    review = (PlanYear.objects.filter(plan=plan).exclude(review_status=PlanYear.Review.OPEN).order_by("year").first()
              or PlanYear.objects.filter(plan=plan).order_by("year").first())
    return {"code": plan.code, "plan_id": plan.pk, "project": project.pk, "last_page": max(1, -(-projects // 50)),
            "category": Category.objects.filter(plan=plan).order_by("order").first().pk, "review_year": review.year}


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what an operator (or autovacuum, later) does after a bulk load


def edit_to_fresh_totals_ms(port: int, world: dict, cookie: str) -> float:
    """One budget edit (the service every door calls) until the dashboard, through gunicorn, shows the new total."""
    from django.contrib.auth import get_user_model

    from bench.loadtest import Client, Recorder
    from funding.models import AnnualBudget
    from funding.services import budget_update
    from planportal.lib.money import format_wan
    from plans.models import PlanYear

    budget = (AnnualBudget.objects.filter(plan_year__plan_id=world["plan_id"])
              .exclude(plan_year__review_status__in=[PlanYear.Review.APPROVED, PlanYear.Review.SUBMITTED])
              .order_by("pk").first())
    whole = AnnualBudget.objects.filter(plan_year__plan_id=world["plan_id"]).totals()["total_investment"]
    step = Decimal("1234.56")
    wanted = format_wan(whole + step)
    client = Client(port, Recorder())
    client.cookies["sessionid"] = cookie
    staff = get_user_model().objects.get(username=STAFF_USER)
    started = time.perf_counter()
    budget_update(budget=budget, user=staff, expected_version=budget.version,
                  total_investment=budget.total_investment + step, beijing_funds=budget.beijing_funds + step)
    deadline = started + 60
    while time.perf_counter() < deadline:
        if wanted in client.request("bench", "GET", f"/plans/{world['code']}/").text:
            return round((time.perf_counter() - started) * 1000, 1)
        time.sleep(0.02)
    raise RuntimeError(f"the dashboard did not show the new total {wanted} within 60 s of the edit")


def run() -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.loadtest import Services, _free_port, _get, _wait_until
    from funding.models import AnnualBudget
    from plans.models import Plan
    from rollups.compute import BULK_SESSION_SQL, write_rollups
    from rollups.services import recompute_plan

    timings = {}
    t = time.perf_counter()
    world = _bundled_world()
    timings["bundled_plan"] = round(time.perf_counter() - t, 1)
    logs = Path(os.environ["PLANPORTAL_VAR_DIR"]) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    services = Services(logs, env)
    port = _free_port()
    result = {}
    try:
        services.start("gunicorn", [sys.executable, "-m", "gunicorn", "planportal.wsgi", "-w",
                                    str(GUNICORN_WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "120"])

        def healthy():
            answer = _get(port, "/healthz")
            return answer is not None and answer.status == 200

        _wait_until("gunicorn (/healthz)", healthy, services)
        t = time.perf_counter()
        small = measure_pages(port, world, big=False)
        timings["pages_bundled_plan_alone"] = round(time.perf_counter() - t, 1)

        # Few plans: one plan's recompute.
        t = time.perf_counter()
        _generate(FEW, BUDGETS_PER_PLAN, PREFIX, recompute=True)
        _analyze()
        one = Plan.objects.get(code=f"{PREFIX}-0003").pk
        few_s = _best(lambda: recompute_plan(one), runs=5)
        timings["few_plans"] = round(time.perf_counter() - t, 1)

        # Many plans: generate, then the full recompute against its floor.
        t = time.perf_counter()
        generate_s = _generate(PLANS - FEW, BUDGETS_PER_PLAN, PREFIX, recompute=False)
        generate_s += _generate(1, BIG_PLAN_BUDGETS, BIG_PREFIX, recompute=False)
        _analyze()
        timings["generate_many"] = round(time.perf_counter() - t, 1)
        budgets = AnnualBudget.objects.count()

        def floor():
            # The same session settings as the recompute, so the ratio compares the work, not the tuning.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(BULK_SESSION_SQL)
                cursor.execute(floor_sql())
                cursor.fetchall()

        def full():
            with transaction.atomic():
                write_rollups(None, timezone.now())

        t = time.perf_counter()
        floor_s = _best(floor)
        # The first full recompute writes every total (none is stored for the plans generated without one);
        # the next ones meet an unchanged database, as the periodic recompute mostly does, and write nothing.
        started = time.perf_counter()
        full()
        full_first_s = time.perf_counter() - started
        full_s = _best(full)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE rollups_rollup")  # three rewrites leave dead rows for autovacuum
        timings["full_recompute"] = round(time.perf_counter() - t, 1)
        # Every plan's checks and indicators too (what the pages read), by the per-plan service.
        t = time.perf_counter()
        from portal.synthetic import synthetic_recompute

        synthetic_recompute(list(Plan.objects.filter(code__startswith=f"{PREFIX}-").values_list("pk", flat=True)))
        per_plan_s = time.perf_counter() - t
        _analyze()
        many_s = _best(lambda: recompute_plan(one), runs=5)
        timings["per_plan_recompute"] = round(per_plan_s, 1)

        world["big_code"] = f"{BIG_PREFIX}-0001"
        t = time.perf_counter()
        large = measure_pages(port, world, big=True)
        timings["pages_many_plans"] = round(time.perf_counter() - t, 1)

        # One edit until fresh totals, with a worker (a broker is needed for one).
        edit = None
        if settings.CELERY_BROKER_URL:
            services.start("worker", [sys.executable, "-m", "celery", "-A", "planportal", "worker",
                                      "--loglevel=INFO", "-c", "1", "-n", f"bench-{os.getpid()}@%h"])
            _wait_until("the Celery worker", lambda: " ready." in services.tail("worker", 100_000), services)
            edit = edit_to_fresh_totals_ms(port, world, _sessions()[MANY_USER])
        result["rollups"] = {
            "full_over_floor": round(full_s / floor_s, 2),
            "full_first_over_floor": round(full_first_s / floor_s, 2),
            "one_plan_many_over_few": round(many_s / few_s, 2),
            "one_edit_to_fresh_totals_ms": edit,
            "plans": Plan.objects.count(),
            "budgets": budgets,
            "generate_s": round(generate_s, 1),
            "floor_grouping_sets_select_s": round(floor_s, 3),
            "full_recompute_s": round(full_s, 3),
            "full_recompute_first_s": round(full_first_s, 3),
            "one_plan_recompute_with_few_s": round(few_s, 4),
            "one_plan_recompute_with_many_s": round(many_s, 4),
            "every_plan_one_by_one_s": round(per_plan_s, 1),
            "worker": "celery, 1 process" if edit is not None else "none: no broker (CELERY_BROKER_URL)",
        }
        pages = {}
        for name, figures in large.items():
            if name == "floor_healthz":
                pages[name] = {"p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"],
                               "p50_ms_bundled_plan_alone": small[name]["p50_ms"]}
                continue
            pages[name] = {
                "p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"],
                "scale_ratio": round(figures["p50_ms"] / small[name]["p50_ms"], 2),
                "floor_ratio": figures["floor_ratio"], "queries": figures["queries"],
                "queries_bundled_plan_alone": small[name]["queries"],
                "p50_ms_bundled_plan_alone": small[name]["p50_ms"], "path": figures["path"],
            }
        result["pages"] = pages
        result["pages_setup"] = {"clients": CLIENTS, "seconds_per_page": SECONDS_PER_PAGE,
                                 "gunicorn_workers": GUNICORN_WORKERS, "plan": world["code"]}
    finally:
        services.stop()
    result["timings_s"] = timings
    return result
