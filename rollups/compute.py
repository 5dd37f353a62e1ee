"""Totals of plans' yearly budgets, computed by the database (GROUP BY) over integer yuan.

On PostgreSQL one statement (GROUP BY GROUPING SETS, then a DELETE and an INSERT of
what changed) brings every total of the given plans up to date in a single scan of
their budgets: per year and category, category, year, plan, unit and township.
Elsewhere (SQLite) one aggregate query per grouping. Never a loop over budget rows
in Python.
"""

from django.db import connection
from django.db.models import Count, Sum

from funding.models import AnnualBudget
from rollups.models import Rollup

AMOUNTS = ("total_investment", "beijing_funds", "local_funds", "actual_beijing_funds", "actual_local_funds")

# GROUPING(year, category, unit, township): a bit is 1 where that column is rolled up.
_KIND_OF_GROUPING = {
    0b0011: Rollup.Kind.CATEGORY, 0b1011: Rollup.Kind.CATEGORY,
    0b0111: Rollup.Kind.TOTAL, 0b1111: Rollup.Kind.TOTAL,
    0b0101: Rollup.Kind.UNIT, 0b1101: Rollup.Kind.UNIT,
    0b0110: Rollup.Kind.TOWNSHIP, 0b1110: Rollup.Kind.TOWNSHIP,
}
# Two stages: one hash aggregate of the budget rows at the finest grain (plan, year,
# category, unit, township) — the same work as a plain GROUP BY — then every coarser
# total from those few rows with GROUPING SETS, instead of sorting all budget rows once
# per grouping. The fresh totals are then paired with the stored ones (a hash join on
# their keys, blanks as 0: no year, category, unit or township id is 0), and only the
# difference is written: a total whose figures did not change is left as it is, one that
# changed or is gone is deleted, one that changed or is new is inserted. A recompute
# after one edit rewrites the handful of totals the edit moved; the periodic recompute
# of an unchanged database writes nothing. A total's computed_at is therefore when it
# took its present figures (the plan's RecomputeState says when it was last checked).
_SQL = """
WITH fine AS (
    SELECT y.plan_id, y.year, p.category_id, p.unit_id, p.township_id, COUNT(*) AS n,
           -- bigint again (SUM of bigint is numeric): the second stage adds machine integers
           SUM(b.total_investment)::bigint AS total_investment, SUM(b.beijing_funds)::bigint AS beijing_funds,
           SUM(b.local_funds)::bigint AS local_funds, SUM(b.actual_beijing_funds)::bigint AS actual_beijing_funds,
           SUM(b.actual_local_funds)::bigint AS actual_local_funds
    FROM funding_annualbudget b
    JOIN plans_planyear y ON y.id = b.plan_year_id
    JOIN projects_project p ON p.id = b.project_id
    {where}
    GROUP BY y.plan_id, y.year, p.category_id, p.unit_id, p.township_id
), fresh AS (
    SELECT plan_id, CASE GROUPING(year, category_id, unit_id, township_id) {kinds} END AS kind,
           year, category_id, unit_id, township_id, SUM(n)::integer AS projects,
           SUM(total_investment)::bigint AS total_investment, SUM(beijing_funds)::bigint AS beijing_funds,
           SUM(local_funds)::bigint AS local_funds,
           COALESCE(SUM(actual_beijing_funds), 0)::bigint AS actual_beijing_funds,
           COALESCE(SUM(actual_local_funds), 0)::bigint AS actual_local_funds
    FROM fine
    GROUP BY plan_id, GROUPING SETS ((year, category_id), (category_id), (year), (),
                                     (year, unit_id), (unit_id), (year, township_id), (township_id))
), paired AS (
    SELECT o.id AS old_id, f.*
    FROM fresh f
    FULL JOIN (SELECT * FROM rollups_rollup {stored_where}) o
      ON o.plan_id = f.plan_id AND o.kind = f.kind AND COALESCE(o.year, 0) = COALESCE(f.year, 0)
     AND COALESCE(o.category_id, 0) = COALESCE(f.category_id, 0) AND COALESCE(o.unit_id, 0) = COALESCE(f.unit_id, 0)
     AND COALESCE(o.township_id, 0) = COALESCE(f.township_id, 0)
    WHERE o.id IS NULL OR f.plan_id IS NULL
       OR (o.projects, o.total_investment, o.beijing_funds, o.local_funds, o.actual_beijing_funds,
           o.actual_local_funds)
          IS DISTINCT FROM (f.projects, f.total_investment, f.beijing_funds, f.local_funds, f.actual_beijing_funds,
                            f.actual_local_funds)
), gone AS (
    DELETE FROM rollups_rollup r USING paired WHERE r.id = paired.old_id
)
INSERT INTO rollups_rollup (plan_id, kind, year, category_id, unit_id, township_id, projects,
                            total_investment, beijing_funds, local_funds, actual_beijing_funds,
                            actual_local_funds, computed_at)
SELECT plan_id, kind, year, category_id, unit_id, township_id, projects, total_investment, beijing_funds,
       local_funds, actual_beijing_funds, actual_local_funds, %s
FROM paired WHERE plan_id IS NOT NULL
"""


# For the whole-database recompute: hash the groups in memory rather than sorting a million
# rows to disk several times, and skip JIT compilation, which costs more than it saves for
# one statement. SET LOCAL: only for this transaction.
BULK_SESSION_SQL = "SET LOCAL work_mem = '256MB'; SET LOCAL jit = off"


def _grouping_sets_sql(where: str, stored_where: str = "") -> str:
    kinds = " ".join(f"WHEN {bits} THEN '{kind}'" for bits, kind in _KIND_OF_GROUPING.items())
    return _SQL.format(kinds=kinds, where=where, stored_where=stored_where)


def write_rollups(plan_ids: list[int] | None, now) -> int:
    """Bring the totals of these plans (None: every plan) up to date. Call inside a transaction.

    Returns how many totals were written (on PostgreSQL only those whose figures changed)."""
    if connection.vendor == "postgresql":
        if plan_ids is None:
            sql, params = _grouping_sets_sql(""), [now]
        else:
            sql = _grouping_sets_sql("WHERE y.plan_id = ANY(%s)", "WHERE plan_id = ANY(%s)")
            params = [list(plan_ids), list(plan_ids), now]
        with connection.cursor() as cursor:
            if plan_ids is None:
                cursor.execute(BULK_SESSION_SQL)
            cursor.execute(sql, params)
            return cursor.rowcount
    existing = Rollup.objects.all() if plan_ids is None else Rollup.objects.filter(plan_id__in=plan_ids)
    existing.delete()
    rollups = []
    for plan_id in plan_ids if plan_ids is not None else AnnualBudget.objects.values_list(
            "plan_year__plan_id", flat=True).distinct():
        rollups += _orm_rollups(plan_id, now)
    Rollup.objects.bulk_create(rollups, batch_size=1000)
    return len(rollups)


_ORM_GROUPINGS = {
    Rollup.Kind.CATEGORY: ("project__category_id", "category_id"),
    Rollup.Kind.UNIT: ("project__unit_id", "unit_id"),
    Rollup.Kind.TOWNSHIP: ("project__township_id", "township_id"),
    Rollup.Kind.TOTAL: (None, None),
}


def _orm_rollups(plan_id: int, now) -> list[Rollup]:
    budgets = AnnualBudget.objects.filter(plan_year__plan_id=plan_id).order_by()
    aggregates = {"n": Count("id"), **{name: Sum(name) for name in AMOUNTS}}
    rollups = []
    for kind, (column, field) in _ORM_GROUPINGS.items():
        for by_year in (True, False):
            keys = [k for k in (("plan_year__year" if by_year else None), column) if k]
            rows = budgets.values(*keys).annotate(**aggregates) if keys else [budgets.aggregate(**aggregates)]
            for row in rows:
                if not row["n"]:
                    continue
                rollup = Rollup(plan_id=plan_id, kind=kind, year=row.get("plan_year__year"), projects=row["n"],
                                computed_at=now, **{name: row[name] or 0 for name in AMOUNTS})
                if field:
                    setattr(rollup, field, row[column])
                rollups.append(rollup)
    return rollups
