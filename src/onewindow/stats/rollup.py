"""DailyStat: a daily rollup of cases for summary(), kept fresh on read.

`ensure_fresh()` (called by selectors.summary) compares the highest CaseEvent and Rating ids with
the RollupMark: nothing new → nothing to do (two indexed MAX lookups); no mark → rebuild everything;
otherwise recompute only the days touched by the cases with new events or ratings (their
submission, acceptance and conclusion days). Every change made through cases.services writes a
CaseEvent, and the generator writes events too, so the rollup is exact for those; a direct database
edit without an event is picked up by `rebuild()` (`onewindow shell -c` or a new mark).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, IntegerField, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from onewindow.cases.models import Case, CaseEvent, Channel, State
from onewindow.ratings.models import Rating

from .models import DailyStat, RollupMark

SH = ZoneInfo("Asia/Shanghai")
DONE_STATES = (State.CONCLUDED, State.DELIVERED)
KEYS = ("region_code", "department_id", "item_id")
MARK = "daily"
TOUCHED_LIMIT = 50_000  # more changed cases than this: rebuild everything


def _actual():
    from .selectors import actual_days_expression

    return actual_days_expression()


def _rows(day_filter_received: Q, day_filter_accepted: Q, day_filter_concluded: Q) -> list[DailyStat]:
    out = []
    rec = (
        Case.objects.filter(day_filter_received).annotate(d=TruncDate("submitted_at", tzinfo=SH))
        .values("d", *KEYS)
        .annotate(n=Count("id"), instant=Count("id", filter=Q(committed_days=0)),
                  online=Count("id", filter=Q(channel=Channel.ONLINE)))
    )
    for r in rec:
        out.append(DailyStat(day=r["d"], kind="received", n=r["n"], instant=r["instant"], online=r["online"],
                             **{k: r[k] for k in KEYS}))
    acc = (
        Case.objects.filter(day_filter_accepted, accepted_on__isnull=False).values("accepted_on", *KEYS)
        .annotate(n=Count("id"), committed_sum=Sum("committed_days"), statutory_sum=Sum("statutory_days"),
                  done=Count("id", filter=Q(state__in=DONE_STATES)))
    )
    for r in acc:
        out.append(DailyStat(day=r["accepted_on"], kind="accepted", n=r["n"], committed_sum=r["committed_sum"] or 0,
                             statutory_sum=r["statutory_sum"] or 0, done=r["done"], **{k: r[k] for k in KEYS}))
    con = (
        Case.objects.filter(day_filter_concluded, concluded_on__isnull=False, state__in=DONE_STATES)
        .annotate(actual=_actual())
        .values("concluded_on", *KEYS)
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(concluded_on__lte=F("due_date"))),
                  actual_sum=Coalesce(Sum("actual"), 0, output_field=IntegerField()),
                  actual_n=Count("actual"), rated=Count("rating"),
                  good=Count("rating", filter=Q(rating__level__gte=3)))
    )
    for r in con:
        out.append(DailyStat(day=r["concluded_on"], kind="concluded", n=r["n"], on_time=r["on_time"],
                             actual_sum=r["actual_sum"], actual_n=r["actual_n"], rated=r["rated"], good=r["good"],
                             **{k: r[k] for k in KEYS}))
    return out


def _tops() -> tuple[int, int]:
    e = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
    r = Rating.objects.aggregate(m=Max("id"))["m"] or 0
    return e, r


@transaction.atomic
def rebuild() -> int:
    """Recompute every row; returns the number of rows."""
    mark, _ = RollupMark.objects.select_for_update().get_or_create(name=MARK)
    e, r = _tops()
    DailyStat.objects.all().delete()
    rows = _rows(Q(), Q(), Q())
    DailyStat.objects.bulk_create(rows, batch_size=5000)
    mark.event_id, mark.rating_id = e, r
    mark.save()
    return len(rows)



@transaction.atomic
def ensure_fresh() -> None:
    e, r = _tops()
    mark = RollupMark.objects.filter(name=MARK).first()
    if mark is not None and mark.event_id >= e and mark.rating_id >= r:
        return
    if mark is None:
        rebuild()
        return
    mark = RollupMark.objects.select_for_update().get(name=MARK)
    if mark.event_id >= e and mark.rating_id >= r:
        return  # another request refreshed it meanwhile
    case_ids = set(CaseEvent.objects.filter(id__gt=mark.event_id).values_list("case_id", flat=True)[: TOUCHED_LIMIT + 1])
    case_ids |= set(Rating.objects.filter(id__gt=mark.rating_id).values_list("case_id", flat=True)[: TOUCHED_LIMIT + 1])
    if len(case_ids) > TOUCHED_LIMIT:
        rebuild()
        return
    days = set()
    for sub, acc, con in Case.objects.filter(pk__in=list(case_ids)).values_list("submitted_at", "accepted_on",
                                                                                  "concluded_on"):
        days.add(sub.astimezone(SH).date())
        days.update(d for d in (acc, con) if d is not None)
    if days:
        days = sorted(days)
        received = Q()
        for d in days:
            start = datetime.datetime.combine(d, datetime.time.min, tzinfo=SH)
            received |= Q(submitted_at__gte=start, submitted_at__lt=start + datetime.timedelta(days=1))
        DailyStat.objects.filter(day__in=days).delete()
        DailyStat.objects.bulk_create(_rows(received, Q(accepted_on__in=days), Q(concluded_on__in=days)),
                                      batch_size=5000)
    mark.event_id, mark.rating_id = max(e, mark.event_id), max(r, mark.rating_id)
    mark.save()
