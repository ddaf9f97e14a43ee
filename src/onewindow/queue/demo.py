"""Hall demo: a queue per hall of the city centre and a 综合受理 queue at each county centre, windows
linked to their hall's queue, appointment slots, and one working day of served tickets in the history
(the last working day before today). Idempotent."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from onewindow.regions import demo as regions_demo
from onewindow.regions.models import Hall, Site, SiteKind, SiteLevel, Window
from onewindow.workdays.selectors import is_workday

from .models import HallSettings, Priority, Queue, Ticket, TicketEvent, TicketState, WindowQueue

PREFIXES = "ABCDEFGH"
TICKETS_PER_QUEUE = 40


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text + "\n")


def _queue_specs():
    centre = Site.objects.filter(code=regions_demo.CENTRE_CODE).first()
    specs = []
    if centre is not None:
        for i, hall in enumerate(Hall.objects.filter(site=centre).order_by("id")[:len(PREFIXES)]):
            specs.append((centre, hall, f"hall{i + 1}", PREFIXES[i], hall.name))
    for site in Site.objects.filter(level=SiteLevel.COUNTY, kind=SiteKind.CENTRE).order_by("code"):
        hall = Hall.objects.filter(site=site).order_by("id").first()
        specs.append((site, hall, "general", "A", "综合受理"))
    return specs


def _last_workday(today):
    d = today - datetime.timedelta(days=1)
    for _ in range(30):
        if is_workday(d):
            return d
        d -= datetime.timedelta(days=1)
    return None


@transaction.atomic
def load(stdout=None) -> int:
    created = 0
    queues = []
    for site, hall, code, prefix, name in _queue_specs():
        q, new = Queue.objects.get_or_create(site=site, code=code, defaults={
            "hall": hall, "prefix": prefix, "name": name, "slot_capacity": 4, "order": len(queues)})
        created += new
        queues.append(q)
        HallSettings.objects.get_or_create(site=site)
        for window in Window.objects.filter(hall=hall) if hall else []:
            WindowQueue.objects.get_or_create(window=window, queue=q, defaults={"priority": 1})
    day = _last_workday(timezone.localdate())
    tickets = 0
    if day is not None and not Ticket.objects.filter(day=day, queue__in=queues).exists():
        tickets = _history(queues, day)
    _say(stdout, f"  queue: {len(queues)} queues (+{created}), {tickets} tickets on {day}")
    return created


def _history(queues, day) -> int:
    rng = random.Random(f"queue-{day}")
    tz = timezone.get_current_timezone()
    n = 0
    events = []
    for q in queues:
        windows = list(Window.objects.filter(queue_links__queue=q).order_by("number")[:4])
        if not windows:
            continue
        free = {w.pk: datetime.datetime.combine(day, datetime.time(9, 0), tz) for w in windows}
        t = datetime.datetime.combine(day, datetime.time(8, 50), tz)
        for seq in range(1, TICKETS_PER_QUEUE + 1):
            t += datetime.timedelta(minutes=rng.randint(2, 9))
            w = min(windows, key=lambda x: free[x.pk])
            called = max(t + datetime.timedelta(minutes=1), free[w.pk])
            no_show = rng.random() < 0.05
            started = None if no_show else called + datetime.timedelta(minutes=1)
            ended = called + datetime.timedelta(minutes=2) if no_show else started + datetime.timedelta(
                minutes=rng.randint(4, 15))
            free[w.pk] = ended
            prio = Priority.APPOINTMENT if rng.random() < 0.15 else ""
            ticket = Ticket.objects.create(
                site=q.site, queue=q, day=day, seq=seq, number=f"{q.prefix}{seq:03d}",
                state=TicketState.NO_SHOW if no_show else TicketState.DONE, priority=prio, rank=0 if prio else 1,
                queued_at=t, issued_at=t, called_at=called, started_at=started, ended_at=ended, window=w,
                ahead_notified=True)
            steps = [("issue", "", "waiting", t), ("call", "waiting", "called", called)]
            steps += [("no_show", "called", "no_show", ended)] if no_show else [
                ("start", "called", "serving", started), ("finish", "serving", "done", ended)]
            events += [TicketEvent(ticket=ticket, action=a, from_state=f, to_state=s, at=at, window=w,
                                   data={"demo": True}) for a, f, s, at in steps]
            n += 1
    TicketEvent.objects.bulk_create(events)
    return n
