"""A real `onewindow serve` in a subprocess, on a free loopback port, for tests that need a second
process (a replica router, a connection pooler, nginx in front, the soak benchmark)."""

import contextlib
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

SITE = Path(__file__).resolve().parents[4] / "deploy" / "nginx" / "onewindow.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict, *, workers: int = 1, threads: int = 2, limit: float = 60.0, procs: list | None = None):
    """Start the platform with `env` added to this process's environment; yield its port (and append
    the server process to `procs` when given)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from onewindow.cli import main; main()", "serve", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    if procs is not None:
        procs.append(proc)
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


def https_request(port, method, path, body=None, source="127.0.0.1", headers=None):
    """(status, headers, body) of one HTTPS request to 127.0.0.1:port (any certificate), sent from the
    loopback address `source`."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=ctx, source_address=(source, 0))
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


@contextlib.contextmanager
def nginx_in_front(binary: str, app_port: int, static_root: Path, folder: Path, *, workers: int = 1):
    """Debian's nginx with the shipped site (deploy/nginx/onewindow.conf) and a self-signed certificate,
    on two free loopback ports, in front of the platform on `app_port`; yields (http_port, https_port).
    `folder` (world-readable) holds the configuration, certificate, logs and temporary files."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    http_port, https_port = free_port(), free_port()
    site = (SITE.read_text().replace("@SERVER_NAME@", "localhost").replace("@HTTP_PORT@", f"127.0.0.1:{http_port}")
            .replace("@HTTPS_PORT@", str(https_port)).replace("@UPSTREAM@", f"127.0.0.1:{app_port}")
            .replace("@STATIC_ROOT@", str(static_root)).replace("@CERT@", str(folder / "cert.pem"))
            .replace("@KEY@", str(folder / "key.pem")))
    site = site.replace(f"listen {https_port} ssl", f"listen 127.0.0.1:{https_port} ssl")
    (folder / "site.conf").write_text(site)
    for sub in ("body", "proxy", "logs"):
        (folder / sub).mkdir(exist_ok=True)
        os.chmod(folder / sub, 0o777)
    user = "user root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(f"""{user}
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/logs/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/site.conf;
}}
""")
    proc = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > end:
                    raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()}") from None
                time.sleep(0.1)
        yield http_port, https_port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
