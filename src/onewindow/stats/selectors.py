"""Statistics (统计分析) and performance scores (绩效). Reads only; every figure is an SQL aggregate.

Definitions of every figure are in docs/metrics.md; keep the two in step. The scoring rules
(weights, speed score, ranking and 末位) are in stats.scoring. summary, daily, by_department and
performance read the rollups (stats.DailyStat, stats.PerfStat) and never write them: the caller
(the page, the API, the generator) brings them up to date first with `rollup.ensure_fresh()`.

    period_bounds(date_from, date_to) -> (start, end)        aware Asia/Shanghai datetimes, [start, end)
    scoped_cases(region=None, department=None, item=None)    Case queryset with the filters applied
    summary(date_from, date_to, region=None, department=None, item=None) -> dict
    daily(date_from, date_to, ...) -> [{"date", "received", "concluded"}]
    by_department(date_from, date_to, ...) -> [{"department", "received", "accepted", "concluded", ...}]
    performance(date_from, date_to, group="department"|"window"|"clerk", region=None) -> ranked rows
    performance_live(...)                                     the same, from the case rows (slow; tests)
    monthly_ranking(year, month, region=None) -> department rows of `performance`, last one flagged 末位
"""

from __future__ import annotations

import calendar
import datetime
import functools
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, F, IntegerField, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from onewindow.accounts.access import within_region
from onewindow.cases.models import DONE_STATES, Case
from onewindow.catalog.models import Department, ItemVersion
from onewindow.ratings.models import Rating, Rectification, RectificationStatus
from onewindow.supervision.models import Alert, Card
from onewindow.workdays.selectors import ordinal_at

from .models import DailyStat, PerfStat
from .scoring import GOOD_LEVEL_MIN, ranked, ratio, round_or_none

SH = ZoneInfo("Asia/Shanghai")

# ---------------------------------------------------------------- helpers


def _no_jit(fn):
    """Run `fn` with PostgreSQL's JIT off (SET LOCAL, in a transaction). The aggregates here carry
    per-row subplans in their cost estimates, so the planner expects millions and JIT-compiles with
    inlining and optimisation: ~0.3 s of compiling for ~0.1 s of work on a month at 1M cases
    (docs/performance.md). Elsewhere (SQLite) a no-op."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if connection.vendor != "postgresql":
            return fn(*args, **kwargs)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
            return fn(*args, **kwargs)

    return wrapper



def period_bounds(date_from: datetime.date, date_to: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Local days [date_from, date_to] as aware instants [start, end) so the submitted_at index applies."""
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=SH)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=SH)
    return start, end


def _department_filter(department):
    if department is None or department == "":
        return Q()
    if isinstance(department, Department):
        return Q(department_id=department.pk)
    if isinstance(department, int) or (isinstance(department, str) and department.isdecimal() and department.isascii()):
        return Q(department_id=int(department))
    return Q(department__code=department)


def _item_filter(item):
    if item is None or item == "":
        return Q()
    if hasattr(item, "pk") and not isinstance(item, str | int):
        return Q(item_id=item.pk)
    if isinstance(item, int):
        return Q(item_id=item)
    return Q(item__code=item)


def scoped_cases(region=None, department=None, item=None):
    qs = Case.objects.all()
    qs = within_region(qs, region)
    return qs.filter(_department_filter(department) & _item_filter(item))


def _conditions(date_from, date_to):
    start, end = period_bounds(date_from, date_to)
    received = Q(submitted_at__gte=start, submitted_at__lt=end)
    accepted = Q(accepted_on__gte=date_from, accepted_on__lte=date_to)
    concluded = Q(concluded_on__gte=date_from, concluded_on__lte=date_to, state__in=DONE_STATES)
    return received, accepted, concluded


def actual_days_expression():
    """Stored actual working days; otherwise ordinal(concluded_on) - ordinal(accepted_on) - suspended workdays."""
    return Coalesce(
        F("actual_workdays"),
        ordinal_at("concluded_on") - ordinal_at("accepted_on") - F("suspended_workdays"),
        output_field=IntegerField(),
    )


def _period_cases(qs, date_from, date_to):
    received, accepted, concluded = _conditions(date_from, date_to)
    return qs.filter(received | accepted | concluded)


def _figures(row: dict) -> dict:
    avg_committed = row["avg_committed"]
    avg_statutory = row["avg_statutory"]
    speedup = None
    if avg_committed is not None and avg_statutory:
        speedup = round(1 - float(avg_committed) / float(avg_statutory), 4)
    return {
        "received": row["received"],
        "accepted": row["accepted"],
        "concluded": row["concluded"],
        "completion_rate": ratio(row["accepted_done"], row["accepted"]),
        "on_time_rate": ratio(row["on_time"], row["concluded"]),
        "avg_committed_days": round_or_none(avg_committed),
        "avg_statutory_days": round_or_none(avg_statutory),
        "avg_actual_days": round_or_none(row["avg_actual"]),
        "speedup_rate": speedup,
        "instant_share": ratio(row["instant"], row["received"]),
        "online_share": ratio(row["online"], row["received"]),
    }


def catalogue_rates(region=None, department=None) -> dict:
    """进驻率 and 授权率 over the current published catalogue (definitions in docs/metrics.md)."""
    depts = within_region(Department.objects.all(), region, "region__code")
    versions = within_region(ItemVersion.objects.filter(is_current=True, status="published"), region,
                             "item__department__region__code")
    if department not in (None, ""):
        if isinstance(department, Department):
            department = department.pk
        if isinstance(department, int) or (str(department).isdecimal() and str(department).isascii()):
            depts, versions = depts.filter(pk=int(department)), versions.filter(item__department_id=int(department))
        else:
            depts, versions = depts.filter(code=department), versions.filter(item__department__code=department)
    d = depts.aggregate(all=Count("pk"), stationed=Count("pk", filter=Q(stationed=True)))
    v = versions.aggregate(
        all=Count("pk"),
        stationed=Count("pk", filter=Q(stationed=True)),
        decides=Count("pk", filter=Q(window_decides=True)),
    )
    return {
        "stationed_department_rate": ratio(d["stationed"], d["all"]),
        "stationed_item_rate": ratio(v["stationed"], v["all"]),
        "window_authorised_rate": ratio(v["decides"], v["all"]),
    }


# ---------------------------------------------------------------- public reads


ROLLUP_FIELDS = ("n", "instant", "online", "committed_sum", "statutory_sum", "done", "on_time", "actual_sum",
                 "actual_n", "rated", "good")


def _rollup(date_from, date_to, region=None, department=None, item=None):
    """The daily rollup's rows of the period and scope (as fresh as the last `rollup.ensure_fresh()`)."""
    qs = DailyStat.objects.filter(day__gte=date_from, day__lte=date_to)
    qs = within_region(qs, region)
    return qs.filter(_department_filter(department) & _item_filter(item))


@_no_jit
def summary(date_from, date_to, region=None, department=None, item=None) -> dict:
    """The period's figures, from the daily rollup (stats.DailyStat) plus one live count for the
    completion rate; then the catalogue counts."""
    qs = _rollup(date_from, date_to, region, department, item)
    sums = {r["kind"]: r for r in qs.values("kind").annotate(**{f"s_{f}": Sum(f) for f in ROLLUP_FIELDS})}

    later = _concluded_later(date_from, date_to, region, department, item).count()
    row, total = _rollup_row(sums, later)
    out = {"from": date_from.isoformat(), "to": date_to.isoformat(), "region": region or None}
    out.update(_figures(row))
    rated = total("concluded", "rated")
    out["ratings"] = rated
    out["satisfaction_rate"] = ratio(total("concluded", "good"), rated)
    rates = catalogue_rates(region, department)
    out.update(rates)
    out["stationed_rate"] = rates["stationed_item_rate"]
    return out


def _concluded_later(date_from, date_to, region, department, item):
    """Cases accepted in the period and concluded after date_to: the rollup's `done` counts every
    accepted case concluded by now, the completion rate wants those concluded by date_to (none are
    later when the period ends today)."""
    return scoped_cases(region, department, item).filter(
        accepted_on__gte=date_from, accepted_on__lte=date_to, state__in=DONE_STATES, concluded_on__gt=date_to
    )


def _rollup_row(sums: dict, later: int):
    """The aggregate row `_figures` expects, from the rollup's sums per kind."""

    def total(kind, f):
        return int((sums.get(kind) or {}).get(f"s_{f}") or 0)

    accepted = total("accepted", "n")
    actual_n = total("concluded", "actual_n")
    row = {
        "received": total("received", "n"),
        "accepted": accepted,
        "concluded": total("concluded", "n"),
        "accepted_done": total("accepted", "done") - later,
        "on_time": total("concluded", "on_time"),
        "avg_committed": total("accepted", "committed_sum") / accepted if accepted else None,
        "avg_statutory": total("accepted", "statutory_sum") / accepted if accepted else None,
        "avg_actual": total("concluded", "actual_sum") / actual_n if actual_n else None,
        "instant": total("received", "instant"),
        "online": total("received", "online"),
    }
    return row, total


@_no_jit
def daily(date_from, date_to, region=None, department=None, item=None) -> list[dict]:
    """Received (by local submission day) and concluded (by concluded_on) per day of the period, from the
    daily rollup."""
    per = {}
    rows = (_rollup(date_from, date_to, region, department, item).filter(kind__in=["received", "concluded"])
            .values("kind", "day").annotate(total=Sum("n")).values_list("kind", "day", "total"))
    for kind, day, total in rows:
        per[(kind, day)] = int(total or 0)
    out = []
    day = date_from
    while day <= date_to:
        out.append({"date": day.isoformat(), "received": per.get(("received", day), 0),
                    "concluded": per.get(("concluded", day), 0)})
        day += datetime.timedelta(days=1)
    return out


@_no_jit
def by_department(date_from, date_to, region=None, department=None, item=None) -> list[dict]:
    """The summary's figures per department (those with cases in the period), from the daily rollup."""
    per: dict = {}
    names = {}
    rows = (_rollup(date_from, date_to, region, department, item)
            .values("department_id", "department__name", "kind")
            .annotate(**{f"s_{f}": Sum(f) for f in ROLLUP_FIELDS}))
    for r in rows:
        per.setdefault(r["department_id"], {})[r["kind"]] = r
        names[r["department_id"]] = r["department__name"]
    later = dict(_concluded_later(date_from, date_to, region, department, item)
                 .values("department_id").annotate(n=Count("id")).values_list("department_id", "n"))
    out = []
    for dept_id, sums in per.items():
        row, _total = _rollup_row(sums, later.get(dept_id, 0))
        if not (row["received"] or row["accepted"] or row["concluded"]):
            continue
        fig = _figures(row)
        fig["department"] = names[dept_id]
        fig["department_id"] = dept_id
        out.append(fig)
    out.sort(key=lambda f: (-f["received"], f["department"]))
    return out


GROUPS = {
    "department": ("department_id", "department__name"),
    "window": ("window_id", "window__name"),
    "clerk": ("clerk_id", "clerk__username"),
}


PERF_FIELDS = ("n", "on_time", "actual_sum", "actual_n", "committed_sum", "committed_n", "rated", "good",
               "alerted", "alerts", "rect_closed", "rect_rectified")


@_no_jit
def performance(date_from, date_to, group: str = "department", region=None, today=None) -> list[dict]:
    """Per department / window / clerk: volume, on-time rate, speed, satisfaction, alerts, rectifications,
    cards, score; ranked. `today` (default: the local date now) decides which rectifications are due.

    Reads the rankings' rollup (stats.PerfStat, as fresh as the last `rollup.ensure_fresh()`) plus one
    live count of the open rectifications already past due; the same figures as `performance_live`."""
    key, label = GROUPS[group]
    today = today or timezone.localdate()
    qs = PerfStat.objects.filter(day__gte=date_from, day__lte=date_to).exclude(**{f"{key}__isnull": True})
    qs = within_region(qs, region)
    per: dict = {}
    for r in qs.values(key, label, "kind").annotate(**{f: Sum(f) for f in PERF_FIELDS}).order_by(key):
        g = per.setdefault(r[key], {"id": r[key], "name": r[label], "kinds": {}})
        g["kinds"][r["kind"]] = r
    # open rectifications past due on the period's concluded cases: they depend on `today`, so live.
    # Few are open (the status index), so fetch them first and look their cases up by key (one
    # join planned from the open rectifications chose a scan of every rating).
    rating_ids = list(Rectification.objects.filter(status=RectificationStatus.OPEN, due_date__lt=today)
                      .values_list("rating_id", flat=True))
    overdue = {}
    if rating_ids:
        cases = scoped_cases(region).filter(rating__id__in=rating_ids, concluded_on__gte=date_from,
                                            concluded_on__lte=date_to, state__in=DONE_STATES
                                            ).exclude(**{f"{key}__isnull": True})
        overdue = dict(cases.values(key).annotate(n=Count("id")).values_list(key, "n"))
    rows = []
    for gid, g in per.items():
        acc = g["kinds"].get("accepted") or {}
        con = g["kinds"].get("concluded") or {}

        def v(d, f):
            return int(d.get(f) or 0)

        actual_n, committed_n, rated = v(con, "actual_n"), v(con, "committed_n"), v(con, "rated")
        rect_all = v(con, "rect_closed") + overdue.get(gid, 0)
        rows.append({
            "id": gid, "name": g["name"],
            "volume": v(acc, "n"), "concluded": v(con, "n"), "on_time": v(con, "on_time"),
            "avg_actual": v(con, "actual_sum") / actual_n if actual_n else None,
            "avg_committed": v(con, "committed_sum") / committed_n if committed_n else None,
            "alerted": v(acc, "alerted"), "alerts": v(acc, "alerts"),
            "ratings": (v(con, "good"), rated) if rated else None,
            "rect": (v(con, "rect_rectified"), rect_all) if rect_all else None,
        })
    return ranked(rows, _cards(group, date_from, date_to, region))


@_no_jit
def performance_live(date_from, date_to, group: str = "department", region=None, today=None) -> list[dict]:
    """`performance` computed from the case rows themselves (the definition; used by the tests to
    check the rollup, and slow on a large database)."""
    key, label = GROUPS[group]
    today = today or timezone.localdate()
    received_q, accepted_q, concluded_q = _conditions(date_from, date_to)
    base = scoped_cases(region).exclude(**{f"{key}__isnull": True})
    period = _period_cases(base, date_from, date_to).annotate(
        has_alert=Exists(Alert.objects.filter(case=OuterRef("pk")))
    )
    aggs = {
        "volume": Count("id", filter=accepted_q),
        "concluded": Count("id", filter=concluded_q),
        "on_time": Count("id", filter=concluded_q & Q(concluded_on__lte=F("due_date"))),
        "avg_actual": Avg(actual_days_expression(), filter=concluded_q),
        "avg_committed": Avg("committed_days", filter=concluded_q),
        "alerted": Count("id", filter=accepted_q & Q(has_alert=True)),
    }
    live = list(period.values(key, label).annotate(**aggs).order_by(key))
    concluded_cases = base.filter(concluded_q).values("pk")

    ratings = {
        r[f"case__{key}"]: (r["good"], r["all"])
        for r in Rating.objects.filter(case__in=concluded_cases)
        .values(f"case__{key}")
        .annotate(good=Count("id", filter=Q(level__gte=GOOD_LEVEL_MIN)), all=Count("id"))
    }
    alerts = {
        r[f"case__{key}"]: r["all"]
        for r in Alert.objects.filter(case__in=base.filter(accepted_q).values("pk"))
        .values(f"case__{key}")
        .annotate(all=Count("id"))
    }
    # 整改率: rectified / rectifications that are closed or past their due date (docs/metrics.md)
    rects = {
        r[f"rating__case__{key}"]: (r["rectified"], r["all"])
        for r in Rectification.objects.filter(rating__case__in=concluded_cases)
        .filter(~Q(status=RectificationStatus.OPEN) | Q(due_date__lt=today))
        .values(f"rating__case__{key}")
        .annotate(rectified=Count("id", filter=Q(status=RectificationStatus.RECTIFIED)), all=Count("id"))
    }
    rows = [
        {"id": r[key], "name": r[label], "volume": r["volume"], "concluded": r["concluded"], "on_time": r["on_time"],
         "avg_actual": r["avg_actual"], "avg_committed": r["avg_committed"], "alerted": r["alerted"],
         "alerts": alerts.get(r[key], 0), "ratings": ratings.get(r[key]), "rect": rects.get(r[key])}
        for r in live
    ]
    return ranked(rows, _cards(group, date_from, date_to, region))


def _cards(group, date_from, date_to, region=None) -> dict | None:
    """Cards (亮牌) per department or window, not revoked, issued in the period within the region read
    (as the supervision room shows them), counted by colour."""
    if group not in ("department", "window"):
        return None
    start, end = period_bounds(date_from, date_to)
    qs = Card.objects.exclude(**{f"{group}__isnull": True}).filter(
        revoked_at__isnull=True, issued_at__gte=start, issued_at__lt=end
    )
    qs = within_region(qs, region)
    out: dict = {}
    for r in qs.values(f"{group}_id", "colour").annotate(n=Count("id")):
        out.setdefault(r[f"{group}_id"], {})[r["colour"]] = r["n"]
    return out


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def monthly_ranking(year: int, month: int, region=None, group: str = "department", today=None) -> list[dict]:
    """The month's ranking; the last ranked row carries last=True (末位)."""
    date_from, date_to = month_bounds(year, month)
    return performance(date_from, date_to, group=group, region=region, today=today)
