"""The production profile (ONEWINDOW_HTTPS=1), the generated development secret, the CSP on
every page and the (the client address helper is core.clients, tested with tracking). The profile is a fresh process each time:
settings are read once, at start."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

PACKAGE = Path(__file__).resolve().parents[2]
ONEWINDOW = [sys.executable, "-m", "onewindow.cli"]
PUBLIC_STRING = "onewindow-dev-only-secret-change-me-in-production"


def _run(args, tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("ONEWINDOW_") and k != "DATABASE_URL"}
    base.update(ONEWINDOW_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="onewindow.conf.settings", **env)
    return subprocess.run([*ONEWINDOW, *args] if args[0] != "shell" else [*ONEWINDOW, "shell", "--no-imports", *args[1:]], env=base, capture_output=True, text=True, timeout=120)


def test_the_profile_refuses_to_start_without_a_secret_key(tmp_path):
    done = _run(["check"], tmp_path, ONEWINDOW_HTTPS="1")
    assert done.returncode != 0
    assert "ONEWINDOW_SECRET_KEY" in done.stderr
    assert not (tmp_path / "secret_key").exists()


def test_check_deploy_is_silent_under_the_profile(tmp_path):
    done = _run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, ONEWINDOW_HTTPS="1",
                ONEWINDOW_SECRET_KEY="k" + "x7Q2-vP9_zR4mT8wL1nB6cY3hJ5sD0fG" * 2)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_warns_outside_the_profile(tmp_path):
    done = _run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert done.returncode != 0  # the profile is what makes it pass
    assert "security.W004" in done.stderr + done.stdout  # no HSTS


def test_the_profile_settings(tmp_path):
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")
    done = _run(["shell", "-c", code], tmp_path, ONEWINDOW_HTTPS="1", ONEWINDOW_SECRET_KEY="s" * 60)
    assert done.stdout.strip() == "True True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')", done.stderr
    done = _run(["shell", "-c", code], tmp_path)
    assert done.stdout.strip().startswith("False False True False"), done.stderr


def test_outside_the_profile_a_secret_is_generated_once_into_var(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _run(["shell", "-c", code], tmp_path).stdout.strip()
    second = _run(["shell", "-c", code], tmp_path).stdout.strip()
    assert first == second == (tmp_path / "secret_key").read_text().strip()
    assert len(first) >= 50 and first != PUBLIC_STRING
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert PUBLIC_STRING not in (PACKAGE / "conf" / "settings.py").read_text()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/items/", "/track/", "/accounts/login/", "/api/v1/items", "/admin/login/"])
def test_every_page_has_a_csp_without_inline_script(url):
    resp = Client().get(url)
    csp = resp["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_no_template_holds_an_inline_script():
    offenders = []
    for path in PACKAGE.rglob("templates/**/*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.relative_to(PACKAGE)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", path.read_text()):
            offenders.append(f"{path.relative_to(PACKAGE)}: inline event handler")
    assert offenders == []


@pytest.mark.django_db
def test_the_profile_redirects_to_https_and_trusts_the_proxy_header(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    resp = Client().get("/items/")
    assert resp.status_code == 301 and resp["Location"] == "https://testserver/items/"
    resp = Client().get("/items/", HTTP_X_FORWARDED_PROTO="https")
    assert resp.status_code == 200 and resp["Strict-Transport-Security"].startswith("max-age=3600")
