from datetime import date

import pytest

from onewindow.accounts.models import User
from onewindow.audit.models import AuditEntry
from onewindow.workdays.models import CalendarDay, CalendarYear
from onewindow.workdays.selectors import add_workdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("wd-admin", "wd@example.com", "secret-pass-1", role="admin")
    client.force_login(user)
    return client


def test_changelist_and_filters(admin_client):
    r = admin_client.get("/admin/workdays/calendarday/", {"kind": "makeup", "date__year": "2026"})
    assert r.status_code == 200
    assert r.context["cl"].result_count == 6  # 1/4 2/14 2/28 5/9 9/20 10/10
    r = admin_client.get("/admin/workdays/calendaryear/")
    assert r.status_code == 200


def test_edit_day_in_admin_goes_through_set_day(admin_client):
    url = "/admin/workdays/calendarday/2026-10-09/change/"
    assert admin_client.get(url).status_code == 200
    r = admin_client.post(url, {"kind": "holiday", "name": "国庆节"})
    assert r.status_code == 302
    day = CalendarDay.objects.get(date=date(2026, 10, 9))
    assert (day.kind, day.is_workday, day.name) == ("holiday", False, "国庆节")
    assert add_workdays(date(2026, 9, 30), 4) == (date(2026, 10, 13), False)
    assert AuditEntry.objects.get(action="workdays.set_day").actor_name == "wd-admin"


def test_admin_rejects_makeup_on_a_weekday(admin_client):
    url = "/admin/workdays/calendarday/2026-10-09/change/"
    r = admin_client.post(url, {"kind": "makeup", "name": ""})
    assert r.status_code == 200  # form redisplayed with the error
    assert "周一至周五" in r.content.decode()
    assert CalendarDay.objects.get(date=date(2026, 10, 9)).kind == "workday"


def test_confirm_year_in_admin(admin_client):
    r = admin_client.post("/admin/workdays/calendaryear/2027/change/",
                          {"confirmed": "on", "source": "国务院办公厅关于2027年部分节假日安排的通知"})
    assert r.status_code == 302
    assert CalendarYear.objects.get(year=2027).confirmed is True
    assert not CalendarDay.objects.filter(date__year=2027, provisional=True).exists()
