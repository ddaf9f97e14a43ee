"""Hall benchmark: call-next and issuance in a busy hall on PostgreSQL, and the saturation point
against the same stack's no-op twin. Not a test; run by hand (it uses both cores for ~2 minutes):

    .venv/bin/python bench/queue.py [--terminals 160 --kiosks 40 --speedup 60 --seconds 40]

1. Recreates the PostgreSQL database of --database-url (loopback only), migrates, builds one site
   with 10 queues and T windows, each serving every queue, with one clerk and API token each
   (bench/hall_world.py), and starts `onewindow serve` on 127.0.0.1:--port.
2. Before opening, kiosks issue --preopen tickets per window (people waiting at the door).
3. The hall (T terminals + K kiosks = 200 connections at once, bench/hall_load.py): a real service
   of --service-minutes (default 6) per ticket, run --speedup times faster; kiosks issue a Poisson
   stream that keeps the windows --utilisation busy. Windows call on whole ticks of the hall clock,
   so every window due in the same tick calls in the same instant, and at opening every window
   calls at once. Call-next p50/p95/p99 as the client sees it, server and database CPU, load average.
4. Saturation: closed-loop kiosks (issue, issue, …) and closed-loop terminals (call-next, start,
   finish, …), --closed clients each, then the same clients against the no-op twin
   (bench/floor/queue_floor_urls.py: same server, middleware and schemas, no database).
5. Checks in SQL: no ticket called twice; per queue the numbers 1..n each once.
6. Writes the section "Hall: call-next and issuance" of docs/performance.md (unless --no-docs).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import log, pg_cmd, pg_parts, stop, wait_ready  # noqa: E402
from hall_docs import write_docs  # noqa: E402
from hall_load import Kiosk, Terminal, pct, run  # noqa: E402
from hall_world import CpuMeter, check, prepare  # noqa: E402

ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"


def serve(env, args, floor=False):
    import subprocess

    server_env = {**env, "ONEWINDOW_CONN_MAX_AGE": "60"}
    if floor:
        server_env.update(DJANGO_SETTINGS_MODULE="queue_floor_settings",
                          PYTHONPATH=os.pathsep.join([str(HERE / "floor"), env.get("PYTHONPATH", "")]))
    cmd = [str(BIN / "onewindow"), "serve", "--host", "127.0.0.1", "--port", str(args.port), "--threads",
           str(args.threads), "--workers", str(args.workers)]
    proc = subprocess.Popen(cmd, env=server_env, stdout=subprocess.DEVNULL, stderr=open(args.server_log, "a"))  # noqa: SIM115
    wait_ready(args.port, proc)
    return proc


def closed_loop(args, info, db, proc):
    """Closed-loop issuance, then closed-loop call-next/start/finish: rates per second."""
    queues, tokens = info["queues"], info["tokens"]
    meter = CpuMeter(proc.pid, db).start()
    deadline = time.monotonic() + args.closed_seconds
    kiosks = run([Kiosk(args.port, deadline, queues[i % len(queues):] + queues[:i % len(queues)], seed=i)
                  for i in range(args.closed)], args.closed_seconds)
    issue_cpu = meter.stop()
    meter = CpuMeter(proc.pid, db).start()
    deadline = time.monotonic() + args.closed_seconds
    terminals = run([Terminal(args.port, deadline, w, tok, seed=i) for i, (w, tok) in enumerate(tokens[:args.closed])],
                    args.closed_seconds)
    call_cpu = meter.stop()
    return {
        "issue_rate": sum(k.count for k in kiosks) / issue_cpu["wall_s"], "issue_cpu": issue_cpu,
        "issue_errors": sum(len(k.errors) for k in kiosks),
        "call_rate": sum(t.count for t in terminals) / call_cpu["wall_s"],
        "call_requests_rate": sum(len(t.ms) + 2 * t.cycles for t in terminals) / call_cpu["wall_s"],
        "cycle_rate": sum(t.cycles for t in terminals) / call_cpu["wall_s"], "call_cpu": call_cpu,
        "call_empty": sum(t.empty for t in terminals), "call_errors": sum(len(t.errors) for t in terminals),
        "closed_call_p50": pct([m for t in terminals for m in t.ms], 50),
        "closed_issue_p50": pct([m for k in kiosks for m in k.ms], 50),
    }


def hall(args, info, db, proc):
    queues, tokens = info["queues"], info["tokens"][:args.terminals]
    pre = args.preopen * len(tokens)
    per = -(-pre // args.closed)
    run([Kiosk(args.port, time.monotonic() + 120, queues[i % len(queues):] + queues[:i % len(queues)], seed=i,
               limit=per) for i in range(args.closed)], 120)
    log(f"before opening: {pre} tickets issued")
    service = args.service_minutes * 60 / args.speedup
    rate = args.utilisation * len(tokens) / service  # tickets per second for the whole hall
    t0 = time.monotonic() + 2.0
    deadline = t0 + args.seconds
    terminals = [Terminal(args.port, deadline, w, tok, t0=t0, service=service, tick=args.tick, seed=i)
                 for i, (w, tok) in enumerate(tokens)]
    kiosks = [Kiosk(args.port, deadline, queues[i % len(queues):] + queues[:i % len(queues)],
                    rate=rate / args.kiosks, seed=1000 + i) for i in range(args.kiosks)]
    meter = CpuMeter(proc.pid, db)
    for c in terminals + kiosks:
        c.start()
    time.sleep(max(0.0, t0 - time.monotonic()))
    meter.start()
    for c in terminals + kiosks:
        c.join(timeout=args.seconds + 120)
    cpu = meter.stop()
    call_ms = [m for t in terminals for m in t.ms]
    first = [t.ms[0] for t in terminals if t.ms]  # the opening burst: every window at once
    steady = [m for t in terminals for m in t.ms[1:]]  # every call after the opening
    return {
        "service_s": service, "arrival_rate": rate, "calls": sum(t.count for t in terminals),
        "empty": sum(t.empty for t in terminals), "issued": sum(k.count for k in kiosks), "cpu": cpu,
        "call_p50": pct(call_ms, 50), "call_p95": pct(call_ms, 95), "call_p99": pct(call_ms, 99),
        "call_max": max(call_ms) if call_ms else float("nan"),
        "steady_p50": pct(steady, 50), "steady_p95": pct(steady, 95), "steady_p99": pct(steady, 99),
        "steady_n": len(steady), "burst_p50": pct(first, 50), "burst_p99": pct(first, 99), "burst_n": len(first),
        "issue_p50": pct([m for k in kiosks for m in k.ms], 50), "issue_p99": pct([m for k in kiosks for m in k.ms], 99),
        "errors": [e for c in terminals + kiosks for e in c.errors],
    }


def main(argv=None):
    import subprocess

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ow_hall_bench")
    ap.add_argument("--port", type=int, default=18611)
    ap.add_argument("--terminals", type=int, default=160)
    ap.add_argument("--kiosks", type=int, default=40)
    ap.add_argument("--queues", type=int, default=10)
    ap.add_argument("--service-minutes", type=float, default=6.0, help="real mean service time of a ticket")
    ap.add_argument("--speedup", type=float, default=60.0, help="how many times faster than a real hall")
    ap.add_argument("--utilisation", type=float, default=0.9, help="share of the windows' capacity that arrives")
    ap.add_argument("--tick", type=float, default=1.0, help="the hall clock's tick (s): calls land on ticks")
    ap.add_argument("--preopen", type=int, default=1, help="tickets per window issued before opening")
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--closed", type=int, default=16, help="closed-loop clients of the saturation runs")
    ap.add_argument("--closed-seconds", type=float, default=10)
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
    (ROOT / "var").mkdir(exist_ok=True)
    subprocess.run(pg_cmd("dropdb", p, "--if-exists", "--force", p["db"]), check=True)
    subprocess.run(pg_cmd("createdb", p, p["db"]), check=True)
    env = {**os.environ, "DATABASE_URL": args.database_url}
    info = prepare(env, args.queues, max(args.terminals, args.closed))
    (ROOT / "var" / "hall_world.json").write_text(json.dumps(info))  # for bench/hall_profile.py
    log(f"world: {len(info['tokens'])} windows, {len(info['queues'])} queues")
    proc = serve(env, args)
    try:
        result = {"hall": hall(args, info, p["db"], proc)}
        log(f"hall: p99 {result['hall']['call_p99']:.1f} ms")
        result["closed"] = closed_loop(args, info, p["db"], proc)
    finally:
        stop(proc)
    result["checks"] = check(env)
    proc = serve(env, args, floor=True)
    try:
        result["floor"] = closed_loop(args, info, p["db"], proc)
    finally:
        stop(proc)
    shown = {k: ({kk: vv for kk, vv in v.items() if kk != "errors"} | {"errors": len(v.get("errors", [])),
                 "first_errors": v.get("errors", [])[:3]} if isinstance(v, dict) and "errors" in v else v)
             for k, v in result.items()}
    print(json.dumps(shown, ensure_ascii=False, indent=1, default=str))
    if not args.no_docs:
        write_docs(args, result)
    return result


if __name__ == "__main__":
    main()
