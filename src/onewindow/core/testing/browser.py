"""The real-browser harness: Debian's Chromium driven by Playwright against the live app.

Registered for the whole suite as a pytest plugin (src/conftest.py), so any test can use:

* fixture ``browser`` — one headless system Chromium per test module;
* fixture ``demo_site`` — the live server's URL with the full demo data loaded (``onewindow demo``);
* ``open_page(browser, base_url, "desktop" | "phone", user=None)`` — a page in a fresh context
  (its own cookies), Chinese by default, at 1280×800 or 390×844, logged in as ``user`` if given;
* ``visit(page, path)`` → the response, after checking its status;
* ``page_problems(page)`` / ``assert_page_ok(page, name)`` — the page fits its viewport
  (``document.documentElement.scrollWidth <= innerWidth``, i.e. no sideways scroll), shows no raw
  state or action code (RAW_CODES) nor catalogue code (SZ-…, M01), and is saved as ``test-artifacts/browser/<name>.png``.

The browser is the system one (/usr/bin/chromium, installed by scripts/system-deps.sh); Playwright
never downloads a browser. A missing browser or Playwright fails the test — it is never skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import time
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
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    # a 390×844 phone (iPhone 12–14 class): touch, mobile meta-viewport handling
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 1},
}
LANGUAGES = {"zh": ("zh-CN", "zh-CN,zh;q=0.9"), "en": ("en-US", "en-US,en;q=0.9")}
PASSWORD = "demo12345"
REPO_ROOT = Path(__file__).resolve().parents[4]
ARTEFACTS = REPO_ROOT / "test-artifacts" / "browser"
README_SHOTS = REPO_ROOT / "docs" / "screenshots"

# Codes that must never reach a person. Codes with an underscore, and an arrow between two codes
# (`file → submitted`), are wrong in any language; in Chinese pages, any of the lower-case codes
# standing as a word is a raw code (English pages may use "submitted" or "review" as words).
STATE_CODES = ("submitted", "pending_materials", "accepted", "reviewed", "suspended", "concluded",
               "delivered", "rejected", "withdrawn", "terminated", "revoked")
ACTION_CODES = ("file", "notice", "supplement", "accept", "reject", "review", "decide", "suspend",
                "resume", "extend", "deliver", "withdraw", "verify", "notice_refused")
OTHER_CODES = ("approve", "deny", "provided", "missing", "faulty", "prereview", "pending_review")
RAW_CODES = STATE_CODES + ACTION_CODES + OTHER_CODES
_ALL = "|".join(RAW_CODES)
_ANY_LANGUAGE = re.compile(r"\b(?:" + "|".join(c for c in RAW_CODES if "_" in c) + r")\b")
_ARROW = re.compile(r"\b(?:" + _ALL + r")\s*(?:→|->)\s*(?:" + _ALL + r")\b")
_IN_CHINESE = re.compile(r"(?<![A-Za-z0-9_./-])(?:" + _ALL + r")(?![A-Za-z0-9_./-])")
# Catalogue codes, wrong in any language: items (SZ-SCJG-XK-0001), departments (SZ-SCJG), agency points
# (BM-341302001), 一件事 bundles (YJS-KBQY) and materials (M01). A page that shows one on purpose, as a
# labelled reference (the guide's 事项编码), marks that element `data-reference`; its text is not checked.
_CATALOGUE = re.compile(r"(?<![A-Za-z0-9_./=-])(?:(?:SZ|BM|YJS)-[A-Z0-9]+(?:-[A-Z0-9]+)*|M\d{2})(?![A-Za-z0-9_./-])")


def require_chromium() -> str:
    """The system Chromium's path; fails the test (not skip) when it is not installed."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/system-deps.sh "
                    "(installs Debian's chromium package) and rerun the tests.", pytrace=False)
    return CHROMIUM


@contextmanager
def chromium():
    """Yield a headless system Chromium (a Playwright Browser); closed afterwards.

    Playwright's sync API keeps an event loop on this thread; Django's ORM calls made meanwhile
    (in the test body, the live server runs its own thread) are plain synchronous calls, so the
    async-safety check is relaxed while the browser is open."""
    path = require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        pytest.fail("Python package playwright is missing: .venv/bin/pip install -e '.[test]' "
                    "(do not run `playwright install`; the system Chromium is used).", pytrace=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the test module."""
    with chromium() as b:
        yield b


@pytest.fixture
def demo_site(live_server, settings, tmp_path):
    """The live server's base URL, with the whole demo data loaded as `onewindow demo` loads it
    (uploads go to a temporary media folder)."""
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    return live_server.url


def open_page(browser, base_url: str, viewport: str = "desktop", user: str | None = None, lang: str = "zh"):
    """A page in a fresh context (its own cookies), in Asia/Shanghai, at the named viewport."""
    locale, accept = LANGUAGES[lang]
    context = browser.new_context(base_url=base_url, locale=locale, timezone_id="Asia/Shanghai",
                                  extra_http_headers={"Accept-Language": accept}, **VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.ow_viewport = viewport  # for the checks and the screenshot names
    page.ow_lang = lang
    if user:
        login(page, user)
    return page


def login(page, username: str, password: str = PASSWORD, next_url: str = "/"):
    """Log in through the real login form and land on next_url. The demo's `admin` and `supervisor1`
    are then asked for their second factor: the code of the demo's published TOTP key is typed in,
    as a person with the authenticator app would."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/accounts/login/" not in page.url, f"login as {username} failed: still on {page.url}"
    for _attempt in range(2):
        if "/accounts/2fa/verify/" not in page.url:
            break
        if _attempt:  # a code is accepted once: the same user signed in again within its 30 s step
            time.sleep(30.5 - time.time() % 30)
        page.fill("input[name=token]", demo_totp())
        with page.expect_navigation():
            page.click("form button[type=submit]")
    assert "/accounts/2fa/" not in page.url, f"second factor for {username} refused: {page.url}"


def demo_totp() -> str:
    """The current code of the demo's published TOTP key (accounts.twofactor.DEMO_KEY_HEX)."""
    from django_otp.oath import totp

    from onewindow.accounts.twofactor import DEMO_KEY_HEX

    return f"{totp(bytes.fromhex(DEMO_KEY_HEX)):06d}"


def visit(page, path: str, status: int = 200):
    """Go to `path` and check the HTTP status of the page itself."""
    response = page.goto(path)
    assert response is not None and response.status == status, (
        f"{path}: HTTP {response.status if response else None}, expected {status}")
    return response


def width(page) -> tuple[int, int]:
    """(document scroll width, the viewport's width) in CSS pixels."""
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    # On a phone a too-wide page can widen the layout viewport itself; the device width is the bar.
    return scroll, min(inner, page.viewport_size["width"])


def raw_codes(text: str, lang: str = "zh") -> list[str]:
    """The raw codes found in a page's visible text."""
    found = _ANY_LANGUAGE.findall(text) + _ARROW.findall(text) + _CATALOGUE.findall(text)
    if lang == "zh":
        found += _IN_CHINESE.findall(text)
    return sorted(set(found))


def shown_text(page) -> str:
    """The page's visible text without the elements marked `data-reference` (labelled identifiers)."""
    text, refs = page.evaluate(
        "[document.body.innerText, [...document.querySelectorAll('[data-reference]')].map(e => e.innerText)]")
    for ref in refs:
        text = text.replace(ref, "")
    return text


def page_problems(page) -> list[str]:
    """What is wrong with the page as shown: sideways scroll, raw codes."""
    problems = []
    scroll, inner = width(page)
    if scroll > inner:
        problems.append(f"{page.url}: {scroll} px wide in a {inner} px viewport")
    codes = raw_codes(shown_text(page), getattr(page, "ow_lang", "zh"))
    if codes:
        problems.append(f"{page.url}: raw codes in the text: {', '.join(codes)}")
    return problems


def shot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot as test-artifacts/browser/<name>-<viewport>.png."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}-{getattr(page, 'ow_viewport', 'page')}.png"
    page.screenshot(path=str(path), full_page=full_page, timeout=60_000)
    return path


def assert_page_ok(page, name: str) -> None:
    """Screenshot the page, then fail with every problem found on it."""
    shot(page, name)
    problems = page_problems(page)
    assert not problems, "\n".join(problems)


def publish(name: str, target: str) -> None:
    """Copy test-artifacts/browser/<name>.png to docs/screenshots/<target>.png (README pictures)."""
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTEFACTS / f"{name}.png", README_SHOTS / f"{target}.png")
