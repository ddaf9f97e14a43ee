"""Unified case numbers (一号申请): 6-digit region code + YYYYMMDD + 6-digit daily sequence.

The sequence row for (region, day) is created if missing and then locked
(SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers),
inside the caller's transaction, so numbers are unique and, since a rolled-back filing
rolls back its increment too, gap-free.
"""

import datetime
import secrets

from django.db import transaction

from .models import NumberSequence

QUERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def next_number(region_code: str, day: datetime.date) -> str:
    scope = region_code[:6]
    if len(scope) != 6 or not scope.isdigit():
        raise ValueError(f"bad region code for numbering: {region_code!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the filing transaction")
    NumberSequence.objects.bulk_create([NumberSequence(scope=scope, day=day, value=0)], ignore_conflicts=True)
    row = NumberSequence.objects.select_for_update().get(scope=scope, day=day)
    row.value += 1
    if row.value > 999_999:
        raise OverflowError("daily sequence exhausted")
    row.save(update_fields=["value"])
    return f"{scope}{day:%Y%m%d}{row.value:06d}"


def new_query_code(length: int = 6) -> str:
    return "".join(secrets.choice(QUERY_ALPHABET) for _ in range(length))
