"""Hall benchmark: call-next and issuance in a busy hall on PostgreSQL, against the same run's hello-world
view and the no-op twin. Not a test; run by hand (it uses both cores for a few minutes):

    .venv/bin/python bench/queue.py --port 8301 [--terminals 160 --kiosks 40 --speedup 60 --seconds 40]
        [--sweep 10,20,30] [--sync-seconds 20]

1. Recreates the PostgreSQL database of --database-url (loopback only), migrates, builds one site
   with 10 queues and T windows, each serving every queue, with one clerk and API token each
   (bench/hall_world.py), and starts `onewindow serve` on 127.0.0.1:--port with the platform's URLs
   plus the hello-world view /bench/hello/ (bench/floor/hello_settings.py).
2. Before opening, kiosks issue --preopen tickets per window (people waiting at the door).
3. The hall, the headline (T terminals + K kiosks = 200 connections at once, bench/hall_load.py): a real
   service of --service-minutes (default 6) per ticket, run --speedup times faster; kiosks issue a
   Poisson stream that keeps the windows --utilisation busy. Each window opens at a uniformly random
   time over the first --opening-minutes (hall time) and from then on calls the moment it finishes,
   at its own continuous time. Call-next p50/p95/p99 for the whole run and for after the opening (every
   window open), server and database CPU, load average. --sweep repeats it at other speedups.
4. The synchronised stress row (--sync-seconds): windows call on whole --tick ticks of the hall clock
   and all at once at opening (the previous headline; no real hall does this).
5. Saturation: closed-loop kiosks (issue, issue, …), closed-loop terminals (call-next, start, finish, …)
   and closed-loop GETs of the hello-world view of the same server, --closed clients each; then the same
   kiosks and terminals against the no-op twin (bench/floor/queue_floor_urls.py: same middleware and
   schemas, no database).
6. Checks in SQL: no ticket called twice; per queue the numbers 1..n each once; `onewindow audit verify`
   (a `onewindow worker` runs beside the server throughout and seals the audit entries every 2 s).
7. Writes the section "Hall: call-next and issuance" of docs/performance.md (unless --no-docs).
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
from hall_load import Hello, Kiosk, Terminal, pct, run  # noqa: E402
from hall_world import CpuMeter, check, prepare  # noqa: E402

ROOT = HERE.parent
BIN = ROOT / ".venv" / "bin"


def serve(env, args, floor=False):
    """The platform plus /bench/hello/ (bench/floor/hello_urls.py), or the no-op twin with `floor`."""
    import subprocess

    server_env = {**env, "ONEWINDOW_CONN_MAX_AGE": "60",
                  "DJANGO_SETTINGS_MODULE": "queue_floor_settings" if floor else "hello_settings",
                  "PYTHONPATH": os.pathsep.join([str(HERE / "floor"), env.get("PYTHONPATH", "")])}
    cmd = [str(BIN / "onewindow"), "serve", "--host", "127.0.0.1", "--port", str(args.port), "--threads",
           str(args.threads), "--workers", str(args.workers)]
    proc = subprocess.Popen(cmd, env=server_env, stdout=subprocess.DEVNULL, stderr=open(args.server_log, "a"))  # noqa: SIM115
    wait_ready(args.port, proc)
    return proc


def closed_loop(args, info, db, proc, hello=False):
    """Closed-loop issuance, then closed-loop call-next/start/finish (then, with `hello`, the hello-world
    view of the same server): rates per second."""
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
    out = {
        "issue_rate": sum(k.count for k in kiosks) / issue_cpu["wall_s"], "issue_cpu": issue_cpu,
        "issue_errors": sum(len(k.errors) for k in kiosks),
        "call_rate": sum(t.count for t in terminals) / call_cpu["wall_s"],
        "call_requests_rate": sum(len(t.ms) + 2 * t.cycles for t in terminals) / call_cpu["wall_s"],
        "cycle_rate": sum(t.cycles for t in terminals) / call_cpu["wall_s"], "call_cpu": call_cpu,
        "call_empty": sum(t.empty for t in terminals), "call_errors": sum(len(t.errors) for t in terminals),
        "closed_call_p50": pct([m for t in terminals for m in t.ms], 50),
        "closed_issue_p50": pct([m for k in kiosks for m in k.ms], 50),
    }
    if hello:
        meter = CpuMeter(proc.pid, db).start()
        deadline = time.monotonic() + args.closed_seconds
        hellos = run([Hello(args.port, deadline, seed=i) for i in range(args.closed)], args.closed_seconds)
        hello_cpu = meter.stop()
        out.update(hello_rate=sum(h.count for h in hellos) / hello_cpu["wall_s"], hello_cpu=hello_cpu,
                   hello_errors=sum(len(h.errors) for h in hellos))
    return out


def reset_hall(env):
    """Between runs on the same database: no one waits, no window holds a ticket."""
    import subprocess

    code = ("from onewindow.queue.models import Ticket\n"
            "Ticket.objects.filter(state='waiting').update(state='cancelled')\n"
            "Ticket.objects.filter(state__in=['called', 'serving']).update(state='done')\n")
    subprocess.run([str(BIN / "onewindow"), "shell", "-c", code], env=env, check=True, capture_output=True)


def hall(args, info, db, proc, speedup, seconds, synchronised=False):
    """One paced run of the hall at `speedup`. The hall: windows open at uniformly random times over the
    first --opening-minutes of hall time and call when they finish; synchronised: on whole ticks, all at
    once at opening (the stress row)."""
    queues, tokens = info["queues"], info["tokens"][:args.terminals]
    pre = args.preopen * len(tokens)
    per = -(-pre // args.closed)
    run([Kiosk(args.port, time.monotonic() + 120, queues[i % len(queues):] + queues[:i % len(queues)], seed=i,
               limit=per) for i in range(args.closed)], 120)
    log(f"before opening: {pre} tickets issued")
    service = args.service_minutes * 60 / speedup
    rate = args.utilisation * len(tokens) / service  # tickets per second for the whole hall
    stagger = 0.0 if synchronised else args.opening_minutes * 60 / speedup
    t0 = time.monotonic() + 2.0
    deadline = t0 + seconds
    import random

    rng = random.Random(7)
    terminals = [Terminal(args.port, deadline, w, tok, t0=t0, service=service,
                          tick=args.tick if synchronised else 0.0, seed=i,
                          open_at=None if synchronised else t0 + rng.uniform(0, stagger))
                 for i, (w, tok) in enumerate(tokens)]
    kiosks = [Kiosk(args.port, deadline, queues[i % len(queues):] + queues[:i % len(queues)],
                    rate=rate / args.kiosks, seed=1000 + i) for i in range(args.kiosks)]
    meter = CpuMeter(proc.pid, db)
    for c in terminals + kiosks:
        c.start()
    time.sleep(max(0.0, t0 - time.monotonic()))
    meter.start()
    for c in terminals + kiosks:
        c.join(timeout=seconds + 120)
    cpu = meter.stop()
    call_ms = [m for t in terminals for m in t.ms]
    if synchronised:
        first = [t.ms[0] for t in terminals if t.ms]  # the opening burst: every window at once
        after = [m for t in terminals for m in t.ms[1:]]
    else:
        opened = t0 + stagger  # the last window has opened
        first = [m for t in terminals for a, m in zip(t.at, t.ms, strict=False) if a < opened]
        after = [m for t in terminals for a, m in zip(t.at, t.ms, strict=False) if a >= opened]
    issue_ms = [m for k in kiosks for m in k.ms]
    return {
        "speedup": speedup, "seconds": seconds, "synchronised": synchronised, "stagger_s": stagger,
        "service_s": service, "arrival_rate": rate, "calls_due": len(tokens) / service,
        "calls": sum(t.count for t in terminals), "empty": sum(t.empty for t in terminals),
        "issued": sum(k.count for k in kiosks), "cpu": cpu,
        "call_p50": pct(call_ms, 50), "call_p95": pct(call_ms, 95), "call_p99": pct(call_ms, 99),
        "call_max": max(call_ms) if call_ms else float("nan"),
        "after_p50": pct(after, 50), "after_p95": pct(after, 95), "after_p99": pct(after, 99), "after_n": len(after),
        "opening_p50": pct(first, 50), "opening_p99": pct(first, 99), "opening_n": len(first),
        "issue_p50": pct(issue_ms, 50), "issue_p99": pct(issue_ms, 99),
        "errors": [e for c in terminals + kiosks for e in c.errors],
    }


def main(argv=None):
    import subprocess

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ow_hall_bench")
    ap.add_argument("--port", type=int, default=8301)
    ap.add_argument("--terminals", type=int, default=160)
    ap.add_argument("--kiosks", type=int, default=40)
    ap.add_argument("--queues", type=int, default=10)
    ap.add_argument("--service-minutes", type=float, default=6.0, help="real mean service time of a ticket")
    ap.add_argument("--speedup", type=float, default=60.0, help="how many times faster than a real hall")
    ap.add_argument("--utilisation", type=float, default=0.9, help="share of the windows' capacity that arrives")
    ap.add_argument("--tick", type=float, default=1.0, help="the synchronised row's tick (s): calls land on ticks")
    ap.add_argument("--opening-minutes", type=float, default=5.0,
                    help="hall minutes over which the windows open (uniformly at random)")
    ap.add_argument("--sync-seconds", type=float, default=20, help="the synchronised stress row (0: none)")
    ap.add_argument("--sweep", default="", help="more speedups, comma-separated, for the hall alone (p99 per speedup)")
    ap.add_argument("--sweep-seconds", type=float, default=30)
    ap.add_argument("--preopen", type=int, default=1, help="tickets per window issued before opening")
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--closed", type=int, default=16, help="closed-loop clients of the saturation runs")
    ap.add_argument("--closed-seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--server-log", default=str(ROOT / "var" / "bench-queue-server.log"))
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--docs-from", default="", help="only write the docs section from a saved var/bench-queue-last.json")
    args = ap.parse_args(argv)
    if args.docs_from:
        saved = json.loads(Path(args.docs_from).read_text())
        write_docs(argparse.Namespace(**saved["args"]), saved["result"])
        return saved["result"]
    if not 1024 < args.port < 65536:
        raise SystemExit("use an unprivileged port (this team: 8301-8309)")
    p = pg_parts(args.database_url)
    if not p["db"] or p["db"] == "onewindow":
        raise SystemExit("give a benchmark database name of its own")
    (ROOT / "var").mkdir(exist_ok=True)
    subprocess.run(pg_cmd("dropdb", p, "--if-exists", "--force", p["db"]), check=True)
    subprocess.run(pg_cmd("createdb", p, p["db"]), check=True)
    import shutil

    shutil.rmtree(ROOT / "var" / "bench-audit", ignore_errors=True)  # the fresh database's checkpoints
    env = {**os.environ, "DATABASE_URL": args.database_url}
    info = prepare(env, args.queues, max(args.terminals, args.closed))
    (ROOT / "var" / "hall_world.json").write_text(json.dumps(info))  # for bench/hall_profile.py
    log(f"world: {len(info['tokens'])} windows, {len(info['queues'])} queues")
    worker = subprocess.Popen([str(BIN / "onewindow"), "worker"], env={**env, "ONEWINDOW_AUDIT_CHECKPOINT_DIR": str(
        ROOT / "var" / "bench-audit")}, stdout=subprocess.DEVNULL, stderr=open(args.server_log, "a"))  # noqa: SIM115
    proc = serve(env, args)
    try:
        result = {"hall": hall(args, info, p["db"], proc, args.speedup, args.seconds)}
        log(f"hall: p99 {result['hall']['call_p99']:.1f} ms, after opening {result['hall']['after_p99']:.1f} ms")
        result["sweep"] = []
        for speedup in [float(x) for x in args.sweep.split(",") if x.strip()]:
            reset_hall(env)
            seconds = max(args.sweep_seconds, args.opening_minutes * 60 / speedup + 20)  # the opening, then 20 s
            result["sweep"].append(hall(args, info, p["db"], proc, speedup, seconds))
            log(f"hall ×{speedup:g}: p99 {result['sweep'][-1]['call_p99']:.1f} ms")
        if args.sync_seconds:
            reset_hall(env)
            result["sync"] = hall(args, info, p["db"], proc, args.speedup, args.sync_seconds, synchronised=True)
            log(f"synchronised: p99 {result['sync']['call_p99']:.1f} ms")
        reset_hall(env)
        result["closed"] = closed_loop(args, info, p["db"], proc, hello=True)
    finally:
        stop(proc)
    stop(worker)
    result["checks"] = check(env)
    verify = subprocess.run([str(BIN / "onewindow"), "audit", "verify"], capture_output=True, text=True,
                            env={**env, "ONEWINDOW_AUDIT_CHECKPOINT_DIR": str(ROOT / "var" / "bench-audit")})
    result["checks"]["audit_verify"] = (verify.stdout + verify.stderr).strip().splitlines()[-1:]
    proc = serve(env, args, floor=True)
    try:
        result["floor"] = closed_loop(args, info, p["db"], proc)
    finally:
        stop(proc)
    def short(v):
        if isinstance(v, list):
            return [short(x) for x in v]
        if isinstance(v, dict) and "errors" in v:
            return {kk: vv for kk, vv in v.items() if kk != "errors"} | {"errors": len(v["errors"]),
                                                                         "first_errors": v["errors"][:3]}
        return v

    shown = {k: short(v) for k, v in result.items()}
    print(json.dumps(shown, ensure_ascii=False, indent=1, default=str))
    (ROOT / "var" / "bench-queue-last.json").write_text(json.dumps({"args": vars(args), "result": shown}, default=str))
    if not args.no_docs:
        write_docs(args, result)
    return result


if __name__ == "__main__":
    main()
