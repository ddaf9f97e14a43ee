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
   For tracking, the share of cold lookups (answers the cache gained over requests).
5. Then, labelled apart and not the headline, hello-world and tracking again at --low-connections (4)
   after emptying the cache: latency with little queueing (at 32 connections on 2 CPUs the closed
   loop alone puts the mean latency at 32 / throughput).
6. Writes the section "Public read paths (bench/public.py)" of docs/performance.md (--no-docs to skip).

Loopback only; wrk runs are bounded by --duration.
"""

import argparse
import os
import platform
import re
import shutil
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


def measure(port, paths, name, args, connections=None):
    """One target: warm-up, then the measured run; for tracking, the share of cold lookups (those that
    read the database) among the requests of both."""
    before = answers_cached(args.redis_url)
    warm = wrk(port, paths[name][0], args, args.warmup, connections)
    r = wrk(port, paths[name][0], args, args.duration, connections)
    if name in P99_MS:
        r["cold"] = (answers_cached(args.redis_url) - before) / max(1, warm["requests"] + r["requests"])
    log(f"{name} ({connections or args.connections} connections): {r['rps']:.0f} req/s, p50 {r['p50']:.2f} ms, "
        f"p99 {r['p99']:.2f} ms, non-2xx {r['non2xx']}" + (f", cold {r['cold']:.0%}" if "cold" in r else ""))
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


def render(args, results, cases, paths, low):
    hello = results["hello-world view"]["rps"]
    rows = ["| target | requests/s | ratio to hello-world | p50 ms | p99 ms | non-2xx | cold lookups | target ratio | met |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        ratio = r["rps"] / hello
        goal = TARGETS.get(name)
        p99_goal = P99_MS.get(name)
        met = "" if goal is None else ("yes" if ratio >= goal and (p99_goal is None or (r["p99"] or 1e9) < p99_goal)
                                       and r["non2xx"] == 0 else "no")
        goal_text = "" if goal is None else f"≥ {goal:.2f}" + (f", p99 < {p99_goal:.0f} ms" if p99_goal else "")
        cold = f"{r['cold']:.0%}" if "cold" in r else ""
        rows.append(f"| {name} ({paths[name][1]} paths) | {r['rps']:.0f} | {ratio:.3f} | {r['p50']:.2f} | "
                    f"{r['p99']:.2f} | {r['non2xx']} | {cold} | {goal_text} | {met} |")
    # Little's law for a closed loop: every connection always has one request out, so the mean
    # latency is connections / throughput, and p99 is above the mean.
    floor = "; ".join(f"{name} {1000 * args.connections / r['rps']:.1f} ms" for name, r in results.items()
                      if name == "hello-world view" or name in P99_MS)
    low_text = ""
    if low:
        lows = [f"| target, at {args.low_connections} connections | requests/s | ratio to hello-world | p50 ms | "
                "p99 ms | non-2xx | cold lookups |", "|---|---|---|---|---|---|---|"]
        low_hello = low["hello-world view"]["rps"]
        for name, r in low.items():
            cold = f"{r['cold']:.0%}" if "cold" in r else ""
            lows.append(f"| {name} | {r['rps']:.0f} | {r['rps'] / low_hello:.3f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                        f"{r['non2xx']} | {cold} |")
        low_text = f"""
Latency with little queueing (not the headline): the same server, cache emptied, then the same
targets at {args.low_connections} connections, {args.warmup} s warm-up then {args.duration} s each.

{chr(10).join(lows)}
"""
    return f"""{SECTION}

Run {time.strftime('%Y-%m-%d %H:%M')} UTC on {machine()}; {cases:,} cases in the database.
Method: one `onewindow serve` (gunicorn, default workers × threads) with the platform's settings and
URLs plus a hello-world view at /bench/hello/ (bench/floor/hello_settings.py), Redis as the cache;
Debian's wrk, 2 threads, {args.connections} connections, {args.warmup} s warm-up then {args.duration} s
per target, each request a random path of the target's sample (tracking: {args.sample} cases sampled
with TABLESAMPLE, number and query code). Ratios are requests/s over the hello-world view's in the
same run. wrk runs on the same 2 CPUs as the server. Cold lookups: the share of a tracking target's
requests (warm-up and run) that read the database, i.e. the answers the cache gained; the others
came from the cache (an answer is kept 60 s, so a path drawn again within the run is warm).

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
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "hello_settings",
                  "PYTHONPATH": os.pathsep.join([str(ROOT / "bench" / "floor"), env.get("PYTHONPATH", "")])}
    load_before = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "onewindow"), "serve", "--port", str(args.port)],
                            env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    results, low = {}, {}
    try:
        wait_ready(args.port, proc)
        for name in ["hello-world view", *TARGETS]:
            if name in paths:
                results[name] = measure(args.port, paths, name, args)
        if args.low_connections:  # the latency of a lookup with little queueing (not the headline)
            subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True, check=False)
            for name in ["hello-world view", *P99_MS]:
                if name in paths:
                    low[name] = measure(args.port, paths, name, args, args.low_connections)
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)
    text = render(args, results, cases, paths, low)
    print(text)
    if not args.no_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
