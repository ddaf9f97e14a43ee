"""Supervision rules of the hall, each one set-based query naming its subjects:

- hall.long_wait: a ticket waiting longer than its site's `wait_limit_minutes`;
- hall.idle_while_waiting: an open window idle (nothing held), or paused, for IDLE_MINUTES or more
  while a queue it serves has someone waiting;
- hall.unstaffed: a window serving an active queue that is closed (no clerk signed in) while its
  site is open (a working day, within the site's hours).

`sweep` opens an alert for each new subject and closes those no longer named. Run by the worker.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.regions.models import Site, Window
from onewindow.workdays.selectors import is_workday

from .models import (
    HELD_STATES,
    HallAlert,
    HallRule,
    HallSettings,
    Ticket,
    TicketState,
    WindowState,
    WindowStatus,
)

IDLE_MINUTES = 5
DEFAULT_WAIT_LIMIT = HallSettings._meta.get_field("wait_limit_minutes").default


def _waiting_for_window(today):
    return Exists(Ticket.objects.filter(queue__window_links__window=OuterRef("window_id"), day=today,
                                        state=TicketState.WAITING))


def long_waits(now) -> dict[str, dict]:
    today = timezone.localdate(now)
    limit = Subquery(HallSettings.objects.filter(site=OuterRef("site_id")).values("wait_limit_minutes")[:1])
    rows = (Ticket.objects.filter(day=today, state=TicketState.WAITING)
            .annotate(limit=limit).values("id", "site_id", "number", "queued_at", "limit")[:5000])
    out = {}
    for r in rows:
        minutes = r["limit"] or DEFAULT_WAIT_LIMIT
        if now - r["queued_at"] > datetime.timedelta(minutes=minutes):
            out[f"ticket:{r['id']}"] = {"site_id": r["site_id"], "ticket_id": r["id"], "window_id": None,
                                        "detail": {"number": r["number"], "limit": minutes}}
    return out


def idle_windows(now) -> dict[str, dict]:
    today = timezone.localdate(now)
    held = Exists(Ticket.objects.filter(window=OuterRef("window_id"), state__in=HELD_STATES))
    last_end = Subquery(Ticket.objects.filter(window=OuterRef("window_id"), ended_at__isnull=False)
                        .order_by("-ended_at").values("ended_at")[:1])
    cutoff = now - datetime.timedelta(minutes=IDLE_MINUTES)
    rows = (WindowStatus.objects.filter(state__in=(WindowState.OPEN, WindowState.PAUSED), since__lte=cutoff)
            .annotate(held=held, waiting=_waiting_for_window(today), last_end=last_end)
            .filter(held=False, waiting=True).filter(Q(last_end__isnull=True) | Q(last_end__lte=cutoff))
            .values("window_id", "state", "window__hall__site_id")[:5000])
    return {f"window:{r['window_id']}": {"site_id": r["window__hall__site_id"], "window_id": r["window_id"],
                                          "ticket_id": None, "detail": {"state": r["state"]}} for r in rows}


def unstaffed_windows(now) -> dict[str, dict]:
    local = timezone.localtime(now)
    if not is_workday(local.date()):
        return {}
    t = local.time()
    open_sites = Site.objects.filter(Q(morning_open__lte=t, morning_close__gt=t)
                                     | Q(afternoon_open__lte=t, afternoon_close__gt=t), queues__active=True)
    staffed = WindowStatus.objects.filter(window=OuterRef("pk")).exclude(state=WindowState.CLOSED)
    rows = (Window.objects.filter(hall__site__in=open_sites, queue_links__queue__active=True)
            .exclude(Exists(staffed)).distinct().values("id", "hall__site_id", "number")[:5000])
    return {f"window:{r['id']}": {"site_id": r["hall__site_id"], "window_id": r["id"], "ticket_id": None,
                                   "detail": {"window": r["number"]}} for r in rows}


RULES = {HallRule.LONG_WAIT: long_waits, HallRule.IDLE_WHILE_WAITING: idle_windows,
         HallRule.UNSTAFFED: unstaffed_windows}


@transaction.atomic
def sweep(now=None) -> dict:
    now = now or timezone.now()
    result = {}
    for rule, find in RULES.items():
        found = find(now)
        open_ = dict(HallAlert.objects.filter(rule=rule, closed_at__isnull=True).values_list("subject", "id"))
        new = [HallAlert(rule=rule, subject=s, since=now, site_id=v["site_id"], window_id=v["window_id"],
                         ticket_id=v["ticket_id"], detail=v["detail"]) for s, v in found.items() if s not in open_]
        HallAlert.objects.bulk_create(new, ignore_conflicts=True)
        gone = [pk for s, pk in open_.items() if s not in found]
        HallAlert.objects.filter(pk__in=gone).update(closed_at=now)
        if new or gone:
            record(actor=None, action="hall.sweep", obj_type="hall_rule", obj_id=rule,
                   after={"opened": len(new), "closed": len(gone)})
        result[rule.value] = {"opened": len(new), "closed": len(gone), "open": len(found)}
    return result


def open_alerts(site_ids, limit=100):
    return list(HallAlert.objects.filter(closed_at__isnull=True, site_id__in=site_ids)
                .select_related("site", "window", "ticket").order_by("-since")[:limit])



