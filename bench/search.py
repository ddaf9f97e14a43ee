"""Catalogue search at the catalogue's real size (ADR 0130): the hand-written citizen phrasings of
catalog/tests/test_search_phrasings.py, each searched as `GET /api/v1/items?search=` does it (count +
first page of 20), against a database of 1,057 current items (the demo catalogue plus generated variants).

    DATABASE_URL=sqlite:////tmp/search.sqlite3 .venv/bin/python bench/search.py [--rounds 20] [--limit-ms 50]

Migrates and fills the database named by DATABASE_URL when needed; prints the median and 95th
percentile per query over all phrasings and exits 1 when the 95th percentile exceeds --limit-ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.conf.settings")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--limit-ms", type=float, default=50.0)
    ap.add_argument("--total", type=int, default=1057)
    args = ap.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from onewindow.catalog import demo
    from onewindow.catalog.generate import current_count, fill_catalogue
    from onewindow.catalog.selectors import search_items
    from onewindow.catalog.tests.test_search_phrasings import PHRASINGS

    call_command("migrate", verbosity=0)
    if current_count() < args.total:
        demo.load()
        fill_catalogue(total=args.total, progress=False)
    print(f"database: {connection.vendor}, {current_count()} current items, {len(PHRASINGS)} phrasings, "
          f"{args.rounds} rounds")
    for q, _, _ in PHRASINGS:  # warm-up
        list(search_items(search=q).rows)
    times, cpu = [], []
    for _ in range(max(1, args.rounds)):
        for q, _, _ in PHRASINGS:
            t, c = time.perf_counter(), time.process_time()
            page = search_items(search=q, page_size=20)
            list(page.rows)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    times.sort()
    cpu.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"per search (count + 20 rows), wall: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
          f"max {times[-1]:.1f} ms over {len(times)} searches")
    print(f"  CPU of this process (Python + SQLite in-process; not the PostgreSQL server): "
          f"median {statistics.median(cpu):.1f} ms, p95 {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms")
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0 if p95 <= args.limit_ms else 1


if __name__ == "__main__":
    sys.exit(main())
