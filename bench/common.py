"""Helpers shared by the benchmarks: logging, loopback-only PostgreSQL command lines, the server subprocess."""

import http.client
import subprocess
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pg_parts(url):
    """Host, port, user and database of a postgres:// URL; refuses anything but loopback."""
    u = urllib.parse.urlparse(url)
    host = u.hostname or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a non-loopback database host: {host}")
    return {"host": "127.0.0.1" if host == "localhost" else host, "port": str(u.port or 5432),
            "user": u.username or "postgres", "db": u.path.lstrip("/")}


def pg_cmd(tool, p, *args):
    return [tool, "-h", p["host"], "-p", p["port"], "-U", p["user"], *args]


def wait_ready(port, proc, limit=60.0):
    """Wait until the server subprocess `proc` answers on 127.0.0.1:port."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with code {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/api/v1/workdays/")
            c.getresponse().read()
            c.close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer within {limit:.0f} s")


def stop(proc, grace=15.0):
    """Stop the server subprocess: TERM, then KILL if it has not exited within `grace` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# ---------------------------------------------------------------- the large generated database


def psql(p, sql):
    out = subprocess.run(pg_cmd("psql", p, "-At", "-c", sql, p["db"]), capture_output=True, text=True, check=False)
    return out.stdout.strip() if out.returncode == 0 else None


def generated_count(p):
    raw = psql(p, "SELECT count(*) FROM cases_case WHERE data @> '{\"generated\": true}'")
    return int(raw) if raw and raw.isdigit() else None


def onewindow(env, *args, quiet=False):
    t0 = time.monotonic()
    subprocess.run([str(BIN / "onewindow"), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL if quiet else None)
    log(f"onewindow {' '.join(args)}: {time.monotonic() - t0:.1f}s")
    return time.monotonic() - t0


def build(p, env, cases):
    """Drop, recreate and fill the database; returns the seconds spent generating."""
    subprocess.run(pg_cmd("dropdb", p, "--if-exists", "--force", p["db"]), check=True)
    subprocess.run(pg_cmd("createdb", p, p["db"]), check=True)
    onewindow(env, "migrate", "--noinput", "-v", "0")
    onewindow(env, "demo", quiet=True)
    onewindow(env, "generate_items", "--total", "1057", quiet=True)
    return onewindow(env, "generate", "--cases", str(cases), "--seed", "1")
