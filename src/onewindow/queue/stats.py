"""Hall statistics in SQL: waits (average, 90th percentile), service time, tickets per window and clerk,
appointment share, no-show rate.

Wait = called_at − queued_at of tickets called; service = ended_at − started_at of tickets
done. A transferred ticket's continuation (transferred_from set) is not a new arrival: it
counts for service but not for tickets issued or waits. The 90th percentile is the nearest
rank (the ⌈0.9·n⌉-th smallest), read with ORDER BY … OFFSET on both databases.
"""

import datetime
import math

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from onewindow.regions.models import Site
from onewindow.regions.selectors import region_prefix

from .models import Priority, Ticket, TicketState


def _tickets(site_ids, start: datetime.date, end: datetime.date):
    qs = Ticket.objects.filter(day__gte=start, day__lte=end)
    if site_ids is not None:
        qs = qs.filter(site_id__in=site_ids)
    return qs


def _minutes(delta) -> float | None:
    if delta is None:
        return None
    if not isinstance(delta, datetime.timedelta):  # SQLite may hand back microseconds
        delta = datetime.timedelta(microseconds=float(delta))
    return round(delta.total_seconds() / 60, 2)


WAIT = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
SERVICE = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())


def avg_wait_by_queue(site_ids, start, end) -> dict[str, float]:
    rows = (_tickets(site_ids, start, end).filter(called_at__isnull=False, transferred_from__isnull=True)
            .values("queue__code").annotate(w=Avg(WAIT)))
    return {r["queue__code"]: _minutes(r["w"]) for r in rows}


def _p90(qs, expr) -> float | None:
    n = qs.count()
    if not n:
        return None
    k = math.ceil(0.9 * n) - 1
    value = qs.annotate(d=expr).order_by("d").values_list("d", flat=True)[k:k + 1]
    return _minutes(list(value)[0])


def summary(site_ids, start: datetime.date, end: datetime.date) -> dict:
    base = _tickets(site_ids, start, end)
    arrivals = base.filter(transferred_from__isnull=True)
    counts = arrivals.aggregate(
        issued=Count("id"),
        appointments=Count("id", filter=Q(priority=Priority.APPOINTMENT)),
        no_show=Count("id", filter=Q(state=TicketState.NO_SHOW)),
        called=Count("id", filter=Q(called_at__isnull=False)),
    )
    called = arrivals.filter(called_at__isnull=False)
    served = base.filter(state=TicketState.DONE, started_at__isnull=False, ended_at__isnull=False)
    avg_wait = called.aggregate(w=Avg(WAIT))["w"]
    avg_service = served.aggregate(s=Avg(SERVICE))["s"]
    per_window = list(base.filter(state=TicketState.DONE, window__isnull=False)
                      .values("window__hall__site__code", "window__hall__site__name", "window__number").annotate(n=Count("id"))
                      .order_by("-n", "window__number")[:50])
    per_clerk = list(base.filter(state=TicketState.DONE, clerk__isnull=False)
                     .values("clerk__username", "clerk__display_name").annotate(n=Count("id"))
                     .order_by("-n", "clerk__username")[:50])
    issued = counts["issued"]
    return {
        "days": by_day(arrivals, served),
        "tickets": issued,
        "tickets_served": served.count(),
        "avg_wait_minutes": _minutes(avg_wait),
        "p90_wait_minutes": _p90(called, WAIT),
        "avg_service_minutes": _minutes(avg_service),
        "appointment_share": round(counts["appointments"] / issued, 4) if issued else None,
        "no_show_rate": round(counts["no_show"] / counts["called"], 4) if counts["called"] else None,
        "per_window": [{"site": r["window__hall__site__code"], "site_name": r["window__hall__site__name"],
                        "window": r["window__number"], "served": r["n"]}
                       for r in per_window],
        "per_clerk": [{"clerk": r["clerk__display_name"] or r["clerk__username"], "served": r["n"]}
                      for r in per_clerk],
    }


def by_day(arrivals, served) -> list[dict]:
    """Per day: tickets issued, served, average wait and service, no-show rate (two grouped queries)."""
    rows = {r["day"]: r for r in arrivals.values("day").annotate(
        issued=Count("id"), called=Count("id", filter=Q(called_at__isnull=False)),
        no_show=Count("id", filter=Q(state=TicketState.NO_SHOW)),
        w=Avg(WAIT, filter=Q(called_at__isnull=False))).order_by("day")}
    service = {r["day"]: r for r in served.values("day").annotate(n=Count("id"), s=Avg(SERVICE)).order_by("day")}
    out = []
    for day in sorted(set(rows) | set(service)):
        r, v = rows.get(day, {}), service.get(day, {})
        called = r.get("called") or 0
        out.append({"day": day, "tickets": r.get("issued") or 0, "tickets_served": v.get("n") or 0,
                    "avg_wait_minutes": _minutes(r.get("w")), "avg_service_minutes": _minutes(v.get("s")),
                    "no_show_rate": round(r["no_show"] / called, 4) if called else None})
    return out


def summary_for_region(start: datetime.date, end: datetime.date, region: str | None) -> dict:
    """`summary` over the sites of the region (every site when None)."""
    site_ids = None
    if region:
        site_ids = list(Site.objects.filter(region__code__startswith=region_prefix(region)).values_list("pk", flat=True))
    return summary(site_ids, start, end)


def summary_keys(start: datetime.date, end: datetime.date, region: str | None) -> dict:
    """The hall's keys for /api/v1/stats/summary."""
    s = summary_for_region(start, end, region)
    return {f"queue_{k}": s[k] for k in ("tickets", "tickets_served", "avg_wait_minutes", "p90_wait_minutes",
                                         "avg_service_minutes", "appointment_share", "no_show_rate")}
