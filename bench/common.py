"""Helpers shared by the benchmarks: logging and loopback-only PostgreSQL command lines."""

import time
import urllib.parse


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
