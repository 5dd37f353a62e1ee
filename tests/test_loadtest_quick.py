"""The load check still works: a quick pass of `python -m bench.loadtest` (PostgreSQL runs with a broker only).

It starts its own gunicorn, Celery worker and beat against its own database (planportal_loadtest_quick)
and Redis database (13), so it shares nothing with the suite's. No timings are asserted here (the
machines are shared and noisy); the full `make loadtest` reports the figures.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
WITH_BROKER = bool(os.environ.get("CELERY_BROKER_URL"))


@pytest.mark.skipif(not (ON_POSTGRES and WITH_BROKER),
                    reason="the load check runs gunicorn and a Celery worker against PostgreSQL and Redis")
def test_the_load_check_passes_a_quick_run(tmp_path):
    report_path = tmp_path / "loadtest.json"
    result = subprocess.run([sys.executable, "-m", "bench.loadtest", "--quick", "--json", str(report_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["ok"] and all(check["ok"] for check in report["checks"].values())
    assert report["edits"]["acknowledged_api"] > 0 and report["edits"]["acknowledged_web"] > 0
    assert report["requests"] > 0 and not report["failed_users"]
