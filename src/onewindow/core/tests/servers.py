"""A real `onewindow serve` in a subprocess, on a free loopback port, for tests that need a second
process (a replica router, a connection pooler, a proxy in front)."""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict, *, workers: int = 1, threads: int = 2, limit: float = 60.0):
    """Start the platform with `env` added to this process's environment; yield its port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from onewindow.cli import main; main()", "serve", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        end = time.monotonic() + limit
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
            try:
                status, _, _ = request(port, "GET", "/api/v1/workdays/due?start=2026-03-02&days=1")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > end:
                raise RuntimeError("server did not answer in time")
            time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def request(port: int, method: str, path: str, body=None, headers: dict | None = None):
    """(status, parsed JSON or None, response headers) of one HTTP request to 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    conn.request(method, path, body=data, headers={**hdrs, **(headers or {})})
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return resp.status, parsed, dict(resp.getheaders())
