"""Where a first supervision sweep spends its time, statement by statement (PostgreSQL only).

Not a test. `.venv/bin/python bench/sweep_profile.py [--explain] [--steady]` against
--database-url (default postgres://postgres@127.0.0.1:5432/ow_million). Like bench/million.py's
"first run", the open alerts and the sweep marks are deleted and the alert table vacuumed first
(untimed); then one `services.sweep()` runs with every statement timed (Django's execute_wrapper),
the commit included. With --explain each statement is first run under EXPLAIN (ANALYZE, BUFFERS,
WAL) inside a savepoint that is rolled back, then for real: the plans are printed, the sweep's
result is unchanged, its total time is not meaningful. With --steady a second sweep is profiled
too. The load average is printed with every run (the machine is shared).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds queue.py, which would shadow the standard library's `queue` that Django needs
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("MILLION_DATABASE_URL",
                                                             "postgres://postgres@127.0.0.1:5432/ow_million"))
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--steady", action="store_true")
    ap.add_argument("--keep", action="store_true", help="do not clear the open alerts first")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the source tree to import (another checkout's src/)")
    args = ap.parse_args()
    if not args.database_url.startswith("postgres://postgres@127.0.0.1"):
        raise SystemExit("loopback PostgreSQL only")
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="onewindow.conf.settings")
    os.environ.setdefault("ONEWINDOW_VAR_DIR", "/tmp/ow-million")
    os.environ.pop("ONEWINDOW_DEBUG", None)
    sys.path.insert(0, args.src)
    import django

    django.setup()
    from django.db import connection

    from onewindow.supervision import services
    from onewindow.supervision.models import Alert, SweepMark

    def load():
        return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())

    timings = []
    tick = os.sysconf("SC_CLK_TCK")

    def cpu(pid):
        """CPU seconds (user + system) used so far by process `pid` (Linux /proc)."""
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(f[11]) + int(f[12])) / tick

    backend = {}

    def wrapper(execute, sql, params, many, context):
        explain = args.explain and sql.lstrip().split(None, 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE")
        if explain:
            cur = context["cursor"]
            cur.execute("SAVEPOINT sp_explain")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, WAL, SETTINGS) " + sql, params)
            plan = "\n".join(r[0] for r in cur.fetchall())
            cur.execute("ROLLBACK TO SAVEPOINT sp_explain")
            print("-" * 100, "\n", sql[:600], "\n", plan, flush=True)
        c0, t0 = cpu(backend["pid"]), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - t0, cpu(backend["pid"]) - c0, sql))

    def run(label):
        timings.clear()
        l0 = load()
        b0, p0, t0 = cpu(backend["pid"]), time.process_time(), time.perf_counter()
        with connection.execute_wrapper(wrapper):
            out = services.sweep()
        total = time.perf_counter() - t0
        b_cpu, p_cpu = cpu(backend["pid"]) - b0, time.process_time() - p0
        print(f"\n== {label}: {total * 1000:.0f} ms wall, CPU {b_cpu * 1000:.0f} ms database + "
              f"{p_cpu * 1000:.0f} ms Python; opened {out['opened']}, closed {out['closed']}; load {l0} -> {load()}")
        print("    wall      CPU (database backend)")
        for t, c, sql in timings:
            if t >= 0.005 or c > 0:
                print(f"{t * 1000:8.1f} {c * 1000:6.0f} ms  {' '.join(sql.split())[:200]}")
        print(f"{sum(t for t, _, _ in timings) * 1000:8.1f} {sum(c for _, c, _ in timings) * 1000:6.0f} ms  in "
              f"{len(timings)} statements; {(total - sum(t for t, _, _ in timings)) * 1000:.1f} ms wall elsewhere "
              "(Python, commit)")
        print("per rule:", out["rules"])

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend["pid"] = cur.fetchone()[0]
    if not args.keep:
        Alert.objects.filter(closed_at__isnull=True).delete()
        SweepMark.objects.all().delete()
        with connection.cursor() as cur:
            cur.execute(f"VACUUM {Alert._meta.db_table}")
    run("first sweep")
    if args.steady:
        run("steady sweep")
    return 0


if __name__ == "__main__":
    sys.exit(main())
