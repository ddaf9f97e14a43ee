"""Performance scores and the monthly ranking on the March 2026 world (see world.py)."""

import pytest

from onewindow.stats import selectors

from .world import build

pytestmark = pytest.mark.django_db


def test_department_ranking_worked_by_hand():
    build()
    has_alerts = selectors.alert_model() is not None
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3)}
    scjg, ga = rows["市市场监督管理局"], rows["市公安局"]
    # 市场监管: accepted A B C H I = 5; concluded A B C H = 4; on time A C H = 3/4
    assert (scjg["volume"], scjg["concluded"], scjg["on_time_rate"]) == (5, 4, 0.75)
    # actual (2+7+0+0)/4 = 2.25; committed (5+5+0+0)/4 = 2.5; speed 1 - 2.25/2.5 = 0.1
    assert (scjg["avg_actual_days"], scjg["avg_committed_days"], scjg["speed_score"]) == (2.25, 2.5, 0.1)
    # 公安: D only: late, 12 actual vs 10 committed → speed clipped to 0
    assert (ga["volume"], ga["concluded"], ga["on_time_rate"], ga["speed_score"]) == (1, 1, 0.0, 0.0)
    assert scjg["satisfaction_rate"] is None and ga["satisfaction_rate"] is None
    if has_alerts:
        # no alerts raised: alert-free 1.0 (weight .10), rectification undefined
        # 市场监管: (.4*.75 + .15*.1 + .1*1)/(.4+.15+.1) = .415/.65 = 63.85
        assert scjg["score"] == 63.85 and ga["score"] == round(100 * 0.1 / 0.65, 2)
    else:
        # 市场监管: (.4*.75 + .15*.1)/(.4+.15) = .315/.55 = 57.27; 公安: 0
        assert scjg["score"] == 57.27 and ga["score"] == 0.0
    assert (scjg["rank"], ga["rank"]) == (1, 2)
    assert ga["last"] is True and scjg["last"] is False


def test_clerk_ranking_worked_by_hand():
    build()
    rows = {r["name"]: r for r in selectors.monthly_ranking(2026, 3, group="clerk")}
    clerk, tclerk = rows["clerk"], rows["tclerk"]
    # clerk accepted A B C D I = 5; concluded A B C D; on time A C = 2/4
    assert (clerk["volume"], clerk["concluded"], clerk["on_time_rate"]) == (5, 4, 0.5)
    # actual (2+7+0+12)/4 = 5.25, committed (5+5+0+10)/4 = 5 → speed 0
    assert (clerk["avg_actual_days"], clerk["speed_score"]) == (5.25, 0.0)
    # tclerk: H, instant, 0 days → on time 1, speed 1
    assert (tclerk["volume"], tclerk["on_time_rate"], tclerk["speed_score"]) == (1, 1.0, 1.0)
    # tclerk scores 100 with or without the alert component (alert-free 1.0); clerk: .4*.5 = .2 over .55 → 36.36
    assert tclerk["score"] == 100.0 and tclerk["rank"] == 1 and clerk["last"] is True
    expected = round(100 * 0.3 / 0.65, 2) if selectors.alert_model() is not None else 36.36
    assert clerk["score"] == expected


def test_region_scoped_ranking_has_no_last_with_one_department():
    build()
    rows = selectors.monthly_ranking(2026, 3, region="341302")
    # only H (市场监管) in the county: one ranked row, not flagged 末位
    assert [r["name"] for r in rows] == ["市市场监督管理局"]
    assert rows[0]["rank"] == 1 and rows[0]["last"] is False


def test_score_formula():
    # all five present: 100*(.4*.9 + .25*1 + .15*.5 + .1*.8 + .1*.5) = 100*(.36+.25+.075+.08+.05) = 81.5
    assert selectors.score_of({"on_time_rate": 0.9, "satisfaction_rate": 1.0, "speed_score": 0.5,
                               "alert_free_rate": 0.8, "rectification_rate": 0.5}) == 81.5
    assert selectors.score_of({}) is None
    assert selectors.speed_score(0, 0) == 1.0 and selectors.speed_score(1, 0) == 0.0
    assert selectors.speed_score(3, 5) == 0.4
