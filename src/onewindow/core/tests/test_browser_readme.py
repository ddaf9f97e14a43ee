"""The README's pictures, taken from the demo data (with some generated history) in a real browser
(desktop 1280×900 and a 390×844 phone). Every page is checked like any other (fits, no raw codes); with
ONEWINDOW_PUBLISH_SCREENSHOTS=1 the viewport shots are copied to docs/screenshots/."""

import os
import shutil

import pytest

from onewindow.cases.models import Case, State
from onewindow.core.testing.browser import ARTEFACTS, README_SHOTS, open_page, page_problems, visit

PUBLISH = os.environ.get("ONEWINDOW_PUBLISH_SCREENSHOTS") == "1"


def _take(page, path, name, problems):
    visit(page, path)
    if page.locator("canvas").count():  # the charts draw with an animation: let it finish
        page.wait_for_timeout(2000)
    problems += page_problems(page)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTEFACTS / f"readme-{name}.png"
    page.screenshot(path=str(out), timeout=60_000)
    if PUBLISH:
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, README_SHOTS / f"{name}.png")


@pytest.mark.django_db(transaction=True)
def test_readme_pictures(browser, demo_site):
    from django.core.management import call_command

    from onewindow.supervision.services import sweep

    # as `make run` shows a fresh centre: some generated history and one supervision sweep (a smaller
    # history than the demo's 12,000 cases keeps the test quick; the pictures look alike)
    call_command("generate", cases=2000, days=90, seed=90, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    sweep()
    problems: list[str] = []
    pending = Case.objects.filter(applicant_id="110102199101010078", state=State.PENDING_MATERIALS).first()
    track = f"/track/?number={pending.number}&code={pending.query_code}"

    public = open_page(browser, demo_site)
    public.set_viewport_size({"width": 1280, "height": 900})
    for path, name in [("/", "home"), ("/items/SZ-SCJG-XK-0004/", "guide"), ("/items/", "items"),
                       ("/network/", "network")]:
        _take(public, path, name, problems)
    english = open_page(browser, demo_site, lang="en")
    english.set_viewport_size({"width": 1280, "height": 900})
    _take(english, "/", "home-en", problems)

    for user, path, name in [("window1", "/window/", "window"), ("reviewer1", "/desk/", "desk")]:
        _take(open_page(browser, demo_site, user=user), path, name, problems)
    supervisor = open_page(browser, demo_site, user="supervisor1")  # signed in once: one TOTP code
    for path, name in [("/supervision/", "supervision"), ("/stats/", "stats")]:
        _take(supervisor, path, name, problems)
        assert "/accounts/2fa/" not in supervisor.url, supervisor.url

    phone = open_page(browser, demo_site, "phone")
    for path, name in [("/items/", "phone-items"), ("/items/SZ-SCJG-XK-0004/", "phone-guide"), (track, "phone-track")]:
        _take(phone, path, name, problems)
    _take(open_page(browser, demo_site, "phone", user="citizen1"), "/hall/", "phone-hall", problems)
    assert not problems, "\n".join(problems)
