"""Helpers for the real-browser tests: Debian's Chromium driven by Playwright (sync API).

The browser is the system one (/usr/bin/chromium, installed by scripts/system-deps.sh);
Playwright never downloads a browser here. A missing browser or Playwright makes the test
fail with a message saying what to install — it is never skipped.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
REPO_ROOT = Path(__file__).resolve().parents[4]
ARTEFACTS = REPO_ROOT / "test-artifacts" / "journey"
README_SHOTS = REPO_ROOT / "docs" / "screenshots"
PASSWORD = "demo12345"


def require_chromium() -> str:
    """The system Chromium's path; fails the test (not skip) when it is not installed."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/system-deps.sh "
                    "(installs Debian's chromium package) and rerun the tests.", pytrace=False)
    return CHROMIUM


@contextmanager
def chromium():
    """Yield a headless system Chromium (a Playwright Browser); closed afterwards."""
    path = require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        pytest.fail("Python package playwright is missing: .venv/bin/pip install -e '.[test]' "
                    "(do not run `playwright install`; the system Chromium is used).", pytrace=False)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, base_url: str):
    """A page in a fresh context (own cookies: one per user), Chinese locale, 1280×800."""
    context = browser.new_context(base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=VIEWPORT, extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    context.set_default_timeout(15_000)
    return context.new_page()


def login(page, username: str, password: str = PASSWORD, next_url: str = "/"):
    """Log in through the real login form and land on next_url."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"login as {username} failed: still on {page.url}"


def shot(page, step: str) -> Path:
    """Save a screenshot of the viewport as test-artifacts/journey/<step>.png."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{step}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def publish(steps: dict[str, str]) -> None:
    """Copy selected artefacts to docs/screenshots/journey-<name>.png for the README."""
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    for artefact, name in steps.items():
        shutil.copyfile(ARTEFACTS / f"{artefact}.png", README_SHOTS / f"journey-{name}.png")
