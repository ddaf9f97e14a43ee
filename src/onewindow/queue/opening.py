"""Opening sessions of a queue (延时服务, weekend service): when a queue issues tickets and is called.

A queue with sessions of its own is open only within them: its `workday` sessions on the calendar's
working days (make-up working days included), its `restday` sessions on days off (weekends and
holidays). A queue without sessions is not restricted here: it follows the site's hours, which
the staff keep (and which appointments are cut from).

Issuing (kiosk, API, appointment check-in, transfer into the queue) outside a session: 409
`queue_closed`, naming today's sessions. Calling: a window takes tickets of an open queue, and of
a queue whose session ended less than CALL_GRACE ago (the people who took a number before it
closed are still served); in a longer gap (e.g. between a morning and an evening session) the
queue's tickets wait for its next session. That condition is part of call-next's pick (calling.py).
"""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import Conflict
from onewindow.workdays.selectors import is_workday

from .models import Queue, QueueSession, SessionDays

CALL_GRACE = datetime.timedelta(minutes=30)


def day_kind(day: datetime.date) -> str:
    return SessionDays.WORKDAY if is_workday(day) else SessionDays.RESTDAY


def has_sessions() -> Exists:
    """Annotation for a Queue queryset: whether the queue has sessions of its own."""
    return Exists(QueueSession.objects.filter(queue=OuterRef("pk")))


def describe(sessions) -> str:
    return "、".join(f"{s.start:%H:%M}–{s.end:%H:%M}" for s in sessions) or _("无")


def check_issuing(queue: Queue, now: datetime.datetime | None = None) -> None:
    """Raise 409 `queue_closed` when the queue has sessions and none is open now (local time)."""
    now = timezone.localtime(now or timezone.now())
    sessions = list(queue.sessions.all())
    if not sessions:
        return
    kind = day_kind(now.date())
    today = [s for s in sessions if s.days == kind]
    t = now.time()
    if any(s.start <= t < s.end for s in today):
        return
    message = (_("%(queue)s 现在不在服务时段，今日（%(kind)s）服务时段：%(sessions)s")
               % {"queue": queue.name, "kind": SessionDays(kind).label, "sessions": describe(today)})
    raise Conflict(message, fields={"queue": message}, code="queue_closed")

