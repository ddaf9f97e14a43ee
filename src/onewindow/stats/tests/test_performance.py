"""Performance scores and the monthly ranking on the March 2026 world (see world.py)."""

import pytest

from onewindow.cases.tests.factories import at
from onewindow.ratings import services as ratings
from onewindow.ratings.models import Rectification
from onewindow.stats import rollup, scoring, selectors

from .world import build

pytestmark = pytest.mark.django_db


def _built():
    """The March world with the rollups brought up to date, as the page and the API read it."""
    w = build()
    rollup.ensure_fresh()
    return w


def test_department_ranking_worked_by_hand():
    _built()
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3)}
    scjg, ga = rows["市市场监督管理局"], rows["市公安局"]
    # 市场监管: accepted A B C H I = 5; concluded A B C H = 4; on time A C H = 3/4
    assert (scjg["volume"], scjg["concluded"], scjg["on_time_rate"]) == (5, 4, 0.75)
    # actual (2+7+0+0)/4 = 2.25; committed (5+5+0+0)/4 = 2.5; speed 1 - 2.25/2.5 = 0.1
    assert (scjg["avg_actual_days"], scjg["avg_committed_days"], scjg["speed_score"]) == (2.25, 2.5, 0.1)
    # 公安: D only: late, 12 actual vs 10 committed → speed clipped to 0
    assert (ga["volume"], ga["concluded"], ga["on_time_rate"], ga["speed_score"]) == (1, 1, 0.0, 0.0)
    assert scjg["satisfaction_rate"] is None and ga["satisfaction_rate"] is None
    assert (scjg["alerts"], scjg["rectifications"], scjg["rectification_rate"]) == (0, 0, None)
    # no alerts raised: alert-free 1.0 (weight .10); no ratings, no rectifications: both left out
    # 市场监管: (.4*.75 + .15*.1 + .1*1)/(.4+.15+.1) = .415/.65 = 63.85; 公安: .1/.65 = 15.38
    assert scjg["score"] == 63.85 and ga["score"] == 15.38
    assert (scjg["rank"], ga["rank"]) == (1, 2)
    assert ga["last"] is True and scjg["last"] is False


def test_clerk_ranking_worked_by_hand():
    _built()
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3, group="clerk")}
    clerk, tclerk = rows["clerk"], rows["tclerk"]
    # clerk accepted A B C D I = 5; concluded A B C D; on time A C = 2/4
    assert (clerk["volume"], clerk["concluded"], clerk["on_time_rate"]) == (5, 4, 0.5)
    # actual (2+7+0+12)/4 = 5.25, committed (5+5+0+10)/4 = 5 → speed 0
    assert (clerk["avg_actual_days"], clerk["speed_score"]) == (5.25, 0.0)
    # tclerk: H, instant, 0 days → on time 1, speed 1
    assert (tclerk["volume"], tclerk["on_time_rate"], tclerk["speed_score"]) == (1, 1.0, 1.0)
    # tclerk: (.4*1 + .15*1 + .1*1)/.65 = 100; clerk: (.4*.5 + .15*0 + .1*1)/.65 = .3/.65 = 46.15
    assert tclerk["score"] == 100.0 and tclerk["rank"] == 1 and clerk["last"] is True
    assert clerk["score"] == 46.15


def test_region_scoped_ranking_has_no_last_with_one_department():
    _built()
    rows = selectors.monthly_ranking(2026, 3, region="341302")
    # only H (市场监管) in the county: one ranked row, not flagged 末位
    assert [r["name"] for r in rows] == ["市市场监督管理局"]
    assert rows[0]["rank"] == 1 and rows[0]["last"] is False


def test_score_formula():
    # all five present: 100*(.4*.9 + .25*1 + .15*.5 + .1*.8 + .1*.5) = 100*(.36+.25+.075+.08+.05) = 81.5
    assert scoring.score_of({"on_time_rate": 0.9, "satisfaction_rate": 1.0, "speed_score": 0.5,
                               "alert_free_rate": 0.8, "rectification_rate": 0.5}) == 81.5
    assert scoring.score_of({}) is None
    assert scoring.speed_score(0, 0) == 1.0 and scoring.speed_score(1, 0) == 0.0
    assert scoring.speed_score(3, 5) == 0.4


def _rate(w):
    """Window ratings (评价器) after conclusion: A 5, B 3, C 2, D 1, H 4 (I is still open)."""
    for key, level, when, clerk in (("A", 5, (2026, 3, 4, 15), w.clerk), ("B", 3, (2026, 3, 11, 15), w.clerk),
                                    ("C", 2, (2026, 3, 3, 16), w.clerk), ("D", 1, (2026, 3, 20, 15), w.clerk),
                                    ("H", 4, (2026, 3, 6, 15), w.station_clerk)):
        with at(*when):
            ratings.rate_case(w.cases[key].number, clerk, level)


def test_satisfaction_and_rectification_in_the_ranking():
    w = build()
    _rate(w)
    rollup.ensure_fresh()
    rect_c = Rectification.objects.get(rating__case=w.cases["C"])
    rect_d = Rectification.objects.get(rating__case=w.cases["D"])
    # C rated Tue 03-03: 15 working days 03-04..06 (3), 03-09..13 (8), 03-16..20 (13), 03-23, 03-24 (15)
    assert rect_c.due_date == selectors.datetime.date(2026, 3, 24)
    # D rated Fri 03-20: 03-23..27 (5), 03-30..04-03 (10), 04-04..06 清明 off, 04-07..10 (14), 04-13 (15)
    assert rect_d.due_date == selectors.datetime.date(2026, 4, 13)

    # on 03-24 neither is past due and neither is closed: no rectification rate yet
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3, today=selectors.datetime.date(2026, 3, 24))}
    scjg, ga = rows["市市场监督管理局"], rows["市公安局"]
    # satisfaction: 市场监管 A5 B3 C2 H4 → ≥3: A B H = 3/4; 公安 D1 → 0/1
    assert (scjg["satisfaction_rate"], ga["satisfaction_rate"]) == (0.75, 0.0)
    assert (scjg["rectification_rate"], ga["rectification_rate"]) == (None, None)
    # 市场监管: (.4*.75 + .25*.75 + .15*.1 + .1*1)/(.4+.25+.15+.1) = .6025/.9 = 66.94
    assert scjg["score"] == 66.94

    # on 03-25 C is overdue and still open: 0 rectified of 1
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3, today=selectors.datetime.date(2026, 3, 25))}
    assert (rows["市市场监督管理局"]["rectifications"], rows["市市场监督管理局"]["rectification_rate"]) == (1, 0.0)
    assert rows["市公安局"]["rectification_rate"] is None  # D not due until 04-13

    # C rectified, D closed as not rectified before its due date: both count
    with at(2026, 3, 26, 10):
        ratings.close_rectification(rect_c.pk, w.reviewer, "rectified", "已回访整改")
        ratings.close_rectification(rect_d.pk, w.police_reviewer, "not_rectified", "无法整改")
    rollup.ensure_fresh()
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3, today=selectors.datetime.date(2026, 3, 26))}
    scjg, ga = rows["市市场监督管理局"], rows["市公安局"]
    assert (scjg["rectification_rate"], ga["rectification_rate"]) == (1.0, 0.0)
    # 市场监管: 100*(.4*.75 + .25*.75 + .15*.1 + .1*1 + .1*1) = 100*(.3+.1875+.015+.1+.1) = 70.25
    # 公安: 100*(.4*0 + .25*0 + .15*0 + .1*1 + .1*0) = 10
    assert (scjg["score"], ga["score"]) == (70.25, 10.0)
    # the default "today" is the local date now
    with at(2026, 3, 26, 12):
        assert selectors.monthly_ranking(2026, 3)[0]["rectification_rate"] == 1.0
