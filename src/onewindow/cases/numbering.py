"""Unified case numbers (一号申请): 6-digit region code + YYYYMMDD + 6-digit daily sequence.

One `UPDATE … RETURNING` increments the (region, day) row and takes its row lock (on
SQLite, IMMEDIATE transactions serialise writers); the row is created on first use. It
runs inside the caller's transaction, so numbers are unique and, since a rolled-back
filing rolls back its increment too, gap-free. Callers draw the number as late as they
can: the lock is held until their transaction commits (filing writes the case under a placeholder
first and draws its number after the case's rows are written).
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


def number_case(case_id: int, region_code: str, day: datetime.date) -> str:
    """Draw the next number (as next_number) and write it on the case `case_id` (filed under a
    placeholder): on PostgreSQL one statement, the sequence's UPDATE … RETURNING feeding the case's
    UPDATE, so the round trips under the sequence row's lock stay as few as before the reordering."""
    from .models import Case

    scope = region_code[:6]
    conn = transaction.get_connection()
    if conn.vendor != "postgresql" or len(scope) != 6 or not scope.isdigit() or not conn.in_atomic_block:
        number = next_number(region_code, day)
        Case.objects.filter(pk=case_id).update(number=number)
        return number
    seq, cases = NumberSequence._meta.db_table, Case._meta.db_table
    sql = (f"WITH n AS (UPDATE {seq} SET value = value + 1 WHERE scope = %s AND day = %s RETURNING value) "
           f"UPDATE {cases} SET number = CASE WHEN n.value <= 999999 THEN %s || lpad(n.value::text, 6, '0') "
           f"ELSE {cases}.number END FROM n WHERE {cases}.id = %s "
           f"RETURNING n.value")
    prefix = f"{scope}{day:%Y%m%d}"
    with connection.cursor() as cur:
        cur.execute(sql, [scope, day.isoformat(), prefix, case_id])
        row = cur.fetchone()
    if row is None:  # no sequence row for the day yet: created by next_number's path
        number = next_number(region_code, day)
        Case.objects.filter(pk=case_id).update(number=number)
        return number
    if row[0] > 999_999:
        raise OverflowError("daily sequence exhausted")
    return f"{prefix}{row[0]:06d}"


def placeholder() -> str:
    """A unique stand-in for the number of a case written before its number is drawn (cases.filing):
    20 characters that no real number matches (it starts with "~"), never committed."""
    return "~" + secrets.token_hex(10)[:19]


def new_query_code(length: int = 6) -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(length))
