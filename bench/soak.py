"""Soak: mixed traffic for --minutes (10) through nginx on PostgreSQL; 0 × 5xx and the web processes'
resident memory growing less than 10 %.

Not a test. Run by hand (`.venv/bin/python bench/soak.py`) or via `make bench`.

1. Recreates the PostgreSQL database of --database-url (default ow_soak): migrate, demo data, API
   tokens for window1, a published item with its required materials (bench/intake.py's prepare).
2. `onewindow collectstatic` into a temporary ONEWINDOW_VAR_DIR; `onewindow serve` (2 workers × 4
   threads) and `onewindow worker` with Redis as the cache; Debian's nginx with the shipped site
   (deploy/nginx/onewindow.conf) and a self-signed certificate in front (core/tests/servers.py).
3. --clients threads, each on its own connections over HTTPS through nginx, loop until the deadline
   (and at most --max-requests in all): tracking of cases filed so far (40 %), catalogue searches in
   citizens' words (20 %), pages (15 %: home, a guide, the lists, the network), file + accept through
   the API (15 %), the items API (10 %).
4. The resident memory (VmRSS) of the gunicorn processes is read after a warm-up (--warmup seconds)
   and at the end; growth = end / after-warm-up - 1.
5. Writes the section "Soak (bench/soak.py)" of docs/performance.md (--no-docs to skip).

Loopback only; bounded by the deadline and --max-requests.
"""

import argparse
import collections
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, log, pg_parts, psql  # noqa: E402
from intake import _children, id_number, prepare, recreate_db  # noqa: E402

from onewindow.core.tests.servers import https_request, nginx_in_front, serve  # noqa: E402

DOCS = ROOT / "docs" / "performance.md"
SECTION = "## Soak (bench/soak.py)"
WORDS = ["营业执照", "开公司", "社保", "公积金", "身份证", "食品经营", "个体工商户", "不动产", "出生", "医保", "退休", "结婚"]


def rss_kb(pid: int) -> int:
    """VmRSS of a process and its descendants (the gunicorn master and workers), in kB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            todo += _children(p)
        except OSError:
            continue
    return total


class Client(threading.Thread):
    def __init__(self, port, token, item, deadline, budget, filed, stats, lock):
        super().__init__(daemon=True)
        self.port, self.token, self.item, self.deadline = port, token, item, deadline
        self.budget, self.filed, self.stats, self.lock = budget, filed, stats, lock
        self.rng = random.Random()

    def get(self, path, kind):
        status, _, _ = https_request(self.port, "GET", path, headers={"Host": "localhost"})
        return kind, status

    def file_and_accept(self):
        auth = {"Host": "localhost", "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        n = self.rng.randrange(10**6)
        body = {"item": self.item["item"], "channel": "window", "materials": self.item["materials"],
                "applicant": {"kind": "person", "name": "测试", "id_number": id_number(n), "phone": "13800138000"}}
        status, _, raw = https_request(self.port, "POST", "/api/v1/cases", json.dumps(body).encode(), headers=auth)
        if status != 201:
            return "file", status
        case = json.loads(raw)
        with self.lock:
            self.filed.append((case["number"], case["query_code"]))
        status, _, _ = https_request(self.port, "POST", f"/api/v1/cases/{case['number']}/actions/accept", b"{}",
                                     headers=auth)
        return "accept", status

    def one(self):
        r = self.rng.random()
        if r < 0.40 and self.filed:
            number, code = self.rng.choice(self.filed)
            return self.get(f"/api/v1/track/{number}?code={code}", "track")
        if r < 0.60:
            return self.get("/items/?q=" + urllib.parse.quote(self.rng.choice(WORDS)), "search")
        if r < 0.75:
            return self.get(self.rng.choice(["/", f"/items/{self.item['item']}/", "/lists/", "/network/"]), "page")
        if r < 0.90:
            return self.file_and_accept()
        return self.get("/api/v1/items?search=" + urllib.parse.quote(self.rng.choice(WORDS)), "api")

    def run(self):
        while time.monotonic() < self.deadline:
            with self.lock:
                if self.budget[0] <= 0:
                    return
                self.budget[0] -= 1
            try:
                kind, status = self.one()
            except OSError as exc:
                kind, status = "error", type(exc).__name__
            with self.lock:
                self.stats[(kind, status)] += 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ow_soak")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--max-requests", type=int, default=500_000)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    ap.add_argument("--no-docs", action="store_true")
    args, _others = ap.parse_known_args(argv)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    p = pg_parts(args.database_url)
    recreate_db(p, p["db"])
    folder = Path(tempfile.mkdtemp(prefix="ow-soak-"))
    os.chmod(folder, 0o755)
    env = {**os.environ, "DATABASE_URL": args.database_url, "ONEWINDOW_REDIS_URL": args.redis_url,
           "ONEWINDOW_VAR_DIR": str(folder), "ONEWINDOW_TRUSTED_PROXIES": "127.0.0.1", "ONEWINDOW_CONN_MAX_AGE": "60"}
    info = prepare(env, 1)
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], capture_output=True, check=False)
    subprocess.run([str(ROOT / ".venv" / "bin" / "onewindow"), "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    worker = subprocess.Popen([str(ROOT / ".venv" / "bin" / "onewindow"), "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs: list = []
    stats: collections.Counter = collections.Counter()
    samples = []
    try:
        server_env = {k: v for k, v in env.items() if k not in os.environ or os.environ[k] != v}
        with serve(server_env, workers=2, threads=4, procs=procs) as app_port, \
                nginx_in_front(nginx, app_port, folder / "static", folder, workers=2) as (_http, https_port):
            start = time.monotonic()
            deadline = start + args.minutes * 60
            lock, filed, budget = threading.Lock(), [], [args.max_requests]
            clients = [Client(https_port, info["tokens"][0], info["item"], deadline, budget, filed, stats, lock)
                       for _ in range(args.clients)]
            for c in clients:
                c.start()
            baseline = None
            while any(c.is_alive() for c in clients):
                time.sleep(5)
                elapsed = time.monotonic() - start
                rss = rss_kb(procs[0].pid)
                samples.append((round(elapsed), rss))
                if baseline is None and elapsed >= args.warmup:
                    baseline = rss
                    log(f"after warm-up: {rss / 1024:.1f} MB resident in the web processes")
                if len(samples) % 12 == 0:
                    log(f"{elapsed:.0f} s: {sum(stats.values())} requests, {rss / 1024:.1f} MB")
            final = rss_kb(procs[0].pid)
            elapsed = time.monotonic() - start
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        shutil.rmtree(folder, ignore_errors=True)
    total = sum(stats.values())
    fivexx = sum(n for (kind, status), n in stats.items() if isinstance(status, int) and status >= 500)
    errors = sum(n for (kind, status), n in stats.items() if not isinstance(status, int))
    growth = final / baseline - 1 if baseline else float("nan")
    by_kind = collections.defaultdict(collections.Counter)
    for (kind, status), n in stats.items():
        by_kind[kind][status] += n
    rows = "\n".join(f"| {kind} | {sum(c.values())} | {', '.join(f'{s}: {n}' for s, n in sorted(c.items(), key=str))} |"
                     for kind, c in sorted(by_kind.items()))
    ok = fivexx == 0 and errors == 0 and growth < 0.10
    text = f"""{SECTION}

Run {time.strftime('%Y-%m-%d %H:%M')} UTC on {platform.node()} ({os.cpu_count()} CPUs, PostgreSQL
{psql(p, 'SHOW server_version')}), load average at the end {'{:.2f} {:.2f} {:.2f}'.format(*os.getloadavg())}.
Method: see the docstring of bench/soak.py — {args.clients} clients for {elapsed / 60:.1f} minutes over HTTPS
through Debian's nginx (the shipped site) to `onewindow serve` (2 workers × 4 threads) and a worker, on
PostgreSQL with Redis as the cache.

- requests: {total} ({total / elapsed:.1f}/s); 5xx: {fivexx}; connection errors: {errors}
- resident memory of the web processes: {baseline / 1024 if baseline else float('nan'):.1f} MB after the
  {args.warmup:.0f} s warm-up, {final / 1024:.1f} MB at the end: growth {growth * 100:.1f} % (target < 10 %)
- verdict: {'met' if ok else 'NOT met'}

| kind | requests | answers |
|---|---|---|
{rows}
"""
    print(text)
    if not args.no_docs:
        doc = DOCS.read_text() if DOCS.exists() else "# Performance\n"
        if SECTION in doc:
            a = doc.index(SECTION)
            b = doc.find("\n## ", a + len(SECTION))
            doc = doc[:a] + text.rstrip() + "\n" + (doc[b:] if b != -1 else "")
        else:
            doc = doc.rstrip() + "\n\n" + text
        DOCS.write_text(doc)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
