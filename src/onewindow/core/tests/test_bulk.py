"""core.bulk: plain-row inserts read back through the ORM exactly as bulk_create would have stored them."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from onewindow.cases.tests.factories import make_world
from onewindow.core import bulk
from onewindow.stats.models import DailyStat, RollupMark

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_insert_objects_round_trip_dates_and_ids():
    w = make_world()
    keys = {"department": w.dept, "item": w.item.item}
    rows = [DailyStat(day=datetime.date(2026, 3, 2), kind="received", region_code="341300", n=7, online=2, **keys),
            DailyStat(day=datetime.date(2026, 3, 3), kind="accepted", region_code="341302", n=1, committed_sum=5,
                      **keys)]
    ref = DailyStat(day=datetime.date(2026, 3, 1), kind="received", region_code="341300", n=1, **keys)
    ref.save()
    assert bulk.insert_objects(rows, with_ids=True) == 2
    assert [r.pk for r in rows] == [ref.pk + 1, ref.pk + 2]
    got = {r.pk: r for r in DailyStat.objects.filter(pk__in=[r.pk for r in rows])}
    assert got[rows[0].pk].day == datetime.date(2026, 3, 2) and got[rows[0].pk].n == 7 and got[rows[0].pk].online == 2
    assert got[rows[1].pk].region_code == "341302" and got[rows[1].pk].committed_sum == 5
    # the ORM's next insert continues after them
    later = DailyStat.objects.create(day=datetime.date(2026, 3, 4), kind="received", region_code="341300", n=1,
                                     **keys)
    assert later.pk == rows[1].pk + 1


@pytest.mark.django_db
def test_insert_rows_aware_datetime_is_stored_as_the_orm_would():
    at = datetime.datetime(2026, 3, 2, 9, 5, tzinfo=SH)
    bulk.insert_rows(RollupMark, ["name", "event_id", "rating_id", "alert_id", "rect_closed_at", "refreshed_at"],
                     [("bulk-test", 5, 6, 7, at, at)])
    mark = RollupMark.objects.get(name="bulk-test")
    assert (mark.event_id, mark.rating_id, mark.alert_id) == (5, 6, 7)
    assert mark.rect_closed_at == at
    # comparisons in SQL see the same instant (stored in UTC, as Django stores it)
    assert RollupMark.objects.filter(rect_closed_at__gte=at, rect_closed_at__lt=at + datetime.timedelta(seconds=1)).count() == 1
