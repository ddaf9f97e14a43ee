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

from onewindow.regions.models import Site, Window
from onewindow.workdays.models import CalendarDay

from .models import Queue, QueueSession, Ticket, WindowQueue
from .opening import CALL_GRACE

T, Q_, WQ, S, QS, CD, W = (Ticket._meta.db_table, Queue._meta.db_table, WindowQueue._meta.db_table,
                           Site._meta.db_table, QueueSession._meta.db_table, CalendarDay._meta.db_table,
                           Window._meta.db_table)
TICKET_COLUMNS = [f.column for f in Ticket._meta.concrete_fields]
QUEUE_NAMES = ["site_id", "code", "prefix", "name"]
SITE_NAMES = ["code", "name"]
WINDOW_NAMES = ["hall_id", "number", "name"]
MAX_ID = 2**63 - 1  # a bigint: a larger id cannot exist (and would be an error in the statement)

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


# The same pick from a bounded set of candidates (ADR 0201): per callable queue of the window, its first
# CANDIDATES waiting tickets in the index's order (a LATERAL index scan that stops there), then the first of
# those in call order that no other call holds. Exact while fewer than CANDIDATES calls of one queue are in
# flight at once (a server runs at most workers × threads); when every candidate is held, `pick` falls back
# to PICK over all waiting tickets. The session test runs once per queue, not once per waiting ticket.
# PostgreSQL only (LATERAL); SQLite runs PICK.
CANDIDATES = 32
PICK_FROM_CANDIDATES = f"""
SELECT {", ".join(f't."{c}"' for c in TICKET_COLUMNS)},
       {", ".join(f'cand."queue__{c}"' for c in QUEUE_NAMES)}, {", ".join(f'cand."site__{c}"' for c in SITE_NAMES)}
FROM (SELECT c.id, c.rank, wq.priority, c.queued_at,
             {", ".join(f'q."{c}" AS "queue__{c}"' for c in QUEUE_NAMES)}, {", ".join(f's."{c}" AS "site__{c}"' for c in SITE_NAMES)}
      FROM {WQ} wq
      JOIN {Q_} q ON q.id = wq.queue_id AND q.active
      JOIN {S} s ON s.id = q.site_id
      CROSS JOIN LATERAL (SELECT x.id, x.rank, x.queued_at FROM {T} x
                          WHERE x.queue_id = wq.queue_id AND x.day = %(day)s AND x.state = 'waiting'
                          ORDER BY x.rank, x.queued_at, x.id LIMIT {CANDIDATES}) c
      WHERE wq.window_id = %(window)s
        AND (NOT EXISTS (SELECT 1 FROM {QS} x WHERE x.queue_id = wq.queue_id)
             OR EXISTS (SELECT 1 FROM {QS} x WHERE x.queue_id = wq.queue_id AND x.start <= %(time)s
                        AND x."end" > %(earliest_end)s
                        AND x.days = (CASE WHEN EXISTS (SELECT 1 FROM {CD} d WHERE d.date = %(day)s AND d.is_workday)
                                      THEN 'workday' ELSE 'restday' END)))) cand
JOIN {T} t ON t.id = cand.id
WHERE t.state = 'waiting'
ORDER BY cand.rank, cand.priority, cand.queued_at, cand.id
LIMIT 1"""


def pick(window_id: int, now: datetime.datetime) -> Ticket | None:
    """The window's first callable ticket (locked on PostgreSQL), its queue and site loaded, or None."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    ops = connection.ops
    params = {"window": window_id, "day": ops.adapt_datefield_value(local.date()),
              "time": ops.adapt_timefield_value(local.time()),
              "earliest_end": ops.adapt_timefield_value(max(local - CALL_GRACE, midnight).time())}
    if connection.vendor != "postgresql":  # SQLite: no LATERAL; its writers are serialised anyway
        return _load(PICK, params)
    lock = " FOR UPDATE OF t SKIP LOCKED"
    return _load(PICK_FROM_CANDIDATES + lock, params) or _load(PICK + lock, params)


def _load(sql: str, params: dict) -> Ticket | None:
    """The ticket of the statement's first row (the ORM's converters applied), with its queue and site
    (and window, when the statement selects it) set from the same row; their other fields are deferred."""
    ticket = next(iter(Ticket.objects.raw(sql, params)), None)
    if ticket is None:
        return None
    ticket.queue = Queue.from_db("default", ["id", *QUEUE_NAMES],
                                 [ticket.queue_id, *(getattr(ticket, f"queue__{c}") for c in QUEUE_NAMES)])
    ticket.site = Site.from_db("default", ["id", *SITE_NAMES],
                               [ticket.site_id, *(getattr(ticket, f"site__{c}") for c in SITE_NAMES)])
    if hasattr(ticket, "window__number"):
        ticket.window = None if ticket.window_id is None else Window.from_db(
            "default", ["id", *WINDOW_NAMES], [ticket.window_id, *(getattr(ticket, f"window__{c}") for c in WINDOW_NAMES)])
    return ticket


LOCKED = f"""
SELECT {", ".join(f't."{c}"' for c in TICKET_COLUMNS)},
       {", ".join(f'q."{c}" AS "queue__{c}"' for c in QUEUE_NAMES)}, {", ".join(f's."{c}" AS "site__{c}"' for c in SITE_NAMES)},
       {", ".join(f'w."{c}" AS "window__{c}"' for c in WINDOW_NAMES)}
FROM {T} t
JOIN {Q_} q ON q.id = t.queue_id
JOIN {S} s ON s.id = t.site_id
LEFT JOIN {W} w ON w.id = t.window_id
WHERE t.id = %(ticket)s AND t.site_id = %(site)s"""


def locked(ticket_id: int, site_id) -> Ticket | None:
    """A ticket of the site, its row locked until commit (PostgreSQL; SQLite serialises writers), with its
    queue, site and window: the clerk's actions read it in one precompiled statement."""
    sql = LOCKED + (" FOR UPDATE OF t" if connection.features.has_select_for_update_of else "")
    return _load(sql, {"ticket": ticket_id, "site": site_id})
