"""The daily rollup behind summary(): fresh after every case action, exact for past periods."""

import datetime

import pytest

from onewindow.cases import services
from onewindow.cases.tests.factories import at
from onewindow.stats import rollup, selectors
from onewindow.stats.models import DailyStat, RollupMark

from .world import build

pytestmark = pytest.mark.django_db
D = datetime.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))
APRIL = (D(2026, 4, 1), D(2026, 4, 30))


@pytest.fixture
def w():
    return build()


def test_selectors_never_write_the_rollup(w):
    # before any refresh the rollup is empty: a read finds nothing and leaves it so (no mark, no rows)
    s = selectors.summary(*MARCH)
    assert (s["received"], s["accepted"], s["concluded"]) == (0, 0, 0)
    selectors.performance(*MARCH)
    selectors.daily(*MARCH)
    assert not RollupMark.objects.exists() and not DailyStat.objects.exists()


def test_first_refresh_builds_the_rollup(w):
    assert not RollupMark.objects.exists()
    rollup.ensure_fresh()
    # March: received A B C D E F H I on 8 distinct (day, region, dept, item) keys at most; one mark
    assert RollupMark.objects.count() == 1
    assert sum(DailyStat.objects.filter(kind="received", day__month=3).values_list("n", flat=True)) == 8
    assert sum(DailyStat.objects.filter(kind="accepted").values_list("n", flat=True)) == 6  # A B C D H I


def test_case_concluded_later_counts_in_its_month_not_before(w):
    rollup.ensure_fresh()
    assert selectors.summary(*MARCH)["completion_rate"] == 0.8333  # 5 of 6, I still open
    i = w.cases["I"]
    with at(2026, 4, 2, 10):
        services.perform(i.number, "review", w.reviewer, {"opinion": "同意"})
    with at(2026, 4, 3, 10):
        services.perform(i.number, "decide", w.approver, {"result": "approve", "reason": ""})
    rollup.ensure_fresh()
    # March's completion counts conclusions by 03-31 only: still 5 of 6 although I is done now
    march = selectors.summary(*MARCH)
    assert march["completion_rate"] == 0.8333 and march["concluded"] == 5
    april = selectors.summary(*APRIL)
    # April: received G (04-01 00:10); accepted none; concluded I
    assert (april["received"], april["accepted"], april["concluded"]) == (1, 0, 1)
    # I: accepted Mon 03-30, due 5 working days later (04-07 with Qingming 04-04..06 off), done 04-03: on time
    assert april["on_time_rate"] == 1.0
    # March + April: 6 accepted, all 6 concluded by 04-30
    both = selectors.summary(D(2026, 3, 1), D(2026, 4, 30))
    assert both["completion_rate"] == 1.0 and both["concluded"] == 6


def test_new_filing_is_seen_at_the_next_refresh(w):
    rollup.ensure_fresh()
    before = selectors.summary(*MARCH)["received"]
    with at(2026, 3, 10, 9):
        services.file_case(item=w.item.item.code, applicant={"kind": "person", "name": "王五",
                                                             "id_number": "110102199101010078", "phone": ""},
                           channel="window", materials=[m.code for m in w.item.materials.all()], actor=w.clerk)
    rollup.ensure_fresh()
    assert selectors.summary(*MARCH)["received"] == before + 1


def test_rebuild_matches_incremental_refresh(w):
    rollup.ensure_fresh()
    i = w.cases["I"]
    with at(2026, 3, 31, 10):
        services.perform(i.number, "review", w.reviewer, {"opinion": "同意"})
    rollup.ensure_fresh()
    incremental = selectors.summary(*MARCH)
    rollup.rebuild()
    assert selectors.summary(*MARCH) == incremental
