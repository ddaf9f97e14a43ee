"""In-process profile of public tracking: CPU and wall time per request, SQL statements and Redis round
trips per request, for a hello-world request, cold lookups (each a different case, nothing cached) and
warm lookups (the same cases again, from the answer cache). Not a test; run by hand:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_million ONEWINDOW_REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/track_profile.py [--n 200] [--cprofile cold|warm] [--bundles]

Requests go through Django's test client (the platform's middleware, django-ninja, the view), so the
figures are the server's own work per request without HTTP parsing and without queueing. The Redis
database of ONEWINDOW_REDIS_URL is flushed first (use one of your own).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != str(HERE)]  # bench/queue.py shadows `queue`
sys.path.insert(0, str(HERE / "floor"))
os.environ["DJANGO_SETTINGS_MODULE"] = "hello_settings"

REDIS_CALLS = [0]


def count_redis():
    """Count Redis round trips: one per command outside a pipeline, one per pipeline executed."""
    import redis

    plain, pipe = redis.Redis.execute_command, redis.client.Pipeline.execute

    def command(self, *args, **kwargs):
        if not isinstance(self, redis.client.Pipeline):
            REDIS_CALLS[0] += 1
        return plain(self, *args, **kwargs)

    def execute(self, *args, **kwargs):
        REDIS_CALLS[0] += 1
        return pipe(self, *args, **kwargs)

    redis.Redis.execute_command = command
    redis.client.Pipeline.execute = execute


def measure(label, paths, client, profile=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, cpus, queries, trips, statuses = [], [], [], [], {}
    for path in paths:
        connection.queries_log.clear()
        REDIS_CALLS[0] = 0
        with CaptureQueriesContext(connection) as ctx:
            if profile:
                profile.enable()
            w0, c0 = time.perf_counter(), time.process_time()
            r = client.get(path, REMOTE_ADDR="198.51.100.77")
            cpus.append((time.process_time() - c0) * 1000)
            walls.append((time.perf_counter() - w0) * 1000)
            if profile:
                profile.disable()
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        queries.append(len(ctx.captured_queries))
        trips.append(REDIS_CALLS[0])
    print(f"{label:<22} n={len(paths):<5} cpu ms p50 {statistics.median(cpus):6.3f} mean {statistics.fmean(cpus):6.3f}"
          f" | wall ms p50 {statistics.median(walls):6.3f} | SQL/request {statistics.fmean(queries):.2f}"
          f" | Redis round trips/request {statistics.fmean(trips):.2f} | status {statuses}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--cprofile", choices=["cold", "warm"])
    ap.add_argument("--bundles", action="store_true", help="bundle filings instead of cases")
    args = ap.parse_args(argv)
    if not os.environ.get("ONEWINDOW_REDIS_URL"):
        raise SystemExit("set ONEWINDOW_REDIS_URL to a Redis database of your own (it is flushed)")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    settings.DEBUG = False
    count_redis()
    table = "cases_bundlefiling" if args.bundles else "cases_case"
    sample = "ORDER BY random()" if args.bundles else "TABLESAMPLE SYSTEM (1)"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT number, query_code FROM {table} {sample} LIMIT %s", [args.n])
        else:
            cur.execute(f"SELECT number, query_code FROM {table} ORDER BY random() LIMIT %s", [args.n])
        rows = cur.fetchall()
    paths = [f"/api/v1/track/{n}?code={c}" for n, c in rows]
    cache.clear()
    client = Client()
    for _ in range(20):
        client.get("/bench/hello/")  # imports, URL resolver, first connections
    client.get("/api/v1/track/00000000000000000000?code=X", REMOTE_ADDR="192.0.2.1")
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(f"{connection.vendor} {connection.settings_dict['NAME']}, {len(paths)} {table} rows, load {load}")
    measure("hello-world", ["/bench/hello/"] * len(paths), client)
    cold = cProfile.Profile(time.process_time) if args.cprofile == "cold" else None
    measure("tracking cold", paths, client, cold)
    warm = cProfile.Profile(time.process_time) if args.cprofile == "warm" else None
    measure("tracking warm", paths, client, warm)
    measure("tracking wrong code", [p[:-2] + "ZZ" for p in paths[:20]], client)
    for prof in (cold, warm):
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(60)
    cache.clear()


if __name__ == "__main__":
    main()
