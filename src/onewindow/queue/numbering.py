"""Ticket numbers: prefix + 3 digits per site, queue and day, from a counter row.

Drawn like case numbers (cases/numbering.py): one `UPDATE … RETURNING` increments the
(queue, day) row and holds its row lock until the caller's transaction commits (on SQLite,
IMMEDIATE transactions serialise writers). A refused issuance rolls its increment back, so
numbers are unique and gap-free.
"""

import datetime

from django.db import connection, transaction

from .models import TicketCounter

MAX_SEQ = 999


def draw(queue_id: int, day: datetime.date) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("draw must run inside the issuing transaction")
    table = TicketCounter._meta.db_table
    sql = f"UPDATE {table} SET value = value + 1 WHERE queue_id = %s AND day = %s RETURNING value"
    with connection.cursor() as cur:
        cur.execute(sql, [queue_id, day.isoformat()])
        row = cur.fetchone()
        if row is None:
            TicketCounter.objects.bulk_create([TicketCounter(queue_id=queue_id, day=day, value=0)],
                                              ignore_conflicts=True)
            cur.execute(sql, [queue_id, day.isoformat()])
            row = cur.fetchone()
    return row[0]


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"
