"""summary(), daily(), by_department() on the hand-built March 2026 world (see world.py)."""

import datetime

import pytest

from onewindow.catalog.models import Department, ItemVersion
from onewindow.stats import rollup, selectors

from .world import build

pytestmark = pytest.mark.django_db
D = datetime.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))


@pytest.fixture
def w():
    return build()


def _refresh():
    """What the page and the API do before reading: bring the rollups up to date (stats.rollup)."""
    rollup.ensure_fresh()


def test_world_is_what_the_table_says(w):
    c = w.cases
    assert [c[k].actual_workdays for k in "ABCDH"] == [2, 7, 0, 12, 0]
    assert [c[k].due_date for k in "ABCDH"] == [D(2026, 3, 9), D(2026, 3, 9), D(2026, 3, 3), D(2026, 3, 18),
                                                D(2026, 3, 6)]
    assert c["C"].state == "delivered" and c["I"].state == "accepted" and c["F"].state == "submitted"
    assert c["H"].region_code == "341302001" and c["A"].region_code == "341300"


def test_march_summary_worked_by_hand(w):
    _refresh()
    s = selectors.summary(*MARCH)
    # received in March (local submission day): A B C D E F H I = 8 (G is 04-01 00:10)
    assert s["received"] == 8
    # accepted_on in March: A B C D H I = 6
    assert s["accepted"] == 6
    # concluded_on in March in concluded/delivered: A B C D H = 5
    assert s["concluded"] == 5
    # completion: of the 6 accepted, concluded by 03-31: A B C D H = 5 → 5/6
    assert s["completion_rate"] == round(5 / 6, 4) == 0.8333
    # on time: A (03-04 ≤ 03-09), C (03-03 ≤ 03-03), H (03-06 ≤ 03-06); B and D late → 3/5
    assert s["on_time_rate"] == 0.6
    # committed over accepted: A5 B5 C0 D10 H0 I5 = 25 / 6 = 4.1667
    assert s["avg_committed_days"] == 4.17
    # statutory over accepted: 20+20+5+60+5+20 = 130 / 6 = 21.67
    assert s["avg_statutory_days"] == 21.67
    # speed-up: 1 - 25/130 = 105/130 = 0.80769
    assert s["speedup_rate"] == 0.8077
    # actual over concluded: 2+7+0+12+0 = 21 / 5 = 4.2
    assert s["avg_actual_days"] == 4.2
    # instant (committed 0) among received: C, H → 2/8
    assert s["instant_share"] == 0.25
    # online among received: E → 1/8
    assert s["online_share"] == 0.125
    # no ratings were given: no satisfaction rate (not zero)
    assert s["satisfaction_rate"] is None


def test_catalogue_rates(w):
    # 2 departments of the world, both stationed, plus one not stationed → 2/3
    Department.objects.create(code="SZ-X", name="市某局", region=w.city, stationed=False)
    # 3 current items; authorise the police item to decide at the window → 1/3
    ItemVersion.objects.filter(pk=w.police_item.pk).update(window_decides=True)
    _refresh()
    s = selectors.summary(*MARCH)
    assert s["stationed_department_rate"] == 0.6667
    assert s["stationed_rate"] == s["stationed_item_rate"] == 1.0
    assert s["window_authorised_rate"] == 0.3333


def test_region_filter(w):
    _refresh()
    s = selectors.summary(*MARCH, region="341302")
    # only H was received at the township station under 341302
    assert (s["received"], s["accepted"], s["concluded"]) == (1, 1, 1)
    assert s["on_time_rate"] == 1.0 and s["avg_actual_days"] == 0.0 and s["completion_rate"] == 1.0
    city = selectors.summary(*MARCH, region="341300")
    assert city["received"] == 8
    other = selectors.summary(*MARCH, region="341500")
    assert (other["received"], other["completion_rate"], other["on_time_rate"]) == (0, None, None)


def test_department_and_item_filters(w):
    _refresh()
    s = selectors.summary(*MARCH, department="SZ-GA")
    # dept2 (police): D only in March (G is April)
    assert (s["received"], s["accepted"], s["concluded"], s["on_time_rate"]) == (1, 1, 1, 0.0)
    assert s["avg_actual_days"] == 12.0
    s = selectors.summary(*MARCH, item="SCJG-QR-0002")
    # instant item: C and H, both on time, 0 days
    assert (s["received"], s["concluded"], s["on_time_rate"], s["instant_share"]) == (2, 2, 1.0, 1.0)


def test_period_boundary_late_evening_counts_in_its_local_day(w):
    # F was filed 2026-03-31 23:30 Asia/Shanghai (15:30 UTC): March, not April
    _refresh()
    assert selectors.summary(D(2026, 3, 31), D(2026, 3, 31))["received"] == 1
    # April: only G (04-01 00:10 local, which is still 03-31 in UTC)
    assert selectors.summary(D(2026, 4, 1), D(2026, 4, 30))["received"] == 1
    days = {d["date"]: d for d in selectors.daily(D(2026, 3, 30), D(2026, 4, 1))}
    assert days["2026-03-31"]["received"] == 1 and days["2026-04-01"]["received"] == 1
    assert days["2026-03-30"]["received"] == 1  # I


def test_daily_series(w):
    _refresh()
    days = selectors.daily(*MARCH)
    assert len(days) == 31
    by = {d["date"]: (d["received"], d["concluded"]) for d in days}
    assert by["2026-03-02"] == (2, 0)  # A, B filed
    assert by["2026-03-03"] == (1, 1)  # C filed and concluded
    assert by["2026-03-20"] == (0, 1)  # D concluded
    assert sum(d["received"] for d in days) == 8 and sum(d["concluded"] for d in days) == 5


def test_by_department(w):
    _refresh()
    rows = {r["department"]: r for r in selectors.by_department(*MARCH)}
    # 市市场监督管理局: received A B C E F H I = 7; concluded A B C H = 4
    assert (rows["市市场监督管理局"]["received"], rows["市市场监督管理局"]["concluded"]) == (7, 4)
    assert (rows["市公安局"]["received"], rows["市公安局"]["concluded"]) == (1, 1)


def test_actual_days_fall_back_to_calendar_ordinals(w):
    # Wipe the stored figure of B: (03-02, 03-11] has 7 working days from the ordinals, suspended 0
    from onewindow.cases.models import Case

    Case.objects.filter(pk=w.cases["B"].pk).update(actual_workdays=None)
    _refresh()
    assert selectors.summary(*MARCH)["avg_actual_days"] == 4.2


def test_satisfaction_from_ratings(w):
    from django.utils import timezone

    from onewindow.ratings.models import Rating

    for key, level in (("A", 5), ("B", 3), ("C", 2), ("D", 1), ("H", 4), ("G", 5)):
        case = w.cases[key]
        Rating.objects.create(case=case, level=level, channel="window", rated_at=timezone.now(),
                              department=case.department, region_code=case.region_code)
    # ratings of cases concluded in March: A 5, B 3, C 2, D 1, H 4 (G is not concluded)
    # 好评 = level ≥ 3 (基本满意 or better): A B H = 3 of 5 → 0.6
    _refresh()
    s = selectors.summary(*MARCH)
    assert s["ratings"] == 5 and s["satisfaction_rate"] == 0.6
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3)}
    # 市场监管 A5 B3 C2 H4 → 3/4 = 0.75; 公安 D1 → 0/1 = 0.0
    assert rows["市市场监督管理局"]["satisfaction_rate"] == 0.75 and rows["市公安局"]["satisfaction_rate"] == 0.0
    # one department: 市场监管 only → 0.75; the county (341302): H 4 → 1/1
    assert selectors.summary(*MARCH, department=w.dept.code)["satisfaction_rate"] == 0.75
    assert selectors.summary(*MARCH, region="341302")["satisfaction_rate"] == 1.0


def test_no_ratings_means_no_satisfaction_rate(w):
    _refresh()
    s = selectors.summary(*MARCH)
    assert s["ratings"] == 0 and s["satisfaction_rate"] is None
