"""In-process profile of intake's hot path (POST /api/v1/cases, then POST /api/v1/cases/{n}/actions/accept):
statements per request (with --sql, the statements themselves), wall and CPU time per request in one
process, and with --cprofile the functions the CPU goes to. Not a test; run by hand on a database with
the demo data (the one bench/intake.py leaves behind, or a copy of it):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_intake_prof .venv/bin/python bench/intake_profile.py \
        [--n 50] [--sql] [--cprofile] [--top 40]

Requests go through Django's test client (middleware, token authentication, django-ninja, the view),
so the figures are the server's own work per request without HTTP parsing and without any queueing.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.conf.settings")
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

DEPARTMENT = "市市场监督管理局"


def _setup():
    """window1's token and the item bench/intake.py files (the first licensing item of the department)."""
    from django.db.models import Case, When

    from onewindow.accounts.models import User
    from onewindow.accounts.services import issue_token
    from onewindow.catalog.models import ItemVersion

    user = User.objects.get(username="window1")
    token = issue_token(user, label="profile")
    for v in (ItemVersion.objects.filter(item__department__name=DEPARTMENT, is_current=True, status="published")
              .select_related("item").order_by(Case(When(type="licensing", then=0), default=1), "item__code")):
        req = [m.code for m in v.materials.all() if m.required]
        if v.committed_days > 0 and req and not v.window_decides:
            return token, v.item.code, req
    raise SystemExit("no suitable item")


def _id_number(i: int) -> str:
    import datetime

    from stdnum.cn import ric

    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(i * 7919) % 16000)
    body = f"341302{birth:%Y%m%d}{(i + os.getpid()) % 1000:03d}"
    return body + ric.calc_check_digit(body + "?")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--sql", action="store_true", help="print the statements of the last file and accept")
    ap.add_argument("--cprofile", action="store_true", help="cProfile the n pairs (after the measured ones)")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--wall", action="store_true", help="cProfile wall time (default: CPU time, time.process_time)")
    args = ap.parse_args(argv)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    token, item, materials = _setup()
    client = Client(SERVER_NAME="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    counter = [0]

    def pair(capture=None):
        counter[0] += 1
        body = {"item": item, "channel": "window", "materials": materials,
                "applicant": {"kind": "person", "name": "压测申请人", "id_number": _id_number(counter[0]),
                              "phone": "13800000000"}}
        out = []
        for step in ("file", "accept"):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                w0, c0 = time.perf_counter(), time.process_time()
                if step == "file":
                    resp = client.post("/api/v1/cases", body, content_type="application/json", **auth)
                    assert resp.status_code == 201, resp.content
                    number = resp.json()["number"]
                else:
                    resp = client.post(f"/api/v1/cases/{number}/actions/accept", {}, content_type="application/json",
                                       **auth)
                    assert resp.status_code == 200, resp.content
                wall, cpu = (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000
            out.append((step, wall, cpu, list(ctx.captured_queries)))
        return out

    for _ in range(5):  # warm-up: imports, caches
        pair()
    rows = [pair() for _ in range(args.n)]
    for k, step in enumerate(("file", "accept")):
        walls = [r[k][1] for r in rows]
        cpus = [r[k][2] for r in rows]
        counts = [len(r[k][3]) for r in rows]
        print(f"{step:7s} statements {statistics.median(counts):.0f}  wall p50 {statistics.median(walls):.1f} ms"
              f"  cpu p50 {statistics.median(cpus):.1f} ms  (n={args.n})")
        if args.sql:
            for q in rows[-1][k][3]:
                print("   ", q["time"], q["sql"][:260])
    pair_cpu = [r[0][2] + r[1][2] for r in rows]
    print(f"pair    cpu p50 {statistics.median(pair_cpu):.1f} ms, mean {statistics.fmean(pair_cpu):.1f} ms")
    if args.cprofile:
        prof = cProfile.Profile() if args.wall else cProfile.Profile(time.process_time)
        prof.enable()
        for _ in range(args.n):
            pair()
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats(args.sort).print_stats(args.top)
        print(s.getvalue())


if __name__ == "__main__":
    main()
