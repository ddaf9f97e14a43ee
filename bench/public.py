"""Public read paths against a hello-world view of the same stack, in one run: tracking (cases and
bundles), the catalogue page and a service guide.

Not a test. Run by hand (`.venv/bin/python bench/public.py`) or via `make bench`.

1. The PostgreSQL database of --database-url (default ow_million, shared with bench/million.py):
   kept when it holds --cases generated cases (default 1,000,000), else rebuilt the same way
   (migrate, demo, 1,057 items, `generate --cases N --seed 1`); then migrate and ANALYZE.
2. Samples --sample (5,000) case numbers with their query codes (and up to as many bundle filings)
   into path files for wrk.
3. Starts `onewindow serve` (gunicorn, default workers and threads) with bench/floor/hello_settings.py
   (the platform's URLs plus /bench/hello/), Redis as the cache (--redis-url), on --port.
4. For each target: wrk (Debian's, C) with --connections over 2 threads, a --warmup run, then a
   --duration run with --latency: requests/s, p50/p99, non-2xx answers. Each ratio is the target's
   requests/s over /bench/hello/'s in the same run.
   For tracking (each target from an emptied cache), the share of cold lookups (answers the cache
   gained over requests). The hello-world view runs before the first target and after each one; a
   target's ratio is over the mean of the two runs around it. Server CPU per request from /proc.
5. Then, labelled apart and not the headline, hello-world and tracking again at --low-connections (4):
   latency with little queueing (at 32 connections on 2 CPUs the closed
   loop alone puts the mean latency at 32 / throughput).
6. Writes the section "Public read paths (bench/public.py)" of docs/performance.md (--no-docs to skip).

Loopback only; wrk runs are bounded by --duration.
"""

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, build, generated_count, log, onewindow, pg_parts, psql, stop, wait_ready  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Public read paths (bench/public.py)"
TARGETS = {"tracking": 0.40, "bundle tracking": 0.40, "catalogue /items/": 0.25, "a service guide": 0.25}
P99_MS = {"tracking": 20.0, "bundle tracking": 20.0}


def wrk(port, paths_file, args, seconds, connections=None):
    env = {**os.environ, "WRK_PATHS": str(paths_file)}
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections or args.connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency",
         "-s", str(ROOT / "bench" / "paths.lua"), f"http://127.0.0.1:{port}/"],
        env=env, capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    done = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50": _ms(lat.get("50")), "p99": _ms(lat.get("99")),
            "non2xx": int(bad.group(1)) if bad else 0, "socket": errors.group(0) if errors else "",
            "requests": int(done.group(1)) if done else 0}


def answers_cached(redis_url):
    """How many tracking answers the cache holds: each is one lookup that read the database (cold), and
    lives 60 s, longer than a target's warm-up and run."""
    out = subprocess.run(["redis-cli", "-u", redis_url, "--scan", "--pattern", "*track:answer:*"],
                         capture_output=True, text=True, check=False).stdout
    return len(out.split())


TICK = os.sysconf("SC_CLK_TCK")
APP_NAME = "ow_bench_public"  # the server's PostgreSQL sessions, found by application_name


def _cpu_of(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def server_cpu(server_pid, p) -> float:
    """CPU seconds used so far by the server's gunicorn workers and their PostgreSQL backends (what a
    request costs the machine, whatever else runs on it; Redis and wrk not included)."""
    workers = [d.name for d in Path("/proc").iterdir() if d.name.isdigit() and _ppid(d.name) == server_pid]
    backends = (psql(p, f"SELECT pid FROM pg_stat_activity WHERE application_name = '{APP_NAME}'") or "").split()
    return _cpu_of(workers) + _cpu_of(backends)


def _ppid(pid) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def measure(port, paths, name, args, connections=None, server=None):
    """One target: warm-up, then the measured run; for tracking, the share of cold lookups (those that
    read the database) among the requests of both; with `server` (pid, database parts), the server's
    CPU per request of the measured run."""
    if name in P99_MS:  # a tracking target starts from an empty cache: its cold share is its own
        subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True, check=False)
    before = answers_cached(args.redis_url)
    warm = wrk(port, paths[name][0], args, args.warmup, connections)
    cpu0 = server_cpu(*server) if server else 0.0
    r = wrk(port, paths[name][0], args, args.duration, connections)
    if server:
        r["cpu_ms"] = 1000 * (server_cpu(*server) - cpu0) / max(1, r["requests"])
    if name in P99_MS:
        r["cold"] = (answers_cached(args.redis_url) - before) / max(1, warm["requests"] + r["requests"])
    log(f"{name} ({connections or args.connections} connections): {r['rps']:.0f} req/s, p50 {r['p50']:.2f} ms, "
        f"p99 {r['p99']:.2f} ms, non-2xx {r['non2xx']}" + (f", cold {r['cold']:.0%}" if "cold" in r else "")
        + (f", server CPU {r['cpu_ms']:.2f} ms/request" if "cpu_ms" in r else "") + f", load {_load()}")
    return r


def _ms(text):
    if not text:
        return None
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def sample_paths(p, folder, n):
    files = {}
    rows = psql(p, f"SELECT number || ' ' || query_code FROM cases_case TABLESAMPLE SYSTEM (1) LIMIT {n}") or ""
    files["tracking"] = [f"/api/v1/track/{num}?code={code}" for num, code in (r.split() for r in rows.splitlines())]
    rows = psql(p, f"SELECT number || ' ' || query_code FROM cases_bundlefiling ORDER BY random() LIMIT {n}") or ""
    files["bundle tracking"] = [f"/api/v1/track/{num}?code={code}" for num, code in (r.split() for r in rows.splitlines())]
    files["catalogue /items/"] = ["/items/"]
    code = psql(p, "SELECT i.code FROM catalog_serviceitem i JOIN catalog_itemversion v ON v.item_id = i.id "
                   "WHERE v.is_current AND v.status = 'published' ORDER BY i.code LIMIT 1")
    files["a service guide"] = [f"/items/{code}/"]
    files["hello-world view"] = ["/bench/hello/"]
    out = {}
    for name, lines in files.items():
        if not lines:
            continue
        path = Path(folder) / (re.sub(r"\W+", "_", name) + ".txt")
        path.write_text("\n".join(lines) + "\n")
        out[name] = (path, len(lines))
    return out


def machine():
    return (f"{platform.node()}: {os.cpu_count()} CPUs, {platform.python_implementation()} "
            f"{platform.python_version()}, PostgreSQL {psql_version}, load average before {load_before}")


psql_version = load_before = ""


def _load() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _rows(results, paths, goals=True) -> list[str]:
    head = ("| target | requests/s | hello-world requests/s (runs before and after) | ratio | p50 ms | p99 ms | non-2xx "
            "| cold lookups | server CPU ms/request | CPU ratio (hello-world's / target's) |"
            + (" target | met |" if goals else ""))
    rows = [head, "|" + "---|" * head.count(" |")]
    for name, r in results.items():
        hello_rps = r.get("hello_rps", r["rps"])
        ratio = r["rps"] / hello_rps
        cpu_ratio = r.get("hello_cpu_ms", r["cpu_ms"]) / r["cpu_ms"] if r["cpu_ms"] else 0
        goal, p99_goal = TARGETS.get(name), P99_MS.get(name)
        met = "" if goal is None else ("yes" if ratio >= goal and (p99_goal is None or (r["p99"] or 1e9) < p99_goal)
                                       and r["non2xx"] == 0 else "no")
        goal_text = "" if goal is None else f"≥ {goal:.2f}" + (f", p99 < {p99_goal:.0f} ms" if p99_goal else "")
        cold = f"{r['cold']:.0%}" if "cold" in r else ""
        label = f"{name} ({paths[name][1]} paths)" + (f", mean of {r['runs']} runs" if "runs" in r else "")
        rows.append(f"| {label} | {r['rps']:.0f} | {hello_rps:.0f} | {ratio:.3f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                    f"{r['non2xx']} | {cold} | {r['cpu_ms']:.2f} | {cpu_ratio:.3f} |"
                    + (f" {goal_text} | {met} |" if goals else ""))
    return rows


def render(args, results, cases, paths, low):
    rows = _rows(results, paths)
    # Little's law for a closed loop: every connection always has one request out, so the mean
    # latency is connections / throughput, and p99 is above the mean.
    floor = "; ".join(f"{name} {1000 * args.connections / r['rps']:.1f} ms" for name, r in results.items()
                      if name == "hello-world view" or name in P99_MS)
    low_text = ""
    if low:
        low_text = f"""
Latency with little queueing (not the headline): the same server, then the same targets at {args.low_connections} connections, {args.warmup} s warm-up then {args.duration} s each, bracketed the same way.

{chr(10).join(_rows(low, paths, goals=False))}
"""
    return f"""{SECTION}

Run {time.strftime('%Y-%m-%d %H:%M')} UTC on {machine()}, after {_load()}; {cases:,} cases in the database.
Method: one `onewindow serve` (gunicorn, default workers × threads) with the platform's settings and
URLs plus a hello-world view at /bench/hello/ (bench/floor/hello_settings.py), Redis as the cache;
Debian's wrk, 2 threads, {args.connections} connections, {args.warmup} s warm-up then {args.duration} s
per target, each request a random path of the target's sample (tracking: {args.sample} cases sampled
with TABLESAMPLE, number and query code). wrk runs on the same 2 CPUs as the server. The hello-world
view is measured before the first target and again after each one; a target's ratio is its
requests/s over the mean of the hello-world runs just before and just after it (other engineers' work
on the machine comes and goes within minutes). Server CPU: the gunicorn workers' and their PostgreSQL
sessions' CPU time over the measured run's requests (not Redis, not wrk), read from /proc: what a
request costs whatever else runs. Cold lookups: the share of a tracking target's requests (warm-up
and run) that read the database, i.e. the answers the cache gained; each tracking target starts from
an emptied cache, and the others came from it (an answer is kept 60 s, so a path drawn again within
the target's 20 s is warm).

{chr(10).join(rows)}

Closed loop: each of the {args.connections} connections always has one request out, so the mean
latency is connections / throughput (Little's law) and p99 lies above it: {floor}. A p99 under
20 ms at {args.connections} connections needs more than {args.connections * 50} requests/s, more than
the hello-world view itself serves here.
{low_text}"""


def write_docs(text):
    doc = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    if SECTION in doc:
        start = doc.index(SECTION)
        nxt = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text.rstrip() + "\n" + (doc[nxt:] if nxt != -1 else "")
    else:
        doc = doc.rstrip() + "\n\n" + text
    DOCS.write_text(doc)


def bracketed(args, paths, targets, server, connections=None) -> dict:
    """The hello-world view before the first target and again after each one, so that each target's
    reference is measured as close in time as it can be (the mean of the runs just before and after it):
    other work on the machine comes and goes over a benchmark's minutes."""
    hello = [measure(args.port, paths, "hello-world view", args, connections, server)]
    out = {}
    for name in targets:
        if name not in paths:
            continue
        out[name] = measure(args.port, paths, name, args, connections, server)
        hello.append(measure(args.port, paths, "hello-world view", args, connections, server))
        before, after = hello[-2], hello[-1]
        out[name]["hello_rps"] = (before["rps"] + after["rps"]) / 2
        out[name]["hello_cpu_ms"] = (before["cpu_ms"] + after["cpu_ms"]) / 2
    out["hello-world view"] = {
        key: statistics.fmean(h[key] for h in hello) for key in ("rps", "p50", "p99", "cpu_ms")} | {
        "non2xx": sum(h["non2xx"] for h in hello), "runs": len(hello)}
    return {"hello-world view": out.pop("hello-world view"), **out}


def main(argv=None) -> int:
    global psql_version, load_before
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("MILLION_DATABASE_URL",
                                                             "postgres://postgres@127.0.0.1:5432/ow_million"))
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=5000)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--low-connections", type=int, default=4,
                    help="then hello-world and tracking again at this many connections, for latency (0: skip)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--port", type=int, default=8197)
    ap.add_argument("--redis-url", default=os.environ.get("ONEWINDOW_REDIS_URL", "redis://127.0.0.1:6379/9"))
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--million", action="store_true", help=argparse.SUPPRESS)  # passed through by run_all.py
    args, _others = ap.parse_known_args(argv)  # run_all.py passes every bench the same arguments
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: bash scripts/system-deps.sh bench")
    p = pg_parts(args.database_url)
    env = {**os.environ, "DATABASE_URL": args.database_url, "ONEWINDOW_REDIS_URL": args.redis_url,
           "ONEWINDOW_CONN_MAX_AGE": "60"}
    if (generated_count(p) or 0) < args.cases:
        log(f"building {p['db']} with {args.cases:,} cases (several minutes)")
        build(p, env, args.cases)
    onewindow(env, "migrate", "--noinput", "-v", "0")
    psql(p, "ANALYZE")
    cases = int(psql(p, "SELECT count(*) FROM cases_case") or 0)
    psql_version = psql(p, "SHOW server_version")
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True, check=False)
    folder = tempfile.mkdtemp(prefix="ow-bench-")
    paths = sample_paths(p, folder, args.sample)
    sep = "&" if "?" in args.database_url else "?"
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "hello_settings",
                  "DATABASE_URL": f"{args.database_url}{sep}application_name={APP_NAME}",
                  "PYTHONPATH": os.pathsep.join([str(ROOT / "bench" / "floor"), env.get("PYTHONPATH", "")])}
    load_before = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    # the server's log to a file: a pipe nobody reads fills up (64 KB of "Not Found" lines) and stalls it
    server_log = open(Path(folder) / "server.log", "wb")  # noqa: SIM115 (closed in the finally below)
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "onewindow"), "serve", "--port", str(args.port)],
                            env=server_env, stdout=subprocess.DEVNULL, stderr=server_log)
    results, low = {}, {}
    server = (proc.pid, p)
    try:
        wait_ready(args.port, proc)
        results = bracketed(args, paths, list(TARGETS), server)
        if args.low_connections:  # the latency of a lookup with little queueing (not the headline)
            low = bracketed(args, paths, list(P99_MS), server, args.low_connections)
    finally:
        stop(proc)
        server_log.close()
        shutil.rmtree(folder, ignore_errors=True)
    text = render(args, results, cases, paths, low)
    print(text)
    if not args.no_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
