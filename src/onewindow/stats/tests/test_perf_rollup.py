"""The rankings' rollup (stats.PerfStat) gives exactly the live ranking after each kind of change."""

import datetime

import pytest

from onewindow.cases import services
from onewindow.cases.tests.factories import at
from onewindow.ratings import services as ratings
from onewindow.ratings.models import Rectification
from onewindow.stats import rollup, selectors
from onewindow.stats.models import PerfStat, RollupMark
from onewindow.supervision import services as supervision
from onewindow.supervision.models import Alert

from .world import build

pytestmark = pytest.mark.django_db
D = datetime.date
PERIODS = ((D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 4, 30)), (D(2026, 3, 1), D(2026, 4, 30)),
           (D(2026, 3, 3), D(2026, 3, 6)))
TODAYS = (D(2026, 3, 24), D(2026, 3, 25), D(2026, 4, 20))


def _same_everywhere():
    """Rollup-based == live for every group, period, region and `today` (rollup refreshed incrementally)."""
    rollup.ensure_fresh()
    for group in ("department", "window", "clerk"):
        for period in PERIODS:
            for region in (None, "341302"):
                for today in TODAYS:
                    got = selectors.performance(*period, group=group, region=region, today=today)
                    want = selectors.performance_live(*period, group=group, region=region, today=today)
                    assert got == want, (group, period, region, today)


def test_rollup_ranking_equals_live_after_each_action(monkeypatch):
    w = build()
    _same_everywhere()
    mark_id = RollupMark.objects.get().pk

    def no_rebuild():
        raise AssertionError("a full rebuild: every refresh after the first must be incremental")

    monkeypatch.setattr(rollup, "rebuild", no_rebuild)
    # before any rating: 市场监管 in March, by hand (world.py): volume A B C H I = 5, concluded 4
    march = {r["name"]: r for r in selectors.performance(D(2026, 3, 1), D(2026, 3, 31))}
    assert (march["市市场监督管理局"]["volume"], march["市市场监督管理局"]["concluded"]) == (5, 4)

    # ratings: A 5, B 3, C 2 (rectification), D 1 (rectification), H 4
    for key, level, when, clerk in (("A", 5, (2026, 3, 4, 15), w.clerk), ("B", 3, (2026, 3, 11, 15), w.clerk),
                                    ("C", 2, (2026, 3, 3, 16), w.clerk), ("D", 1, (2026, 3, 20, 15), w.clerk),
                                    ("H", 4, (2026, 3, 6, 15), w.station_clerk)):
        with at(*when):
            ratings.rate_case(w.cases[key].number, clerk, level)
    _same_everywhere()
    march = {r["name"]: r for r in selectors.performance(D(2026, 3, 1), D(2026, 3, 31), today=D(2026, 3, 25))}
    # A B H good of A B C H; C open and past due on 03-25 (due 03-24): 0 of 1
    assert march["市市场监督管理局"]["satisfaction_rate"] == 0.75
    assert (march["市市场监督管理局"]["rectifications"], march["市市场监督管理局"]["rectification_rate"]) == (1, 0.0)

    # alerts: the sweep on 04-10 (I accepted 03-30, due 04-07, still open) plus one written directly
    supervision.sweep(today=D(2026, 4, 10), now=datetime.datetime(2026, 4, 10, 9, tzinfo=selectors.SH))
    b = w.cases["B"]
    Alert.objects.create(case=b, level="anomaly", rule="test.manual", since=b.submitted_at,
                         department_id=b.department_id, site_id=b.site_id, closed_at=b.submitted_at)
    assert Alert.objects.filter(case=w.cases["I"]).exists()
    _same_everywhere()
    march = {r["name"]: r for r in selectors.performance(D(2026, 3, 1), D(2026, 3, 31))}
    scjg = march["市市场监督管理局"]
    # of the 5 accepted (A B C H I), B and I at least have alerts; alerts count open or closed ones
    mine = [w.cases[k] for k in "ABCHI"]
    alerted = {a.case_id for a in Alert.objects.filter(case__in=mine)}
    assert {b.pk, w.cases["I"].pk} <= alerted
    assert scjg["alert_free_rate"] == round(1 - len(alerted) / 5, 4)
    assert scjg["alerts"] == Alert.objects.filter(case__in=mine).count()

    # rectifications closed: C rectified, D not rectified (no case event, no new rating)
    rect_c = Rectification.objects.get(rating__case=w.cases["C"])
    rect_d = Rectification.objects.get(rating__case=w.cases["D"])
    with at(2026, 3, 26, 10):
        ratings.close_rectification(rect_c.pk, w.reviewer, "rectified", "已回访整改")
    _same_everywhere()
    with at(2026, 3, 27, 10):
        ratings.close_rectification(rect_d.pk, w.police_reviewer, "not_rectified", "无法整改")
    _same_everywhere()
    rows = {r["name"]: r for r in selectors.performance(D(2026, 3, 1), D(2026, 3, 31), today=D(2026, 3, 24))}
    assert (rows["市市场监督管理局"]["rectification_rate"], rows["市公安局"]["rectification_rate"]) == (1.0, 0.0)

    # case actions: I concluded in April; a new filing in March
    i = w.cases["I"]
    with at(2026, 4, 2, 10):
        services.perform(i.number, "review", w.reviewer, {"opinion": "同意"})
    with at(2026, 4, 3, 10):
        services.perform(i.number, "decide", w.approver, {"result": "approve", "reason": ""})
    with at(2026, 3, 10, 9):
        services.file_case(item=w.item.item.code, applicant={"kind": "person", "name": "王五",
                                                             "id_number": "110102199101010078", "phone": ""},
                           channel="window", materials=[m.code for m in w.item.materials.all()], actor=w.clerk)
    _same_everywhere()
    april = {r["name"]: r for r in selectors.performance(D(2026, 4, 1), D(2026, 4, 30))}
    # April: I concluded 04-03 (on time, due 04-07); accepted in March, so no April volume
    assert (april["市市场监督管理局"]["volume"], april["市市场监督管理局"]["concluded"],
            april["市市场监督管理局"]["on_time_rate"]) == (0, 1, 1.0)
    # every refresh was incremental (rebuild() would have raised) and the mark was never recreated
    assert RollupMark.objects.get().pk == mark_id
    assert PerfStat.objects.filter(kind="concluded", day=D(2026, 4, 3)).exists()


def test_ranking_counts_only_the_cards_of_the_region_read():
    """A yellow card issued by a city supervisor to 市市场监督管理局 (region code 341300) is counted in the
    city's ranking and not in 埇桥区's (341302), as the supervision room shows cards by region."""
    from onewindow.supervision.models import Card

    w = build()
    Card.objects.create(target_kind="department", department=w.cases["A"].department, colour="yellow",
                        reason="超期", issued_by=w.supervisor, region_code="341300",
                        issued_at=datetime.datetime(2026, 3, 10, 9, tzinfo=selectors.SH))
    rollup.ensure_fresh()
    city = {r["name"]: r for r in selectors.performance(D(2026, 3, 1), D(2026, 3, 31))}
    county = {r["name"]: r for r in selectors.performance(D(2026, 3, 1), D(2026, 3, 31), region="341302")}
    assert city["市市场监督管理局"]["cards"] == {"yellow": 1}
    assert county["市市场监督管理局"]["cards"] is None
