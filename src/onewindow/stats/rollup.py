"""DailyStat and PerfStat: daily rollups of cases for summary() and performance(), refreshed before each read.

`ensure_fresh()` (a write: called by the stats page, export and API, and by the generator, before they
read through stats.selectors, which never write) compares the highest CaseEvent, Rating and Alert ids and
the latest rectification closing time with the RollupMark: nothing new → nothing to do (four
small MAX lookups); no mark → rebuild everything; otherwise recompute, in both tables, only the
days touched by the cases with new events, ratings or alerts or a newly closed rectification (their
submission, acceptance and conclusion days). Every change made through cases.services writes a
CaseEvent, and the generator writes events too, so the rollup is exact for those; a direct database
edit without an event is picked up by `rebuild()` (`onewindow shell -c` or a new mark).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from onewindow.cases.models import DONE_STATES, Case, CaseEvent, Channel
from onewindow.core import bulk
from onewindow.ratings.models import Rating, Rectification, RectificationStatus
from onewindow.supervision.models import Alert

from .models import DailyStat, PerfStat, RollupMark
from .scoring import GOOD_LEVEL_MIN
from .selectors import actual_days_expression as _actual

SH = ZoneInfo("Asia/Shanghai")
KEYS = ("region_code", "department_id", "item_id")
PKEYS = ("region_code", "department_id", "window_id", "clerk_id")
MARK = "daily"
TOUCHED_LIMIT = 50_000  # more changed cases than this: rebuild everything
OVERLAP = 1000  # ids looked back past the mark (supervision.services.EVENT_OVERLAP)


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
                  good=Count("rating", filter=Q(rating__level__gte=GOOD_LEVEL_MIN)))
    )
    for r in con:
        out.append(DailyStat(day=r["concluded_on"], kind="concluded", n=r["n"], on_time=r["on_time"],
                             actual_sum=r["actual_sum"], actual_n=r["actual_n"], rated=r["rated"], good=r["good"],
                             **{k: r[k] for k in KEYS}))
    return out


def _perf_rows(days: list | None) -> list[PerfStat]:
    """PerfStat rows of the given local days (None: every day)."""
    if days is None:
        received, accepted, concluded, alert_q = Q(), Q(), Q(), Q()
    else:
        received = _received_on(days)
        accepted, concluded = Q(accepted_on__in=days), Q(concluded_on__in=days)
        alert_q = Q(case__accepted_on__in=days)
    out = []
    for r in (Case.objects.filter(received).annotate(d=TruncDate("submitted_at", tzinfo=SH))
              .values("d", *PKEYS).annotate(n=Count("id"))):
        out.append(PerfStat(day=r["d"], kind="received", n=r["n"], **{k: r[k] for k in PKEYS}))
    flags = {}
    for r in (Alert.objects.filter(alert_q, case__accepted_on__isnull=False)
              .values("case__accepted_on", *(f"case__{k}" for k in PKEYS))
              .annotate(alerts=Count("id"), alerted=Count("case_id", distinct=True))):
        flags[(r["case__accepted_on"], *(r[f"case__{k}"] for k in PKEYS))] = (r["alerts"], r["alerted"])
    for r in (Case.objects.filter(accepted, accepted_on__isnull=False)
              .values("accepted_on", *PKEYS).annotate(n=Count("id"))):
        alerts, alerted = flags.get((r["accepted_on"], *(r[k] for k in PKEYS)), (0, 0))
        out.append(PerfStat(day=r["accepted_on"], kind="accepted", n=r["n"], alerts=alerts, alerted=alerted,
                            **{k: r[k] for k in PKEYS}))
    not_open = ~Q(rating__rectification__status=RectificationStatus.OPEN)
    con = (
        Case.objects.filter(concluded, concluded_on__isnull=False, state__in=DONE_STATES)
        .annotate(actual=_actual())
        .values("concluded_on", *PKEYS)
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(concluded_on__lte=F("due_date"))),
                  actual_sum=Coalesce(Sum("actual"), 0, output_field=IntegerField()),
                  actual_n=Count("actual"),
                  committed_sum=Coalesce(Sum("committed_days"), 0, output_field=IntegerField()),
                  committed_n=Count("committed_days"),
                  rated=Count("rating"), good=Count("rating", filter=Q(rating__level__gte=GOOD_LEVEL_MIN)),
                  rect_closed=Count("rating__rectification", filter=not_open),
                  rect_rectified=Count("rating__rectification",
                                       filter=Q(rating__rectification__status=RectificationStatus.RECTIFIED)))
    )
    fields = ("n", "on_time", "actual_sum", "actual_n", "committed_sum", "committed_n", "rated", "good",
              "rect_closed", "rect_rectified")
    for r in con:
        out.append(PerfStat(day=r["concluded_on"], kind="concluded", **{f: r[f] for f in fields},
                            **{k: r[k] for k in PKEYS}))
    return out


def _received_on(days) -> Q:
    received = Q()
    for d in days:
        start = datetime.datetime.combine(d, datetime.time.min, tzinfo=SH)
        received |= Q(submitted_at__gte=start, submitted_at__lt=start + datetime.timedelta(days=1))
    return received


def _tops() -> tuple[int, int, int, datetime.datetime | None]:
    e = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
    r = Rating.objects.aggregate(m=Max("id"))["m"] or 0
    a = Alert.objects.aggregate(m=Max("id"))["m"] or 0
    c = Rectification.objects.aggregate(m=Max("closed_at"))["m"]
    return e, r, a, c


def _seen(mark, tops) -> bool:
    e, r, a, c = tops
    return (mark.event_id >= e and mark.rating_id >= r and mark.alert_id >= a
            and (c is None or (mark.rect_closed_at is not None and mark.rect_closed_at >= c)))


def _set(mark, tops) -> None:
    e, r, a, c = tops
    mark.event_id, mark.rating_id, mark.alert_id = max(e, mark.event_id), max(r, mark.rating_id), max(a, mark.alert_id)
    if c is not None and (mark.rect_closed_at is None or c > mark.rect_closed_at):
        mark.rect_closed_at = c


@transaction.atomic
def rebuild() -> int:
    """Recompute every row; returns the number of rows."""
    mark, _ = RollupMark.objects.select_for_update().get_or_create(name=MARK)
    tops = _tops()
    if connection.vendor == "postgresql":
        # TRUNCATE (transactional in PostgreSQL) instead of DELETE: no dead rows left behind for the
        # period reads to scan through after each
        # rebuild. Pending deferred foreign-key checks of this transaction block a TRUNCATE: run them
        # first, then restore Django's INITIALLY DEFERRED state.
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"TRUNCATE {DailyStat._meta.db_table}, {PerfStat._meta.db_table}")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        DailyStat.objects.all().delete()
        PerfStat.objects.all().delete()
    # stored in day order: a period's rows sit together on disk (the day indexes read few pages)
    rows = sorted(_rows(Q(), Q(), Q()), key=lambda r: r.day)
    bulk.insert_objects(rows)  # plain rows: bulk_create's per-value work took seconds here
    bulk.insert_objects(sorted(_perf_rows(None), key=lambda r: r.day))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {DailyStat._meta.db_table}, {PerfStat._meta.db_table}")
    mark.event_id = mark.rating_id = mark.alert_id = 0
    mark.rect_closed_at = None
    _set(mark, tops)
    mark.save()
    return len(rows)


@transaction.atomic
def ensure_fresh() -> None:
    """Bring DailyStat and PerfStat up to date with every case event, rating, alert and closed
    rectification so far (see the module docstring)."""
    tops = _tops()
    mark = RollupMark.objects.filter(name=MARK).first()
    if mark is not None and _seen(mark, tops):
        return
    if mark is None:
        rebuild()
        return
    mark = RollupMark.objects.select_for_update().get(name=MARK)
    if _seen(mark, tops):
        return  # another request refreshed it meanwhile
    lim = TOUCHED_LIMIT + 1

    def touched(qs, field="case_id") -> set:
        # distinct before the cut: the cut must count cases, not rows, or cases beyond it are lost
        return set(qs.order_by().values_list(field, flat=True).distinct()[:lim])

    # Ids are drawn before their transactions commit: look OVERLAP ids back for rows that
    # committed after a higher id had already been seen (as the supervision sweep does).
    case_ids = touched(CaseEvent.objects.filter(id__gt=mark.event_id - OVERLAP))
    case_ids |= touched(Rating.objects.filter(id__gt=mark.rating_id - OVERLAP))
    case_ids |= touched(Alert.objects.filter(id__gt=mark.alert_id - OVERLAP))
    closed = Rectification.objects.filter(closed_at__isnull=False)
    if mark.rect_closed_at is not None:
        closed = closed.filter(closed_at__gt=mark.rect_closed_at)
    case_ids |= touched(closed, "rating__case_id")
    if len(case_ids) > TOUCHED_LIMIT:
        rebuild()
        return
    touched_days: set[datetime.date] = set()
    for sub, acc, con in Case.objects.filter(pk__in=list(case_ids)).values_list("submitted_at", "accepted_on",
                                                                                  "concluded_on"):
        touched_days.add(sub.astimezone(SH).date())
        touched_days.update(d for d in (acc, con) if d is not None)
    if touched_days:
        days = sorted(touched_days)
        DailyStat.objects.filter(day__in=days).delete()
        DailyStat.objects.bulk_create(_rows(_received_on(days), Q(accepted_on__in=days), Q(concluded_on__in=days)),
                                      batch_size=5000)
        PerfStat.objects.filter(day__in=days).delete()
        PerfStat.objects.bulk_create(_perf_rows(days), batch_size=5000)
    _set(mark, tops)
    mark.save()
