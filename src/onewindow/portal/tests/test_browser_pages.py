"""Every public and applicant page in a real browser, on a desktop and on a 390×844 phone.

Each page must answer 200, fit its viewport (no sideways scroll) and show no raw state or action
code; each is saved under test-artifacts/browser/. The outcomes a person reads are checked against
the database, computed here by hand (local times in Asia/Shanghai, the missing materials' names).
"""

from zoneinfo import ZoneInfo

import pytest

from onewindow.cases.models import BundleFiling, Case, State
from onewindow.core.testing.browser import assert_page_ok, open_page, page_problems, shot, visit

CITIZEN_ID = "110102199101010078"  # citizen1 (张三) in the demo data
GUIDE = "SZ-SCJG-XK-0004"  # 个体工商户设立登记: fully online
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _walk(page, paths: dict[str, str]) -> list[str]:
    problems = []
    for name, path in paths.items():
        visit(page, path)
        shot(page, f"{name}")
        problems += page_problems(page)
    return problems


def _local(dt) -> str:
    return dt.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_public_pages(browser, demo_site, viewport):
    page = open_page(browser, demo_site, viewport)
    problems = _walk(page, {
        "home": "/",
        "items": "/items/",
        "items-search": "/items/?q=%E8%90%A5%E4%B8%9A",
        "guide": f"/items/{GUIDE}/",
        "network": "/network/",
        "lists-power": "/lists/",
        "lists-responsibility": "/lists/?tab=responsibility",
        "lists-fees": "/lists/?tab=fees",
        "track": "/track/",
        "login": "/accounts/login/",
        "register": "/accounts/register/",
    })
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_tracking_pages(browser, demo_site, viewport):
    page = open_page(browser, demo_site, viewport)
    # a case waiting for materials: the state, the names of what to supplement, local times
    pending = Case.objects.filter(applicant_id=CITIZEN_ID, state=State.PENDING_MATERIALS).first()
    notice = pending.notices.order_by("-seq").first()
    visit(page, f"/track/?number={pending.number}&code={pending.query_code}")
    text = page.inner_text("main")
    assert "待补正" in text
    for item in notice.items:
        assert item["name"] in text, item
    for e in pending.events.all():
        assert _local(e.at) in text, (_local(e.at), text)
    assert "T0" not in text and "T1" not in text and "T2" not in text  # no ISO times
    assert_page_ok(page, "track-pending")

    # a concluded case: the decision and the date it was concluded
    done = Case.objects.filter(applicant_id=CITIZEN_ID, state__in=[State.CONCLUDED, State.DELIVERED]).first()
    visit(page, f"/track/?number={done.number}&code={done.query_code}")
    text = page.inner_text("main")
    assert {"approve": "准予", "deny": "不予"}[done.result] in text
    assert done.concluded_on.strftime("%Y-%m-%d") in text
    assert_page_ok(page, "track-concluded")

    # a bundle by its own number and query code: each part with its plain state
    filing = BundleFiling.objects.first()
    visit(page, f"/track/?number={filing.number}&code={filing.query_code}")
    text = page.inner_text("main")
    assert filing.bundle.name in text
    for c in filing.cases.all():
        assert c.item_version.name in text
    assert_page_ok(page, "track-bundle")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_applicant_pages(browser, demo_site, viewport):
    page = open_page(browser, demo_site, viewport, user="citizen1")
    pending = Case.objects.filter(applicant_id=CITIZEN_ID, state=State.PENDING_MATERIALS).first()
    done = Case.objects.filter(applicant_id=CITIZEN_ID, state__in=[State.CONCLUDED, State.DELIVERED]).first()
    problems = _walk(page, {
        "hall": "/hall/",
        "apply": f"/hall/apply/{GUIDE}/",
        "case-pending": f"/hall/cases/{pending.number}/",
        "case-done": f"/hall/cases/{done.number}/",
        "rate": f"/ratings/{done.number}/",
    })
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_pages_in_english(browser, demo_site, viewport):
    """The same pages in English: they fit, show no raw code, and the plain words are English."""
    pending = Case.objects.filter(applicant_id=CITIZEN_ID, state=State.PENDING_MATERIALS).first()
    done = Case.objects.filter(applicant_id=CITIZEN_ID, state__in=[State.CONCLUDED, State.DELIVERED]).first()
    page = open_page(browser, demo_site, viewport, lang="en")
    problems = _walk(page, {
        "en-home": "/",
        "en-items": "/items/",
        "en-guide": f"/items/{GUIDE}/",
        "en-lists-fees": "/lists/?tab=fees",
        "en-track-pending": f"/track/?number={pending.number}&code={pending.query_code}",
    })
    assert "Materials to supplement" in page.inner_text("main")
    assert "Awaiting supplement" in page.inner_text("main")
    applicant = open_page(browser, demo_site, viewport, user="citizen1", lang="en")
    problems += _walk(applicant, {"en-hall": "/hall/", "en-case-done": f"/hall/cases/{done.number}/"})
    steps = applicant.inner_text("ol.steps")
    assert "Accept" in steps and "受理" not in steps, steps
    assert not problems, "\n".join(problems)
