"""`onewindow demo` creates what is missing and never changes what exists; `--reset` restores the demo
values; the demo has staff for every journey; `--history` adds generated history once."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from onewindow.accounts.models import User
from onewindow.agency.models import Project
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog import services as catalog_services
from onewindow.catalog import vocabulary
from onewindow.catalog.models import Department, ItemVersion, ServiceItem, Synonym
from onewindow.regions.models import Site

pytestmark = pytest.mark.django_db


def _demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_twice_keeps_the_administrators_edits_and_reset_restores_them():
    _demo()
    admin = User.objects.get(username="admin")
    item = ServiceItem.objects.get(code="SZ-SCJG-XK-0005")
    catalog_services.update_item(item, actor=admin, name="食品经营许可（管理员改名）", committed_days=1)
    centre = Site.objects.get(code="SZ-CENTRE")
    centre.phone = "0557-99999999"
    centre.save()
    clerk = User.objects.get(username="window1")
    clerk.display_name = "王小明"
    clerk.set_password("a-new-secret-1")
    clerk.save()
    vocabulary.save_synonym(term="社保", expansions="社会保障卡", actor=admin)
    versions = ItemVersion.objects.count()

    _demo()
    _demo()
    current = ItemVersion.objects.get(item=item, is_current=True)
    assert (current.name, current.committed_days, current.version) == ("食品经营许可（管理员改名）", 1, 2)
    assert ItemVersion.objects.count() == versions  # no version was added by the demo
    assert Site.objects.get(code="SZ-CENTRE").phone == "0557-99999999"
    clerk.refresh_from_db()
    assert clerk.display_name == "王小明" and clerk.check_password("a-new-secret-1")
    assert Synonym.objects.get(term="社保").expansions == "社会保障卡"

    _demo("--reset")
    current = ItemVersion.objects.get(item=item, is_current=True)
    assert (current.name, current.version) == ("食品经营许可", 3)  # restored as a new version
    assert current.committed_days == 3  # the demo file says 3 working days
    assert Site.objects.get(code="SZ-CENTRE").phone == "0557-12345"
    clerk.refresh_from_db()
    assert clerk.display_name == "综合窗口受理员一" and clerk.check_password("demo12345")
    assert "社会保险" in Synonym.objects.get(term="社保").expansions


def test_demo_has_staff_for_every_journey(settings):
    _demo()
    centre = Site.objects.get(code="SZ-CENTRE")
    window2 = User.objects.get(username="window2")
    assert (window2.role, window2.site, window2.window.number) == ("clerk", centre, "2")
    assert window2.window.hall.site == centre
    clerk_yq = User.objects.get(username="clerk_yq")
    agent = User.objects.get(username="agent1")
    assert clerk_yq.role == "clerk" and clerk_yq.site == agent.site and clerk_yq.window.hall.site == agent.site
    for dept in Department.objects.filter(items__versions__is_current=True).distinct():
        short = dept.code.removeprefix("SZ-").lower()
        assert User.objects.filter(username=f"reviewer_{short}", role="reviewer", department=dept).exists()
        assert User.objects.filter(username=f"approver_{short}", role="approver", department=dept).exists()
    assert authenticate(username="reviewer_gjj", password="demo12345") is not None

    # agent1's filing is accepted by the clerk of the town centre …
    filed = Case.objects.filter(data__demo_agency=True, state="submitted").first()
    assert filed is not None and filed.site == agent.site
    assert case_services.perform(filed.number, "accept", clerk_yq).state == "accepted"
    # … and a 公积金 case goes from window2 to the fund centre's reviewer and approver
    gjj = ItemVersion.objects.filter(is_current=True, item__department__code="SZ-GJJ", committed_days__gt=0,
                                     window_decides=False).order_by("item__code").first()
    case = case_services.file_case(
        item=gjj.item.code, channel="window", actor=window2,
        applicant={"kind": "person", "name": "张三", "id_number": "110102199101010078", "phone": "13800000001"},
        materials=[m.code for m in gjj.materials.all()])
    case_services.perform(case.number, "accept", window2)
    case_services.perform(case.number, "review", User.objects.get(username="reviewer_gjj"), {"opinion": "同意"})
    done = case_services.perform(case.number, "decide", User.objects.get(username="approver_gjj"),
                                 {"result": "approve"})
    assert done.state == "concluded"


def test_history_is_generated_once_and_can_be_switched_off(monkeypatch):
    from onewindow.core import demo_history
    from onewindow.supervision.models import Alert

    _demo()
    monkeypatch.setenv("ONEWINDOW_DEMO_HISTORY", "0")
    assert "skipped" in _demo("--history")
    assert not Case.objects.filter(data__generated=True).exists()
    monkeypatch.setenv("ONEWINDOW_DEMO_HISTORY", "400")
    out = _demo("--history")
    assert "history: 400 cases over 90 days" in out
    generated = Case.objects.filter(data__generated=True)
    assert generated.count() == 400
    assert generated.filter(state__in=["concluded", "delivered"]).exists()
    assert generated.filter(state__in=["accepted", "reviewed"]).exists()  # still open: the live board has work
    assert Alert.objects.exists()
    assert "already present" in _demo("--history")
    assert generated.count() == 400
    assert Project.objects.count() == 1  # the rest of the demo was not repeated
    assert demo_history.wanted_cases() == 400
