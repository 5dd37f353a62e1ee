"""Recompute of totals at scale: 1,000,000 yearly budgets across 1,000 plans, on PostgreSQL.

Floor: one raw SQL GROUP BY (plan, year, category) over the same rows, timed in
the same run. Measured: the full recompute of every plan's totals (all
groupings: year×category, category, year, plan, unit, township). Also: one
plan's recompute (totals and disagreements) with 10 plans in the database and
with 1,000, which should take the same time.
"""

import os
import time

PLANS = int(os.environ.get("BENCH_PLANS", "1000"))
PROJECTS_PER_PLAN = 200
YEARS = 5

_SEED_SQL = [
    """INSERT INTO plans_plan (code, name, county, partner, first_year, last_year, amount_unit, created_at, updated_at)
       SELECT 'bench-' || i, '基准规划' || i, '基准旗' || i, '海淀区', 2021, 2025, '万元', now(), now()
       FROM generate_series(%(first)s, %(first)s + %(plans)s - 1) i""",
    """INSERT INTO plans_planyear (plan_id, year, review_status)
       SELECT p.id, y, 'open' FROM plans_plan p, generate_series(2021, 2025) y WHERE p.id > %(after)s""",
    """INSERT INTO plans_category (plan_id, code, name_zh, name_en, "order")
       SELECT p.id, 'c' || c, '类别' || c || '类', '', c FROM plans_plan p, generate_series(1, 9) c
       WHERE p.id > %(after)s""",
    """INSERT INTO projects_project (plan_id, name, nature, category_id, location_text, description, status,
                                     version, created_at, updated_at)
       SELECT p.id, '项目' || n, '新建',
              (SELECT id FROM plans_category c WHERE c.plan_id = p.id AND c."order" = 1 + n %% 9),
              '', '', 'planned', 1, now(), now()
       FROM plans_plan p, generate_series(1, %(projects)s) n WHERE p.id > %(after)s""",
    """INSERT INTO funding_annualbudget (project_id, plan_year_id, serial_no, nature, scale_and_content,
                                         beijing_funds_use, total_investment, beijing_funds, local_funds,
                                         version, created_at, updated_at)
       SELECT pr.id, y.id, '', '', '', '', 1000000 + (pr.id * 7919 + y.year) %% 100000000,
              (pr.id * 104729 + y.year) %% 90000000, (pr.id * 1299709 + y.year) %% 10000000, 1, now(), now()
       FROM projects_project pr JOIN plans_planyear y ON y.plan_id = pr.plan_id
       JOIN plans_plan p ON p.id = pr.plan_id WHERE p.id > %(after)s""",
    "ANALYZE",
]

_FLOOR_SQL = """
SELECT y.plan_id, y.year, p.category_id, COUNT(*), SUM(b.total_investment), SUM(b.beijing_funds),
       SUM(b.local_funds)
FROM funding_annualbudget b JOIN plans_planyear y ON y.id = b.plan_year_id
JOIN projects_project p ON p.id = b.project_id
GROUP BY y.plan_id, y.year, p.category_id
"""


def _best(fn, runs=3) -> float:
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def seed(first: int, plans: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM plans_plan")
        after = cursor.fetchone()[0]
        for statement in _SEED_SQL:
            cursor.execute(statement, {"first": first, "plans": plans, "projects": PROJECTS_PER_PLAN,
                                       "after": after})


def run() -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from funding.models import AnnualBudget
    from plans.models import Plan
    from rollups.compute import write_rollups
    from rollups.services import recompute_plan

    seed(1, 10)
    one = Plan.objects.get(code="bench-3")
    small = _best(lambda: recompute_plan(one.pk), runs=5)
    seed(11, PLANS - 10)  # the same plan, now among many
    budgets = AnnualBudget.objects.count()

    def floor():
        # The same session settings as the recompute, so the ratio compares the work, not the tuning.
        from rollups.compute import BULK_SESSION_SQL

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BULK_SESSION_SQL)
            cursor.execute(_FLOOR_SQL)
            cursor.fetchall()

    def full():
        with transaction.atomic():
            write_rollups(None, timezone.now())

    floor_s = _best(floor)
    full_s = _best(full)
    # Three whole rewrites leave dead rows behind; autovacuum would clean them in time.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE rollups_rollup")
    large = _best(lambda: recompute_plan(one.pk), runs=5)
    return {
        "budgets": budgets,
        "plans": Plan.objects.count(),
        "floor_group_by_s": round(floor_s, 3),
        "full_recompute_of_totals_s": round(full_s, 3),
        "full_over_floor": round(full_s / floor_s, 2),
        "target_full_over_floor": 1.5,
        "one_plan_recompute_with_10_plans_s": round(small, 4),
        "one_plan_recompute_with_all_plans_s": round(large, 4),
        "one_plan_many_over_few": round(large / small, 2),
    }
