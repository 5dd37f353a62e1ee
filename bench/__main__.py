"""`make bench`: every benchmark, as ratios against a floor measured in the same run; `make bench-quick`: the same
at about a hundredth of the scale, to prove in CI that each still runs (its figures mean nothing).

    python -m bench [import] [rollups|pages] [load] [--quick] [--json PATH]

- import: a synthetic annex workbook of 10,000 rows imported into PostgreSQL (validate + write), against
  the bare python-calamine read of the same file; peak memory at 100,000 rows against 10,000 (quick: 1,000
  and 2,000 rows). Each import in its own process, so its peak memory is its own.
- rollups and pages (bench/world.py, one run for both): the bundled plan alone, then 1,000 synthetic plans of
  1,000 budgets (`generate_synthetic`): the full recompute against the same GROUPING SETS as one bare
  SELECT, one plan's recompute with 10 plans and with 1,000, one edit until the dashboard shows the new
  total (with a Celery worker), and every page's p50/p95 under 20 concurrent clients through gunicorn,
  against the bundled plan alone (scale_ratio) and against /healthz on the same server (floor_ratio), with
  its query count.
- load: bench/loadtest.py (20 users for 60 s of mixed reads and edits; quick: 4 users, 10 s).

Each part has its own PostgreSQL database on 127.0.0.1 (planportal_bench_import, planportal_bench_world;
`_quick` appended for --quick), dropped, created and migrated, and Redis database 12 (quick: 11) for the
worker when Redis answers. The servers run as production does (DEBUG off). A full run writes
bench/results.json and the table in bench/README.md; --json PATH writes the results there instead.
Exits 1 when a benchmark crashes, never because of a figure.
"""

import datetime
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
README = ROOT / "bench" / "README.md"
RESULTS = ROOT / "bench" / "results.json"
TABLE_START, TABLE_END = "<!-- bench:results -->", "<!-- /bench:results -->"
TARGETS = {"import.over_bare_read": 5, "import.memory_100k_over_10k": 1.5, "rollups.full_over_floor": 1.3,
           "rollups.full_first_over_floor": 1.3,
           "rollups.one_plan_many_over_few": 1.2, "pages.scale_ratio": 1.5, "pages.queries": 20}


def _environment(db_name: str, quick: bool, var_dir: Path, broker: str | None) -> dict:
    from bench.loadtest import SETTINGS_VARIABLES

    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(DATABASE_URL=f"{PG_SERVER}/{db_name}", DJANGO_SETTINGS_MODULE="planportal.settings",
               PLANPORTAL_VAR_DIR=str(var_dir), BENCH_QUICK="1" if quick else "0",
               # Measured as production runs: DEBUG off (Django then keeps no log of every query).
               DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="127.0.0.1,localhost,testserver")
    if broker:
        env["CELERY_BROKER_URL"] = broker
    return env


def _run(args, env, what: str) -> str:
    """A child process's output; its error output when it fails (the traceback says why)."""
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-6000:]}")
    return result.stdout


def _fresh_database(env) -> None:
    import psycopg

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _run([sys.executable, "manage.py", "migrate", "--noinput"], env, "migrate")


def _broker(db: int) -> str | None:
    """Redis on loopback, flushed, or None when it does not answer (the worker's figure is then left out)."""
    try:
        import redis

        url = f"{REDIS_SERVER}/{db}"
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
        return url
    except Exception:  # no Redis here: the benchmarks that need none still run
        return None


def bench_import(quick: bool, var_dir: Path) -> dict:
    env = _environment("planportal_bench_import" + ("_quick" if quick else ""), quick, var_dir, None)
    _fresh_database(env)
    from bench.synthetic import write_annex

    sizes = (1_000, 2_000) if quick else (10_000, 100_000)
    measured = {}
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            path = write_annex(Path(folder) / f"annex-{rows}.xlsx", rows)
            code = f"bench-{rows}"
            _run([sys.executable, "manage.py", "create_plan", code, "--name", f"基准{rows}", "--years", "2021-2025"],
                 env, "create_plan")
            out = _run([sys.executable, "-m", "bench.import_once", str(path), code], env, f"import of {rows} rows")
            measured[rows] = json.loads(out.strip().splitlines()[-1])
    small, large = measured[sizes[0]], measured[sizes[1]]
    return {
        "over_bare_read": round(small["import_s"] / small["bare_read_s"], 2),
        "memory_100k_over_10k": round(large["peak_rss_kb"] / small["peak_rss_kb"], 2),
        "rows_per_s": round(small["rows"] / small["import_s"]),
        "rows": [sizes[0], sizes[1]],
        "import_s": [round(small["import_s"], 3), round(large["import_s"], 3)],
        "bare_read_s": [round(small["bare_read_s"], 3), round(large["bare_read_s"], 3)],
        "peak_rss_mb": [round(small["peak_rss_kb"] / 1024, 1), round(large["peak_rss_kb"] / 1024, 1)],
    }


def bench_world(quick: bool, var_dir: Path) -> dict:
    env = _environment("planportal_bench_world" + ("_quick" if quick else ""), quick, var_dir, _broker(11 if quick
                                                                                                       else 12))
    _fresh_database(env)
    _run([sys.executable, "manage.py", "collectstatic", "--noinput"], env, "collectstatic")  # DEBUG off: served so
    code = "import json, django; django.setup(); from bench.world import run; print(json.dumps(run()))"
    out = _run([sys.executable, "-c", code], env, "the rollups and pages benchmark")
    return json.loads(out.strip().splitlines()[-1])


def bench_load(quick: bool, var_dir: Path) -> dict:
    report_path = var_dir / "loadtest.json"
    args = [sys.executable, "-m", "bench.loadtest", "--json", str(report_path)] + (["--quick"] if quick else [])
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode not in (0, 1) or not report_path.exists():  # 1: a check failed (counted below)
        raise RuntimeError(f"the load check could not run ({result.returncode}):\n{result.stderr[-4000:]}")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    if report.get("error"):
        raise RuntimeError(f"the load check could not run: {report['error']}")
    checks = report["checks"]
    errors = (sum(checks["no_5xx"]["by_route"].values())
              + sum(checks["answers_as_expected"]["by_route_and_status"].values()) + len(report["failed_users"]))
    return {"requests_per_s": report["requests_per_s"], "errors": errors, "requests": report["requests"],
            "users": report["users"], "seconds": report["mix_seconds"],
            "checks_failed": sorted(name for name, check in checks.items() if not check["ok"])}


def _machine() -> dict:
    from bench.loadtest import _machine as loadtest_machine

    machine = loadtest_machine()
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=5) as conn:
            machine["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # the figures say which parts ran; the version is a detail
        machine["postgresql"] = None
    machine["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return machine


# --- the table in bench/README.md ----------------------------------------------------------------------

def _cell(value) -> str:
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def _target(key: str, value) -> str:
    target = TARGETS.get(key)
    if target is None or value is None:
        return ""
    return f"≤ {target}: {'met' if value <= target else 'not met'}"


def results_table(results: dict) -> str:
    machine = results["machine"]
    lines = [f"Measured {results['when']} by `make bench` ({results['seconds']} s in all) on: {machine['nproc']} cores, "
             f"{machine['memory_gib']} GiB, {machine['system']}, Python {machine['python']}, PostgreSQL "
             f"{machine.get('postgresql') or '?'}; load average at start {machine['load_average_at_start']}.", ""]
    if "import" in results:
        i = results["import"]
        lines += ["| import | value | target |", "| --- | ---: | --- |"]
        for key in ("over_bare_read", "memory_100k_over_10k", "rows_per_s"):
            lines.append(f"| `{key}` | {_cell(i[key])} | {_target('import.' + key, i[key])} |")
        lines += [f"\n{i['rows'][0]:,} rows: import {i['import_s'][0]} s, bare read {i['bare_read_s'][0]} s; "
                  f"{i['rows'][1]:,} rows: {i['import_s'][1]} s; peak memory {i['peak_rss_mb'][0]} / "
                  f"{i['peak_rss_mb'][1]} MB.", ""]
    if "rollups" in results:
        r = results["rollups"]
        lines += ["| rollups | value | target |", "| --- | ---: | --- |"]
        for key in ("full_over_floor", "full_first_over_floor", "one_plan_many_over_few",
                    "one_edit_to_fresh_totals_ms"):
            lines.append(f"| `{key}` | {_cell(r[key])} | {_target('rollups.' + key, r[key])} |")
        lines += [f"\n{r['plans']:,} plans, {r['budgets']:,} budgets (generated in {r['generate_s']} s): full "
                  f"recompute {r['full_recompute_s']} s (the first, writing every total: "
                  f"{r['full_recompute_first_s']} s) against the bare GROUPING SETS SELECT "
                  f"{r['floor_grouping_sets_select_s']} s; one plan {r['one_plan_recompute_with_few_s']} s with "
                  f"{10 + 1} plans, {r['one_plan_recompute_with_many_s']} s with all; every plan one by one "
                  f"{r['every_plan_one_by_one_s']} s; worker: {r['worker']}.", ""]
    if "pages" in results:
        setup = results.get("pages_setup", {})
        lines += [f"Pages: {setup.get('clients')} concurrent clients, {setup.get('seconds_per_page')} s each, "
                  f"gunicorn with {setup.get('gunicorn_workers')} workers on loopback; floor `/healthz` p50 "
                  f"{results['pages']['floor_healthz']['p50_ms']} ms (bundled plan alone: "
                  f"{results['pages']['floor_healthz']['p50_ms_bundled_plan_alone']} ms).", "",
                  "| page | p50 ms | p95 ms | scale_ratio | floor_ratio | queries (1 plan → all) |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for name, p in results["pages"].items():
            if name == "floor_healthz":
                continue
            mark = " ⚠" if (p["scale_ratio"] > TARGETS["pages.scale_ratio"] or p["queries"] > 20) else ""
            lines.append(f"| {name}{mark} | {p['p50_ms']} | {p['p95_ms']} | {p['scale_ratio']} | {p['floor_ratio']} | "
                         f"{p['queries_bundled_plan_alone']} → {p['queries']} |")
        lines.append("")
    if "load" in results:
        load = results["load"]
        lines += ["| load | value |", "| --- | ---: |", f"| `requests_per_s` | {load['requests_per_s']} |",
                  f"| `errors` | {load['errors']} |",
                  f"\n{load['users']} users, {load['seconds']} s, {load['requests']:,} requests"
                  + (f"; checks failed: {', '.join(load['checks_failed'])}" if load["checks_failed"] else "") + ".",
                  ""]
    return "\n".join(lines).rstrip() + "\n"


def write_readme_table(results: dict, readme: Path = README) -> None:
    text = readme.read_text(encoding="utf-8")
    table = f"{TABLE_START}\n{results_table(results)}{TABLE_END}"
    if TABLE_START in text and TABLE_END in text:
        head, rest = text.split(TABLE_START, 1)
        text = head + table + rest.split(TABLE_END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Latest results\n\n" + table + "\n"
    readme.write_text(text, encoding="utf-8")


PARTS = {"import": bench_import, "world": bench_world, "load": bench_load}
ALIASES = {"rollups": "world", "pages": "world"}


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    quick = "--quick" in argv
    json_path = argv[argv.index("--json") + 1] if "--json" in argv else None
    names = [a for a in argv if not a.startswith("--") and a != json_path]
    unknown = [n for n in names if n not in PARTS and n not in ALIASES]
    if unknown:
        print(f"unknown part {unknown[0]!r}: choose from import, rollups, pages, load", file=sys.stderr)
        return 2
    which = [p for p in PARTS if p in {ALIASES.get(n, n) for n in names}] or list(PARTS)
    results = {"when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "quick": quick,
               "machine": _machine()}
    started = time.time()
    var_dir = Path(tempfile.mkdtemp(prefix="planportal-bench-"))
    crashed = []
    try:
        for part in which:
            t = time.time()
            print(f"== bench {part}{' (quick)' if quick else ''}", file=sys.stderr, flush=True)
            try:
                out = PARTS[part](quick, var_dir)
            except Exception as exc:  # reported, and the other parts still run
                crashed.append(part)
                results.setdefault("crashed", {})[part] = f"{type(exc).__name__}: {exc}"[-8000:]
                print(traceback.format_exc(), file=sys.stderr)
                continue
            results.update(out if part == "world" else {part: out})
            print(f"   {part}: {time.time() - t:.0f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    results["seconds"] = round(time.time() - started)
    results["python"] = platform.python_version()
    print(json.dumps(results, ensure_ascii=False, indent=1))
    if json_path:
        Path(json_path).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif not quick and not crashed and set(which) == set(PARTS):
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        write_readme_table(results)
    if crashed:
        print(f"!! crashed: {', '.join(crashed)}", file=sys.stderr)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
