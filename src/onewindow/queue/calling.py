"""Call-next's pick: the window's first callable ticket, locked, in one precompiled statement.

The hot path of the hall (every window calls many times an hour, many windows at once), so the
statement is written once here rather than compiled by the ORM on every call. Order: priority
tickets first (rank 0), then the window's queue priority, then the time queued, then the id;
the partial index ticket_waiting_order (queue, day, rank, queued_at, id WHERE state = 'waiting')
holds only waiting tickets in that order per queue. Only queues open now are called
(opening.py: own sessions of today's kind, with CALL_GRACE after a session's end).

PostgreSQL: FOR UPDATE OF the ticket SKIP LOCKED, so two windows calling at once take different
tickets without waiting for each other. SQLite: no row locks; the IMMEDIATE transaction
serialises writers, so the second window sees the first one's call.
"""

import datetime

from django.db import connection
from django.utils import timezone

from onewindow.regions.models import Site
from onewindow.workdays.models import CalendarDay

from .models import Queue, QueueSession, Ticket, WindowQueue
from .opening import CALL_GRACE

T, Q_, WQ, S, QS, CD = (Ticket._meta.db_table, Queue._meta.db_table, WindowQueue._meta.db_table, Site._meta.db_table,
                        QueueSession._meta.db_table, CalendarDay._meta.db_table)
TICKET_COLUMNS = [f.column for f in Ticket._meta.concrete_fields]
QUEUE_NAMES = ["site_id", "code", "prefix", "name"]
SITE_NAMES = ["code", "name"]

PICK = f"""
SELECT {", ".join(f't."{c}"' for c in TICKET_COLUMNS)},
       {", ".join(f'q."{c}" AS "queue__{c}"' for c in QUEUE_NAMES)}, {", ".join(f's."{c}" AS "site__{c}"' for c in SITE_NAMES)}
FROM {T} t
JOIN {WQ} wq ON wq.queue_id = t.queue_id AND wq.window_id = %(window)s
JOIN {Q_} q ON q.id = t.queue_id
JOIN {S} s ON s.id = t.site_id
WHERE t.day = %(day)s AND t.state = 'waiting' AND q.active
  AND (NOT EXISTS (SELECT 1 FROM {QS} x WHERE x.queue_id = t.queue_id)
       OR EXISTS (SELECT 1 FROM {QS} x WHERE x.queue_id = t.queue_id AND x.start <= %(time)s
                  AND x."end" > %(earliest_end)s
                  AND x.days = (CASE WHEN EXISTS (SELECT 1 FROM {CD} d WHERE d.date = %(day)s AND d.is_workday)
                                THEN 'workday' ELSE 'restday' END)))
ORDER BY t.rank, wq.priority, t.queued_at, t.id
LIMIT 1"""


def pick(window_id: int, now: datetime.datetime) -> Ticket | None:
    """The window's first callable ticket (locked on PostgreSQL), its queue and site loaded, or None."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    ops = connection.ops
    params = {"window": window_id, "day": ops.adapt_datefield_value(local.date()),
              "time": ops.adapt_timefield_value(local.time()),
              "earliest_end": ops.adapt_timefield_value(max(local - CALL_GRACE, midnight).time())}
    sql = PICK
    if connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE OF t SKIP LOCKED"
    ticket = next(iter(Ticket.objects.raw(sql, params)), None)  # converters applied, like the ORM's
    if ticket is None:
        return None
    ticket.queue = Queue.from_db("default", ["id", *QUEUE_NAMES],
                                 [ticket.queue_id, *(getattr(ticket, f"queue__{c}") for c in QUEUE_NAMES)])
    ticket.site = Site.from_db("default", ["id", *SITE_NAMES],
                               [ticket.site_id, *(getattr(ticket, f"site__{c}") for c in SITE_NAMES)])
    return ticket
