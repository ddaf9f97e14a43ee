"""Unified case numbers (一号申请): 6-digit region code + YYYYMMDD + 6-digit daily sequence.

One `UPDATE … RETURNING` increments the (region, day) row and takes its row lock (on
SQLite, IMMEDIATE transactions serialise writers); the row is created on first use. It
runs inside the caller's transaction, so numbers are unique and, since a rolled-back
filing rolls back its increment too, gap-free. Callers draw the number as late as they
can: the lock is held until their transaction commits.
"""

import datetime
import secrets

from django.db import connection, transaction

from .models import NumberSequence

QUERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def next_number(region_code: str, day: datetime.date) -> str:
    scope = region_code[:6]
    if len(scope) != 6 or not scope.isdigit():
        raise ValueError(f"bad region code for numbering: {region_code!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the filing transaction")
    table = NumberSequence._meta.db_table
    sql = f"UPDATE {table} SET value = value + 1 WHERE scope = %s AND day = %s RETURNING value"
    with connection.cursor() as cur:
        cur.execute(sql, [scope, day.isoformat()])
        row = cur.fetchone()
        if row is None:
            NumberSequence.objects.bulk_create([NumberSequence(scope=scope, day=day, value=0)], ignore_conflicts=True)
            cur.execute(sql, [scope, day.isoformat()])
            row = cur.fetchone()
    value = row[0]
    if value > 999_999:
        raise OverflowError("daily sequence exhausted")
    return f"{scope}{day:%Y%m%d}{value:06d}"


def new_query_code(length: int = 6) -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(length))
