"""Helpers for the citizen journey test (the shared harness is onewindow.core.testing.browser).

The browser is the system one (/usr/bin/chromium, installed by scripts/system-deps.sh);
Playwright never downloads a browser here. A missing browser or Playwright makes the test
fail with a message saying what to install — it is never skipped.
"""

import shutil
from pathlib import Path

from onewindow.core.testing.browser import PASSWORD, chromium, login  # noqa: F401 - re-exported for the journeys

VIEWPORT = {"width": 1280, "height": 800}
REPO_ROOT = Path(__file__).resolve().parents[4]
ARTEFACTS = REPO_ROOT / "test-artifacts" / "journey"
README_SHOTS = REPO_ROOT / "docs" / "screenshots"


def new_page(browser, base_url: str):
    """A page in a fresh context (own cookies: one per user), Chinese locale, 1280×800."""
    context = browser.new_context(base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=VIEWPORT, extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    context.set_default_timeout(15_000)
    return context.new_page()


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
