"""Intake benchmark: file + accept pairs per second through the real API, against pgbench TPC-B.

Not a test. Run by hand (`.venv/bin/python bench/intake.py`) or via `make bench`.

1. Drops and recreates the PostgreSQL database of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/ow_bench), migrates, loads the demo data, issues a token
   for window1 (clerk at SZ-CENTRE) and picks a published item of 市市场监督管理局 with its
   required material codes.
2. Starts `onewindow serve --port 8199 --threads 16` (ONEWINDOW_CONN_MAX_AGE=60) as a subprocess.
3. C client threads (default 16), each for T seconds (default 20), on one keep-alive HTTP
   connection: POST /api/v1/cases (channel window, valid ID number), then
   POST /api/v1/cases/{n}/actions/accept. Counts completed pairs per second; p50/p95 latencies.
4. Stops the server, runs pgbench TPC-B (`-i -s 10` on <database>_pgbench, then `-c 16 -j 2 -T 20`),
   parses tps, prints both and the ratio against the target pairs/s >= 0.15 × pgbench tps.
5. Writes the section "Intake (bench/intake.py)" of docs/performance.md (--no-docs to skip).

Loopback only; every loop is bounded by a deadline.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import statistics
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
SECTION = "## Intake (bench/intake.py)"
TARGET_FACTOR = 0.15
DEPARTMENT = "市市场监督管理局"




# ---------------------------------------------------------------- database






def recreate_db(p, name):
    subprocess.run(pg_cmd("dropdb", p, "--if-exists", "--force", name), check=True)
    subprocess.run(pg_cmd("createdb", p, name), check=True)


def prepare(env, clients):
    """migrate + demo in a subprocess; then token and item through a short Django shell script."""
    t0 = time.monotonic()
    subprocess.run([str(BIN / "onewindow"), "migrate", "--noinput", "-v", "0"], env=env, check=True)
    log(f"migrated in {time.monotonic() - t0:.1f}s")
    t0 = time.monotonic()
    subprocess.run([str(BIN / "onewindow"), "demo"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    log(f"demo data loaded in {time.monotonic() - t0:.1f}s")
    script = f"""
import json
from onewindow.accounts.models import User
from onewindow.accounts.services import issue_token
from onewindow.catalog.models import ItemVersion
from django.db.models import Case, When

u = User.objects.get(username="window1")
tokens = [issue_token(u, label="bench") for _ in range({clients})]
best = None
for v in (ItemVersion.objects.filter(item__department__name={DEPARTMENT!r}, is_current=True, status="published")
          .select_related("item").order_by(Case(When(type="licensing", then=0), default=1), "item__code")):
    req = [m.code for m in v.materials.all() if m.required]
    if v.committed_days > 0 and req and not v.window_decides:
        best = {{"item": v.item.code, "name": v.name, "materials": req, "committed": v.committed_days}}
        break
print("BENCH" + json.dumps({{"tokens": tokens, "item": best, "site": u.site.code if u.site_id else None}}))
"""
    out = subprocess.run([str(BIN / "onewindow"), "shell", "-c", script], env=env, check=True,
                         capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH"))
    info = json.loads(line[5:])
    if not info["item"]:
        raise SystemExit(f"no published item of {DEPARTMENT} with required materials in the demo data")
    return info


# ---------------------------------------------------------------- identity numbers

def id_number(i: int) -> str:
    """A valid GB 11643 number: 341302 (埇桥区), a birth date from 1960 on, a sequence, the check digit
    (python-stdnum, as licences.identifiers validates it)."""
    from stdnum.cn import ric

    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(i * 7919) % 16000)
    body = f"341302{birth:%Y%m%d}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "?")  # stdnum expects a check place, which it ignores


# ---------------------------------------------------------------- load


class Worker(threading.Thread):
    def __init__(self, idx, port, token, item, deadline, stop_at):
        super().__init__(daemon=True)
        self.idx, self.port, self.token, self.item = idx, port, token, item
        self.deadline, self.stop_at = deadline, stop_at
        self.pairs = 0
        self.errors = []
        self.file_ms, self.accept_ms, self.pair_ms = [], [], []

    def _conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def _post(self, conn, path, body):
        data = json.dumps(body).encode()
        t0 = time.perf_counter()
        conn.request("POST", path, body=data, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        resp = conn.getresponse()
        payload = resp.read()
        return resp.status, payload, (time.perf_counter() - t0) * 1000

    def run(self):
        conn = self._conn()
        i = 0
        while time.monotonic() < self.deadline and time.monotonic() < self.stop_at:
            i += 1
            body = {"item": self.item["item"], "channel": "window", "materials": self.item["materials"],
                    "applicant": {"kind": "person", "name": "压测申请人", "id_number": id_number(self.idx * 100000 + i),
                                  "phone": "13800000000"}}
            try:
                t0 = time.perf_counter()
                st, payload, ms = self._post(conn, "/api/v1/cases", body)
                if st != 201:
                    self.errors.append(f"file {st} {payload[:200]!r}")
                    continue
                self.file_ms.append(ms)
                number = json.loads(payload)["number"]
                st, payload, ms = self._post(conn, f"/api/v1/cases/{number}/actions/accept", {})
                if st != 200:
                    self.errors.append(f"accept {st} {payload[:200]!r}")
                    continue
                self.accept_ms.append(ms)
                if time.monotonic() <= self.deadline:
                    self.pairs += 1
                    self.pair_ms.append((time.perf_counter() - t0) * 1000)
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = self._conn()
        conn.close()


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def _children(pid):
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        out += [int(c) for c in task.read_text().split()]
    return out


def cpu_seconds(pid):
    """User + system CPU seconds of a process and its live descendants (the gunicorn
    workers) from Linux /proc, or None."""
    total, todo = 0.0, [pid]
    try:
        while todo:
            p = todo.pop()
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            todo += _children(p)
    except (OSError, IndexError, ValueError):
        return None
    return total


class WaitSampler(threading.Thread):
    """Every 0.5 s until the deadline: what the benchmark database's backends are doing (pg_stat_activity)."""

    def __init__(self, p, deadline):
        super().__init__(daemon=True)
        self.p, self.deadline = p, deadline
        self.counts: dict[str, int] = {}
        self.samples = 0

    def run(self):
        sql = ("SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU/running') || ' ' || state "
               "|| CASE WHEN wait_event_type = 'Lock' THEN ' [' || substr(query, 1, 60) || ']' ELSE '' END, count(*) "
               f"FROM pg_stat_activity WHERE datname = '{self.p['db']}' AND pid <> pg_backend_pid() "
               "AND state <> 'idle' GROUP BY 1")
        while time.monotonic() < self.deadline:
            out = subprocess.run(pg_cmd("psql", self.p, "-At", "-F", "|", "-c", sql, self.p["db"]),
                                 capture_output=True, text=True, timeout=10).stdout
            self.samples += 1
            for line in out.splitlines():
                key, _, n = line.rpartition("|")
                self.counts[key] = self.counts.get(key, 0) + int(n)
            time.sleep(0.5)

    def summary(self):
        if not self.samples:
            return ""
        top = sorted(self.counts.items(), key=lambda kv: -kv[1])[:6]
        return "; ".join(f"{k}: {v / self.samples:.1f}" for k, v in top)


FLOORS = {"noop": "no-op endpoints", "auth": "no-op endpoints + token authentication"}


def run_load(env, info, args, floor=None):
    """The load against the real API, or with `floor` ("noop" or "auth") against bench/floor/."""
    server_env = {**env, "ONEWINDOW_CONN_MAX_AGE": "60"}
    if floor:
        server_env.update(DJANGO_SETTINGS_MODULE="floor_settings", FLOOR_AUTH="1" if floor == "auth" else "0",
                          PYTHONPATH=os.pathsep.join([str(ROOT / "bench" / "floor"), env.get("PYTHONPATH", "")]))
    cmd = [str(BIN / "onewindow"), "serve", "--host", "127.0.0.1", "--port", str(args.port),
           "--threads", str(args.threads)] + (["--workers", str(args.workers)] if args.workers else [])
    log("starting " + " ".join(cmd[1:]))
    errlog = open(args.server_log, "w")  # noqa: SIM115 (closed after the server stops)
    proc = subprocess.Popen(cmd, env=server_env, stdout=subprocess.DEVNULL, stderr=errlog)
    try:
        wait_ready(args.port, proc)
        # warm-up: one pair per connection's worth of imports and caches (not counted)
        warm = Worker(999, args.port, info["tokens"][0], info["item"], time.monotonic() + 3, time.monotonic() + 3)
        warm.run()
        log(f"warm-up: {warm.pairs} pairs, {len(warm.errors)} errors")
        if warm.errors:
            log("first warm-up error: " + warm.errors[0])
        start = time.monotonic()
        deadline = start + args.seconds
        stop_at = deadline + 30  # an in-flight pair may finish; nothing runs longer than this
        workers = [Worker(i, args.port, info["tokens"][i % len(info["tokens"])], info["item"], deadline, stop_at)
                   for i in range(args.clients)]
        sampler = WaitSampler(pg_parts(args.database_url), deadline) if args.sample_waits else None
        cpu0 = cpu_seconds(proc.pid)
        for w in workers:
            w.start()
        if sampler:
            sampler.start()
        for w in workers:
            w.join(timeout=max(1.0, stop_at - time.monotonic() + 5))
        elapsed = args.seconds
        cpu1 = cpu_seconds(proc.pid)
        if sampler:
            sampler.join(timeout=15)
    finally:
        stop(proc)
        errlog.close()
    pairs = sum(w.pairs for w in workers)
    errors = [e for w in workers for e in w.errors]
    res = {
        "pairs": pairs,
        "pairs_per_s": pairs / elapsed,
        "errors": len(errors),
        "first_errors": errors[:3],
        "file_p50": pct([x for w in workers for x in w.file_ms], 50),
        "file_p95": pct([x for w in workers for x in w.file_ms], 95),
        "accept_p50": pct([x for w in workers for x in w.accept_ms], 50),
        "accept_p95": pct([x for w in workers for x in w.accept_ms], 95),
        "pair_p50": pct([x for w in workers for x in w.pair_ms], 50),
        "pair_p95": pct([x for w in workers for x in w.pair_ms], 95),
        "server_cpu_s": (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None,
        "waits": sampler.summary() if sampler else "",
        "pair_mean": statistics.fmean([x for w in workers for x in w.pair_ms]) if pairs else float("nan"),
    }
    return res


# ---------------------------------------------------------------- pgbench


def run_pgbench(p, args):
    name = f"{p['db']}_pgbench"  # next to the benchmark's own database: two engineers' runs never share it
    recreate_db(p, name)
    t0 = time.monotonic()
    subprocess.run(pg_cmd("pgbench", p, "-i", "-s", "10", "-q", name), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"pgbench -i -s 10 in {time.monotonic() - t0:.1f}s")
    out = subprocess.run(pg_cmd("pgbench", p, "-c", str(args.pg_clients), "-j", "2", "-T", str(args.pg_seconds), name),
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out) or re.search(r"tps = ([0-9.]+)", out)
    if not m:
        raise SystemExit("could not parse pgbench output:\n" + out)
    lat = re.search(r"latency average = ([0-9.]+) ms", out)
    subprocess.run(pg_cmd("dropdb", p, "--if-exists", name), check=False)
    return {"tps": float(m.group(1)), "latency_ms": float(lat.group(1)) if lat else None}


# ---------------------------------------------------------------- report


def machine():
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    pgv = subprocess.run(["pgbench", "--version"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(), "pgbench": pgv,
            "kernel": platform.release()}


def write_docs(text):
    old = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    if SECTION in old:
        head, rest = old.split(SECTION, 1)
        nxt = re.search(r"^## ", rest, flags=re.M)
        tail = rest[nxt.start():] if nxt else ""
        new = head + text + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    DOCS.write_text(new, encoding="utf-8")


def _floor_rows(floors, pg) -> str:
    rows = []
    for key, res in floors.items():
        cpu = (f"; server CPU {1000 * res['server_cpu_s'] / res['pairs']:.1f} ms per pair"
               if res["server_cpu_s"] is not None and res["pairs"] else "")
        rows.append(f"| same load on the {FLOORS[key]} (bench/floor/) | {res['pairs_per_s']:.1f} pairs/s "
                    f"(ratio {res['pairs_per_s'] / pg['tps']:.3f}; {res['errors']} errors{cpu}) |\n")
    return "".join(rows)


def render(args, mach, info, load, pg, ratio, ok, notes, floors=None):
    today = datetime.date.today().isoformat()
    cpu_per_pair = (f"{1000 * load['server_cpu_s'] / load['pairs']:.0f} ms ({load['server_cpu_s'] / args.seconds:.2f} "
                    "CPUs busy on average)") if load["server_cpu_s"] is not None and load["pairs"] else "n/a"
    item = info["item"]
    return f"""{SECTION}

Date: {today}. Machine: {mach['nproc']} CPUs (nproc), {mach['memory']} memory, kernel {mach['kernel']},
Python {mach['python']}, {mach['pgbench']}; PostgreSQL at 127.0.0.1 on the same machine; clients, server
and database share the CPUs.

Command: `.venv/bin/python bench/intake.py --clients {args.clients} --seconds {args.seconds:g}{" --sample-waits" if args.sample_waits else ""}`
(`make bench` runs it with the defaults: 16 clients, 20 s).

Method: the database `{pg_parts(args.database_url)['db']}` is dropped and created, migrated and loaded with the
demo data; window1 (clerk at SZ-CENTRE) gets API tokens. `onewindow serve --port {args.port} --threads
{args.threads}` (gunicorn: 2 worker processes per core, each with that many threads; `ONEWINDOW_CONN_MAX_AGE=60`) runs as a subprocess. {args.clients} client threads,
each on one keep-alive connection for {args.seconds} s, repeat: `POST /api/v1/cases` (channel window, item
{item['item']} {item['name']} of {DEPARTMENT}, required materials {', '.join(item['materials'])}, a fresh valid
ID number) then `POST /api/v1/cases/{{n}}/actions/accept`. A pair counts when both return 201/200 before the
deadline. The same client then drives the no-op twin of the two endpoints (bench/floor/: same server,
settings and middleware, the real filing schema validated, no work), without and with the real token
authentication: the most this server stack can do on this machine. Then, with the server stopped, pgbench TPC-B on the same PostgreSQL: `pgbench -i -s 10` on the benchmark database's name + `_pgbench`,
`pgbench -c {args.pg_clients} -j 2 -T {args.pg_seconds}`; its tps excludes connection time.

| measure | value |
|---|---|
| file+accept pairs completed | {load['pairs']} in {args.seconds} s |
| **pairs per second** | **{load['pairs_per_s']:.1f}** |
| errors | {load['errors']} |
| server process CPU per pair | {cpu_per_pair} |
| file latency p50 / p95 | {load['file_p50']:.0f} ms / {load['file_p95']:.0f} ms |
| accept latency p50 / p95 | {load['accept_p50']:.0f} ms / {load['accept_p95']:.0f} ms |
| pair latency p50 / p95 | {load['pair_p50']:.0f} ms / {load['pair_p95']:.0f} ms |
| pgbench TPC-B tps (-c {args.pg_clients} -j 2, scale 10) | {pg['tps']:.0f} |
| ratio pairs/s ÷ pgbench tps | **{ratio:.3f}** (target ≥ {TARGET_FACTOR}: {'met' if ok else 'NOT met'}) |
{_floor_rows(floors or {}, pg)}{(chr(10) + 'Backends not idle, average per 0.5 s sample (wait event, state): ' + load['waits'] + chr(10)) if load['waits'] else ''}{notes}"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL")
                    or "postgres://postgres@127.0.0.1:5432/ow_bench")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--port", type=int, default=8199)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--workers", type=int, default=0, help="gunicorn worker processes (default: serve's own)")
    ap.add_argument("--pg-clients", type=int, default=16)
    ap.add_argument("--pg-seconds", type=int, default=20)
    ap.add_argument("--sample-waits", action="store_true", help="sample pg_stat_activity wait events during the load")
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    ap.add_argument("--notes", default="", help="a paragraph appended to the docs section")
    ap.add_argument("--no-floor", action="store_true", help="skip the no-op twin runs (bench/floor/)")
    ap.add_argument("--load-only", action="store_true",
                    help="only the HTTP load (no pgbench, no docs): for comparing server settings")
    ap.add_argument("--server-log", default=os.environ.get("BENCH_SERVER_LOG", "/tmp/ow-bench-server.log"))
    args = ap.parse_args(argv)

    p = pg_parts(args.database_url)
    log(f"recreating database {p['db']}")
    recreate_db(p, p["db"])
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "onewindow.conf.settings"}
    info = prepare(env, args.clients)
    log(f"item {info['item']['item']} {info['item']['name']} materials {info['item']['materials']}")

    load = run_load(env, info, args)
    log(f"intake: {load['pairs']} pairs in {args.seconds}s = {load['pairs_per_s']:.1f} pairs/s, "
        f"{load['errors']} errors; pair p50 {load['pair_p50']:.0f} ms p95 {load['pair_p95']:.0f} ms; "
        f"file p50 {load['file_p50']:.0f}/p95 {load['file_p95']:.0f} ms; "
        f"accept p50 {load['accept_p50']:.0f}/p95 {load['accept_p95']:.0f} ms")
    if load["server_cpu_s"] is not None and load["pairs"]:
        log(f"server process CPU: {load['server_cpu_s']:.1f} s = {1000 * load['server_cpu_s'] / load['pairs']:.0f} ms "
            f"per pair ({load['server_cpu_s'] / args.seconds:.2f} CPUs busy)")
    if load["waits"]:
        log("non-idle backends per sample (wait event, state): " + load["waits"])
    for e in load["first_errors"]:
        log("error: " + e)

    if args.load_only:
        return 0 if load["errors"] == 0 else 1
    floors = {}
    for floor in ([] if args.no_floor else FLOORS):
        floors[floor] = run_load(env, info, args, floor=floor)
        log(f"floor ({FLOORS[floor]}): {floors[floor]['pairs_per_s']:.1f} pairs/s, {floors[floor]['errors']} errors"
            + (f", server CPU {1000 * floors[floor]['server_cpu_s'] / floors[floor]['pairs']:.1f} ms per pair"
               if floors[floor]["server_cpu_s"] is not None and floors[floor]["pairs"] else ""))
    pg = run_pgbench(p, args)
    target = TARGET_FACTOR * pg["tps"]
    ratio = load["pairs_per_s"] / pg["tps"] if pg["tps"] else float("nan")
    ok = load["pairs_per_s"] >= target
    print()
    print(f"intake pairs/s      {load['pairs_per_s']:.1f}")
    print(f"pgbench tps         {pg['tps']:.1f}")
    print(f"target (0.15 x tps) {target:.1f}")
    print(f"ratio               {ratio:.3f}  -> {'MET' if ok else 'NOT MET'}")
    for key, res in floors.items():
        print(f"floor {key:13s} {res['pairs_per_s']:.1f} pairs/s (ratio {res['pairs_per_s'] / pg['tps']:.3f})")
    if not args.no_docs:
        mach = machine()
        notes = ("\n" + args.notes.strip() + "\n") if args.notes.strip() else ""
        write_docs(render(args, mach, info, load, pg, ratio, ok, notes, floors))
        log(f"wrote {DOCS.relative_to(ROOT)}")
    return 0 if load["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
