"""One measured import in a fresh process: time and peak memory. Prints one JSON line."""

import json
import os
import resource
import sys
import time


def main(path: str, plan_code: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    import django

    django.setup()
    from pathlib import Path

    from importers.reading import read_bare
    from importers.services import ImportFile, annex_import
    from plans.access import SYSTEM
    from plans.models import Plan

    plan = Plan.objects.get(code=plan_code)
    bare = []
    for _ in range(3):
        started = time.perf_counter()
        read_bare(path)
        bare.append(time.perf_counter() - started)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = annex_import(plan=plan, files=[ImportFile(path=Path(path), name=Path(path).name)], user=SYSTEM)
    elapsed = time.perf_counter() - started
    assert report.imported, [m.text("en") for m in report.errors[:5]]
    print(json.dumps({
        "rows": report.rows_read, "import_s": elapsed, "bare_read_s": min(bare),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "rss_before_import_kb": rss_before,
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
