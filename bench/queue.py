"""Hall benchmark: call-next under concurrent window terminals and kiosks, and issuance throughput
against the same stack's hello-world twin. Not a test; run by hand:

    .venv/bin/python bench/queue.py [--terminals 100 --kiosks 100 --seconds 15]

1. Recreates the PostgreSQL database of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ow_h6_bench;
   loopback only), migrates, builds one site with Q queues (A…), T windows each serving every queue,
   one clerk and API token per window.
2. Starts `onewindow serve --port 18601` and runs T terminal threads (call-next; on 200 start and
   finish; on 204 a 50 ms pause) and K kiosk threads (POST /queue/tickets, a pause between) at
   once, each on a keep-alive connection, until the deadline. Latencies as the client sees them.
3. Checks in SQL: no ticket called twice, per queue the numbers 1..n each once (no repeat, no gap).
4. Issuance throughput: K2 kiosk threads without pauses for S2 seconds, then the same client
   against bench/floor/queue_floor_urls.py (same server, no database work).
5. Writes the section "Hall: call-next and issuance (bench/queue.py)" of docs/performance.md.

Every loop is bounded by a deadline and a count.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import log, pg_cmd, pg_parts, stop, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Hall: call-next and issuance (bench/queue.py)"
MAX_REQUESTS = 200_000  # per thread, besides the deadline


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def prepare(env, args):
    subprocess.run([str(BIN / "onewindow"), "migrate", "--noinput", "-v", "0"], env=env, check=True)
    script = f"""
import json
from onewindow.accounts.models import ApiToken, User
from onewindow.queue.models import Queue, WindowQueue
from onewindow.regions.models import Hall, Region, Site, Window
city = Region.objects.create(code="341300", name="宿州市", level="city")
site = Site.objects.create(code="BENCH", name="压测中心", level="city", kind="centre", region=city)
hall = Hall.objects.create(site=site, name="大厅")
queues = [Queue.objects.create(site=site, hall=hall, code=f"q{{i}}", prefix="ABCDEFGHJK"[i], name=f"队列{{i}}")
          for i in range({args.queues})]
tokens = []
for i in range({args.terminals}):
    w = Window.objects.create(hall=hall, number=f"{{i + 1:03d}}", name="综合", kind="comprehensive")
    for j, q in enumerate(queues):
        WindowQueue.objects.create(window=w, queue=q, priority=1 + (i + j) % len(queues))
    u = User(username=f"bench{{i}}", role="clerk", site=site, window=w)
    u.set_unusable_password()
    u.save()
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=u, digest=ApiToken.hash(raw), label="bench")
    tokens.append([w.pk, raw])
print("BENCH" + json.dumps({{"tokens": tokens, "queues": [q.code for q in queues]}}))
"""
    out = subprocess.run([str(BIN / "onewindow"), "shell", "-c", script], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("BENCH"))[5:])


class Client(threading.Thread):
    def __init__(self, port, deadline):
        super().__init__(daemon=True)
        self.port, self.deadline = port, deadline
        self.ms, self.errors, self.count = [], [], 0

    def post(self, conn, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        t0 = time.perf_counter()
        conn.request("POST", path, body=json.dumps(body or {}).encode(), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, data, (time.perf_counter() - t0) * 1000

    def loop(self, step):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= self.deadline:
                break
            try:
                step(conn)
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.close()


class Terminal(Client):
    def __init__(self, port, deadline, window, token):
        super().__init__(port, deadline)
        self.window, self.token, self.empty = window, token, 0

    def run(self):
        def step(conn):
            st, data, ms = self.post(conn, f"/api/v1/queue/windows/{self.window}/call-next", token=self.token)
            self.ms.append(ms)
            if st == 204:
                self.empty += 1
                time.sleep(0.05)
                return
            if st != 200:
                self.errors.append(f"call {st} {data[:120]!r}")
                time.sleep(0.05)
                return
            self.count += 1
            tid = json.loads(data)["id"]
            for action in ("start", "finish"):
                st, data, _ms = self.post(conn, f"/api/v1/queue/tickets/{tid}/actions/{action}", token=self.token)
                if st != 200:
                    self.errors.append(f"{action} {st} {data[:120]!r}")
        self.loop(step)


class Kiosk(Client):
    def __init__(self, port, deadline, queue, pause):
        super().__init__(port, deadline)
        self.queue, self.pause = queue, pause

    def run(self):
        def step(conn):
            st, data, ms = self.post(conn, "/api/v1/queue/tickets", {"site": "BENCH", "queue": self.queue})
            if st == 201:
                self.count += 1
                self.ms.append(ms)
            else:
                self.errors.append(f"issue {st} {data[:120]!r}")
            if self.pause:
                time.sleep(self.pause)
        self.loop(step)


def serve(env, args, floor=False):
    server_env = {**env, "ONEWINDOW_CONN_MAX_AGE": "60"}
    if floor:
        server_env.update(DJANGO_SETTINGS_MODULE="queue_floor_settings",
                          PYTHONPATH=os.pathsep.join([str(ROOT / "bench" / "floor"), env.get("PYTHONPATH", "")]))
    cmd = [str(BIN / "onewindow"), "serve", "--host", "127.0.0.1", "--port", str(args.port), "--threads",
           str(args.threads), "--workers", str(args.workers)]
    proc = subprocess.Popen(cmd, env=server_env, stdout=subprocess.DEVNULL, stderr=open(args.server_log, "a"))  # noqa: SIM115
    wait_ready(args.port, proc)
    return proc


def run(clients, seconds):
    for c in clients:
        c.start()
    for c in clients:
        c.join(timeout=seconds + 90)
    return clients


def check(env):
    script = """
import json
from django.db.models import Count, Max
from onewindow.queue.models import Ticket, TicketEvent
twice = TicketEvent.objects.filter(action="call").values("ticket").annotate(n=Count("id")).filter(n__gt=1).count()
rows = Ticket.objects.filter(seq__isnull=False).values("queue__code", "day").annotate(n=Count("id"), d=Count("seq", distinct=True), m=Max("seq"))
bad = [r["queue__code"] for r in rows if not (r["n"] == r["d"] == r["m"])]
print("CHECK" + json.dumps({"called_twice": twice, "queues_with_gap_or_repeat": bad, "tickets": Ticket.objects.count(),
      "calls": TicketEvent.objects.filter(action="call").count()}))
"""
    out = subprocess.run([str(BIN / "onewindow"), "shell", "-c", script], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("CHECK"))[5:])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ow_h6_bench")
    ap.add_argument("--port", type=int, default=18601)
    ap.add_argument("--terminals", type=int, default=100)
    ap.add_argument("--kiosks", type=int, default=100)
    ap.add_argument("--queues", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--kiosk-pause", type=float, default=0.5)
    ap.add_argument("--issue-clients", type=int, default=16)
    ap.add_argument("--issue-seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--server-log", default=str(ROOT / "var" / "bench-queue-server.log"))
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args(argv)
    if not 18600 <= args.port <= 18699:
        raise SystemExit("use a port of 18600-18699")
    p = pg_parts(args.database_url)
    if not p["db"] or p["db"] == "onewindow":
        raise SystemExit("give a benchmark database name of its own")
    subprocess.run(pg_cmd("dropdb", p, "--if-exists", "--force", p["db"]), check=True)
    subprocess.run(pg_cmd("createdb", p, p["db"]), check=True)
    env = {**os.environ, "DATABASE_URL": args.database_url}
    info = prepare(env, args)
    log(f"world: {len(info['tokens'])} windows, {len(info['queues'])} queues")

    proc = serve(env, args)
    try:
        warm = Kiosk(args.port, time.monotonic() + 2, info["queues"][0], 0)
        warm.run()
        log(f"warm-up: {warm.count} tickets")
        deadline = time.monotonic() + args.seconds
        terminals = [Terminal(args.port, deadline, w, tok) for w, tok in info["tokens"][:args.terminals]]
        kiosks = [Kiosk(args.port, deadline, info["queues"][i % len(info["queues"])], args.kiosk_pause)
                  for i in range(args.kiosks)]
        run(terminals + kiosks, args.seconds)
        mixed = {
            "calls": sum(t.count for t in terminals), "empty": sum(t.empty for t in terminals),
            "call_ms": [m for t in terminals for m in t.ms], "issued": sum(k.count for k in kiosks),
            "issue_ms": [m for k in kiosks for m in k.ms],
            "errors": [e for c in terminals + kiosks for e in c.errors],
        }
        deadline = time.monotonic() + args.issue_seconds
        issuers = run([Kiosk(args.port, deadline, info["queues"][i % len(info["queues"])], 0)
                       for i in range(args.issue_clients)], args.issue_seconds)
        issue_rate = sum(k.count for k in issuers) / args.issue_seconds
        issue_errors = [e for k in issuers for e in k.errors]
    finally:
        stop(proc)
    checks = check(env)
    proc = serve(env, args, floor=True)
    try:
        deadline = time.monotonic() + args.issue_seconds
        floors = run([Kiosk(args.port, deadline, "q0", 0) for _ in range(args.issue_clients)], args.issue_seconds)
        floor_rate = sum(k.count for k in floors) / args.issue_seconds
    finally:
        stop(proc)
    call_ms = mixed["call_ms"]
    result = {
        "calls": mixed["calls"], "empty_calls": mixed["empty"], "issued": mixed["issued"],
        "call_p50": pct(call_ms, 50), "call_p95": pct(call_ms, 95), "call_p99": pct(call_ms, 99),
        "issue_p50": pct(mixed["issue_ms"], 50), "issue_p99": pct(mixed["issue_ms"], 99),
        "errors": len(mixed["errors"]), "first_errors": mixed["errors"][:3],
        "issue_rate": issue_rate, "issue_errors": len(issue_errors), "floor_rate": floor_rate, **checks,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if not args.no_docs:
        write_docs(args, result)
    return result


def write_docs(args, r):
    ok = r["call_p99"] < 50
    body = f"""{SECTION}

Measured {datetime.date.today():%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores shared with other
work, PostgreSQL on loopback. Method: a fresh database with one site, {args.queues} queues and
{args.terminals} windows (each serving every queue, one clerk and API token each); `onewindow serve
--workers {args.workers} --threads {args.threads}` on 127.0.0.1:{args.port}. For {args.seconds:.0f} s,
{args.terminals} window terminals (call-next; after a call, start and finish; after a 204 a 50 ms pause) and
{args.kiosks} kiosks (POST /queue/tickets, {args.kiosk_pause} s between) run at once, each a keep-alive HTTP
connection; latencies are what the client sees (server queueing included). Then {args.issue_clients} kiosks
issue without pause for {args.issue_seconds:.0f} s, and the same client drives the no-op twin of the issuance
endpoint (bench/floor/queue_floor_urls.py: same server and middleware, schema validation, no database).

| measure | result |
|---|---|
| call-next requests (200 + 204) | {r['calls']} calls + {r['empty_calls']} empty |
| call-next p50 / p95 / p99 | {r['call_p50']:.1f} / {r['call_p95']:.1f} / {r['call_p99']:.1f} ms (target p99 < 50 ms: {'met' if ok else 'NOT met'}) |
| tickets issued during the mixed run, p50 / p99 | {r['issued']}, {r['issue_p50']:.1f} / {r['issue_p99']:.1f} ms |
| errors (mixed run) | {r['errors']} |
| tickets called twice | {r['called_twice']} |
| queues with a repeated or skipped number | {len(r['queues_with_gap_or_repeat'])} |
| issuance throughput, real endpoint | {r['issue_rate']:.1f} tickets/s ({r['issue_errors']} errors) |
| same load on the no-op twin | {r['floor_rate']:.1f} requests/s (real = {r['issue_rate'] / r['floor_rate'] * 100 if r['floor_rate'] else 0:.0f} %) |
"""
    text = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[nxt + 1:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    DOCS.write_text(text)
    log(f"wrote {SECTION} in {DOCS}")


if __name__ == "__main__":
    main()
