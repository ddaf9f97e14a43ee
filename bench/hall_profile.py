"""In-process profile of the hall's hot paths (issue a ticket, call-next, start, finish): statements per
request (with --sql, the statements themselves, so the locks taken can be read: FOR UPDATE, the counter
UPDATE, the audit head), wall and CPU time per request in the server process. Not a test; run by hand
on the database bench/queue.py leaves behind (it writes the world's tokens to var/hall_world.json):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_hall_bench .venv/bin/python bench/hall_profile.py \
        --world var/hall_world.json [--n 100] [--sql] [--cprofile]

Requests go through Django's test client (middleware, authentication, django-ninja, the view), so
the figures are the server's own work per request without HTTP parsing and without any queueing.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.conf.settings")
# bench/queue.py would shadow the standard library's `queue` (which Django's asgiref imports)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]


def measure(client, n, request, show_sql=False, before=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, cpus, counts, last = [], [], [], None
    for i in range(n):
        if before:
            before(i)
        connection.queries_log.clear()  # the log keeps 9000 statements; start each request empty
        with CaptureQueriesContext(connection) as ctx:
            w0, c0 = time.perf_counter(), time.process_time()
            resp = request(i)
            walls.append((time.perf_counter() - w0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
        counts.append(len(ctx.captured_queries))
        last = (resp, ctx.captured_queries)
    if show_sql and last:
        print(f"-- statements of the last request ({len(last[1])}):")
        for q in last[1]:
            print("   ", q["time"], q["sql"][:220])
    return {"n": n, "status": last[0].status_code if last else None, "statements": statistics.median(counts),
            "wall_ms_p50": round(statistics.median(walls), 2), "cpu_ms_p50": round(statistics.median(cpus), 2)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", required=True, help="the JSON bench/hall_world.prepare returned")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--sql", action="store_true", help="print the statements of the last request of each kind")
    ap.add_argument("--cprofile", action="store_true", help="print a cProfile of 20 call-next + start + finish")
    args = ap.parse_args(argv)
    import django

    django.setup()
    from django.test import Client

    info = json.loads(Path(args.world).read_text())
    client = Client()
    window, token = info["tokens"][0]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    queues = info["queues"]
    results = {}
    from onewindow.queue.models import HELD_STATES, Ticket

    Ticket.objects.filter(window_id=window, state__in=HELD_STATES).update(state="done")  # left by an earlier run

    def issue(i):
        return client.post("/api/v1/queue/tickets", {"site": "BENCH", "queue": queues[i % len(queues)]},
                           content_type="application/json")

    ids = []

    def call(i):
        resp = client.post(f"/api/v1/queue/windows/{window}/call-next", content_type="application/json", **auth)
        ids.append(resp.json()["id"])
        act(ids[-1], "start")
        act(ids[-1], "finish")
        return resp

    def act(tid, action):
        return client.post(f"/api/v1/queue/tickets/{tid}/actions/{action}", content_type="application/json", **auth)

    results["issue"] = measure(client, 2 * args.n + 25, issue, args.sql)  # enough for every call below
    results["call-next (+start+finish)"] = measure(client, args.n, call)
    # call-next alone: call, then start+finish outside the measurement
    calls = []

    def finish_previous(i):
        if calls:
            act(calls[-1], "start")
            act(calls[-1], "finish")

    def call_only(i):
        resp = client.post(f"/api/v1/queue/windows/{window}/call-next", content_type="application/json", **auth)
        calls.append(resp.json()["id"])
        return resp

    results["call-next"] = measure(client, args.n - 1, call_only, args.sql, before=finish_previous)
    if args.cprofile:
        import cProfile
        import pstats

        finish_previous(0)
        prof = cProfile.Profile(time.process_time)  # CPU time, not wall time
        prof.enable()
        for i in range(20):
            call_only(i)
            finish_previous(i)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(60)
    results["start"] = measure(client, 1, lambda i: act(calls[-1], "start"), args.sql)
    results["finish"] = measure(client, 1, lambda i: act(calls[-1], "finish"), args.sql)
    Ticket.objects.filter(state="waiting").update(state="cancelled")  # no one waits now
    results["call-next, no one waiting (204)"] = measure(client, 20, lambda i: client.post(
        f"/api/v1/queue/windows/{window}/call-next", content_type="application/json", **auth), args.sql)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    sys.exit(main())
