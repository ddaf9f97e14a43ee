"""The shipped nginx site (deploy/nginx/onewindow.conf) in front of a real `onewindow serve`, with a
self-signed certificate, all on loopback: HTTPS redirect, static files from disk, the upload limit,
and the client address forwarded and believed only from the trusted proxy.

Needs Debian's nginx and openssl (scripts/system-deps.sh installs nginx; CI sets REQUIRE_NGINX=1).
"""

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from onewindow.cases.tests.factories import make_world

from .servers import https_request, nginx_in_front, serve


@pytest.fixture
def nginx_binary():
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None or shutil.which("openssl") is None:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail("nginx or openssl is not installed (scripts/system-deps.sh)")
        pytest.skip("nginx is not installed (scripts/system-deps.sh installs it)")
    return binary


@pytest.mark.django_db(transaction=True)
def test_nginx_in_front_of_the_platform(nginx_binary):
    make_world()
    folder = Path(tempfile.mkdtemp(prefix="ow-nginx-"))
    os.chmod(folder, 0o755)
    static_root = folder / "static"
    db = settings.DATABASES["default"]
    env = {"ONEWINDOW_TRUSTED_PROXIES": "127.0.0.1", "ONEWINDOW_TASKS": "immediate",
           "ONEWINDOW_VAR_DIR": str(folder)}
    if db["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    subprocess.run([str(Path(sys.executable).parent / "onewindow"), "collectstatic", "--noinput", "-v", "0"],
                   env={**os.environ, **env}, check=True)
    assert (static_root / "onewindow").is_dir()
    with serve(env) as app_port, nginx_in_front(nginx_binary, app_port, static_root, folder) as (http_port, https_port):
        # Plain HTTP is sent to HTTPS.
        conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        conn.request("GET", "/items/", headers={"Host": "localhost"})
        resp = conn.getresponse()
        assert resp.status == 301 and resp.getheader("Location") == f"https://localhost:{https_port}/items/"
        conn.close()
        # Pages through the proxy.
        status, _, body = https_request(https_port, "GET", "/items/", headers={"Host": "localhost"})
        assert status == 200 and "<html" in body.decode()
        # Static files come from disk, with nginx's caching headers.
        css = next((static_root / "onewindow").glob("*.css"))
        status, headers, body = https_request(https_port, "GET", f"/static/onewindow/{css.name}", headers={"Host": "localhost"})
        assert status == 200 and body == css.read_bytes()
        assert headers.get("Cache-Control") == "public, max-age=86400" and headers.get("Server", "").startswith("nginx")
        # A body larger than an application's uploads is refused by nginx itself.
        status, _, _ = https_request(https_port, "POST", "/hall/apply/X/", body=b"x" * (61 * 1024 * 1024),
                              headers={"Host": "localhost", "Content-Type": "application/octet-stream"})
        assert status == 413
        # The client address: nginx forwards the peer's (a second loopback address here), the platform
        # believes it from the trusted proxy, so one client's failed lookups do not limit another's.
        for i in range(20):
            status, _, _ = https_request(https_port, "GET", f"/api/v1/track/3413002026030200{i:04d}?code=W",
                                  source="127.0.0.2", headers={"Host": "localhost", "X-Forwarded-For": "203.0.113.9"})
            assert status == 404
        status, _, _ = https_request(https_port, "GET", "/api/v1/track/34130020260302009999?code=W", source="127.0.0.2",
                              headers={"Host": "localhost"})
        assert status == 429
        status, _, _ = https_request(https_port, "GET", "/api/v1/track/34130020260302009999?code=W", source="127.0.0.3",
                              headers={"Host": "localhost", "X-Forwarded-For": "127.0.0.2"})
        assert status == 404  # another client, even one that claims to be the first
    shutil.rmtree(folder, ignore_errors=True)
