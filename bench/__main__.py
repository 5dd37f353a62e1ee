"""`make bench`: benchmarks as ratios against a floor measured in the same run.

`python -m bench [import] [rollups] [--quick]` runs one or both; `--quick` runs them on small data
(1,000 and 2,000 rows; 20 plans) so the suite can prove on every PostgreSQL run that they still work
(tests/test_bench_quick.py). Its ratios mean nothing; the full run's do.

Import: a synthetic 10,000-row annex workbook into PostgreSQL, against the
fastest bare read of the same file (python-calamine, no processing). Target:
import ≤ 4× the bare read; peak memory at 100,000 rows < 1.5× that at 10,000.

Uses DATABASE_URL when it is PostgreSQL, else postgres://postgres@127.0.0.1:5432/planportal_bench
(created and migrated here). Each import runs in its own process so peak memory is its own.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = "--quick" in sys.argv
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/planportal_bench" + ("_quick" if QUICK else "")
SIZES = (1_000, 2_000) if QUICK else (10_000, 100_000)


def _env() -> dict:
    env = dict(os.environ)
    if QUICK or not env.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"] = DEFAULT_DB
    if QUICK:
        env["BENCH_PLANS"] = "20"
    env.pop("CELERY_BROKER_URL", None)
    # Measured as production runs: DEBUG off (Django then keeps no log of every query).
    env.update(DEBUG="0", ALLOWED_HOSTS="localhost", SECRET_KEY="bench-" + "k7Qz9xW2" * 8)
    return env


def _run(args, env) -> str:
    """A child process's output; its error output when it fails (the traceback says why)."""
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))[:200]} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def _manage(env, *args) -> str:
    return _run([sys.executable, "manage.py", *args], env)


def _ensure_database(env) -> None:
    import psycopg

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    _manage(env, "migrate", "--noinput")


def bench_import() -> dict:
    env = _env()
    _ensure_database(env)
    from bench.synthetic import write_annex

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for rows in SIZES:
            path = write_annex(Path(folder) / f"annex-{rows}.xlsx", rows)
            code = f"bench-{rows}"
            _manage(env, "create_plan", code, "--name", f"基准{rows}", "--years", "2021-2025")
            out = _run([sys.executable, "-m", "bench.import_once", str(path), code], env)
            results[rows] = json.loads(out.strip().splitlines()[-1])
    small, large = results[SIZES[0]], results[SIZES[1]]
    return {
        "import_10k_s": round(small["import_s"], 3),
        "bare_read_10k_s": round(small["bare_read_s"], 3),
        "import_over_bare_read": round(small["import_s"] / small["bare_read_s"], 2),
        "target_import_over_bare_read": 4.0,
        "peak_rss_10k_mb": round(small["peak_rss_kb"] / 1024, 1),
        "peak_rss_100k_mb": round(large["peak_rss_kb"] / 1024, 1),
        "memory_100k_over_10k": round(large["peak_rss_kb"] / small["peak_rss_kb"], 2),
        "target_memory_ratio": 1.5,
        "import_100k_s": round(large["import_s"], 3),
    }


def bench_rollups() -> dict:
    """In a fresh database, in a child process (Django set up there with the bench's settings)."""
    env = _env()
    _ensure_database(env)
    code = "import json, django; django.setup(); from bench.rollups_bench import run; print(json.dumps(run()))"
    out = _run([sys.executable, "-c", code], {**env, "DJANGO_SETTINGS_MODULE": "planportal.settings"})
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    which = [name for name in sys.argv[1:] if not name.startswith("--")] or ["import", "rollups"]
    results = {}
    if "import" in which:
        results["import"] = bench_import()
    if "rollups" in which:
        results["rollups"] = bench_rollups()
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
