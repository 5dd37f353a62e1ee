"""Every benchmark still runs: a quick pass of `python -m bench` on small data (PostgreSQL runs only).

No timings are asserted here (the machines are shared and noisy); the full `make bench` reports the ratios.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="the benchmarks measure PostgreSQL")
def test_every_benchmark_runs_a_quick_pass():
    result = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert set(report) == {"import", "rollups"}
    assert report["import"]["import_over_bare_read"] > 0 and report["import"]["memory_100k_over_10k"] > 0
    assert all(value is not None for value in report["rollups"].values())
