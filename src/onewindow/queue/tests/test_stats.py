"""Wait and service statistics on a small hand-built day (answers worked out by hand in the comments)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from onewindow.queue.models import Ticket
from onewindow.queue.stats import summary
from onewindow.queue.tests.factories import make_hall

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 2)


def t(h, m):
    return datetime.datetime(2026, 3, 2, h, m, tzinfo=SH)


def build_day(w):
    def make(seq, state, queued, called=None, started=None, ended=None, window=None, clerk=None, priority=""):
        return Ticket.objects.create(site=w.centre, queue=w.queue_a, day=DAY, seq=seq, number=f"A{seq:03d}",
                                     state=state, priority=priority, rank=0 if priority else 1, queued_at=queued,
                                     issued_at=queued, called_at=called, started_at=started, ended_at=ended,
                                     window=window, clerk=clerk)
    # T1 wait 10, service 10 at 01; T2 wait 20, service 20 at 02; T3 wait 30, no-show;
    # T4 (appointment) wait 1, service 30 at 01; T5 still waiting.
    make(1, "done", t(9, 0), t(9, 10), t(9, 11), t(9, 21), w.window, w.clerk)
    make(2, "done", t(9, 5), t(9, 25), t(9, 26), t(9, 46), w.window2, w.clerk2)
    make(3, "no_show", t(9, 10), t(9, 40), None, t(9, 45), w.window, w.clerk)
    make(4, "done", t(9, 20), t(9, 21), t(9, 22), t(9, 52), w.window, w.clerk, priority="appointment")
    make(5, "waiting", t(9, 30))


def test_hand_built_day():
    w = make_hall()
    build_day(w)
    s = summary([w.centre.pk], DAY, DAY)
    assert s["tickets"] == 5
    assert s["tickets_served"] == 3
    assert s["avg_wait_minutes"] == 15.25  # (10 + 20 + 30 + 1) / 4
    assert s["p90_wait_minutes"] == 30.0  # nearest rank ⌈0.9·4⌉ = 4th of 1, 10, 20, 30
    assert s["avg_service_minutes"] == 20.0  # (10 + 20 + 30) / 3
    assert s["appointment_share"] == 0.2  # 1 of 5
    assert s["no_show_rate"] == 0.25  # 1 of 4 called
    name = w.centre.name  # shown to people; the code stays for API callers
    assert s["per_window"] == [{"site": "SZ-CENTRE", "site_name": name, "window": "01", "served": 2},
                               {"site": "SZ-CENTRE", "site_name": name, "window": "02", "served": 1}]
    assert s["per_clerk"] == [{"clerk": "clerk", "served": 2}, {"clerk": "clerk2", "served": 1}]
    assert summary([w.other_site.pk], DAY, DAY)["tickets"] == 0


def test_stats_summary_api_has_the_hall_keys():
    w = make_hall()
    build_day(w)
    c = Client()
    c.force_login(w.supervisor)
    body = c.get("/api/v1/stats/summary?from=2026-03-01&to=2026-03-31").json()
    assert (body["queue_tickets"], body["queue_avg_wait_minutes"], body["queue_p90_wait_minutes"],
            body["queue_avg_service_minutes"], body["queue_no_show_rate"]) == (5, 15.25, 30.0, 20.0, 0.25)


def test_stats_page_shows_the_hall():
    w = make_hall()
    build_day(w)
    c = Client()
    c.force_login(w.supervisor)
    page = c.get("/stats/?from=2026-03-01&to=2026-03-31").content.decode()
    assert 'id="hall-stats"' in page and "15.25" in page and "25%" in page  # no-show rate 1 of 4


def test_excel_export_has_the_hall_sheet():
    import io

    from openpyxl import load_workbook

    w = make_hall()
    build_day(w)
    c = Client()
    c.force_login(w.supervisor)
    resp = c.get("/stats/export.xlsx?from=2026-03-01&to=2026-03-31")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content))["大厅排队"]
    rows = [tuple(v for v in r if v is not None) for r in ws.iter_rows(values_only=True)]
    rows = [r for r in rows if r]
    # the same hand-worked answers as test_hand_built_day
    assert rows[1:8] == [("取号量", 5), ("办结号数", 3), ("平均等候（分钟）", 15.25), ("90% 等候不超过（分钟）", 30),
                         ("平均办理（分钟）", 20), ("预约占比", 0.2), ("过号率", 0.25)]
    assert rows[8] == ("日期", "取号量", "办结号数", "平均等候（分钟）", "平均办理（分钟）", "过号率")
    assert rows[9] == ("2026-03-02", 5, 3, 15.25, 20, 0.25)  # one day: the period's figures
    assert rows[10:13] == [("服务场所", "窗口", "办结号数"), ("SZ-CENTRE", "01", 2), ("SZ-CENTRE", "02", 1)]
    assert rows[13:] == [("工作人员", "办结号数"), ("clerk", 2), ("clerk2", 1)]
    assert ws["B8"].number_format == "0.0%" and ws["B4"].number_format == "0.00"
