"""Plain-row bulk inserts for generated data: `executemany` on prepared tuples, without building a model
instance or running the ORM's per-value compiler for each of a hundred thousand rows.

Django's bulk_create spends most of its time in Python per value (model __init__, prepare_value,
get_db_prep_save): about 0.3 ms a row for a ten-column row, so the ~140,000 rows of the demo history
took over a minute on SQLite. Here each column's conversion is chosen once per call (dates, times and
JSON as the backend stores them; everything else as is), and the rows go in with one `executemany`.
Used by `onewindow generate` and the stats rollup rebuild; services that record real actions keep
using the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from django.db import connections, models

M = TypeVar("M", bound=models.Model)


def _converter(field: models.Field, connection) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    ops = connection.ops
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "TimeField":
        return ops.adapt_timefield_value
    if kind == "DecimalField":
        digits, places = getattr(field, "max_digits", None), getattr(field, "decimal_places", None)
        return lambda v: ops.adapt_decimalfield_value(v, digits, places)
    if kind == "JSONField":
        if connection.vendor == "postgresql":
            return lambda v: field.get_db_prep_save(v, connection)
        return lambda v: v if isinstance(v, str) or v is None else json.dumps(v, ensure_ascii=False)
    if kind in ("UUIDField", "DurationField"):
        return lambda v: field.get_db_prep_save(v, connection)
    return lambda v: v


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]],
                *, using: str = "default", chunk: int = 5000) -> int:
    """Insert `rows` (tuples in the order of `attnames`, e.g. "case_id") into `model`'s table.
    Columns not named take their database default (so name every NOT NULL column without one).
    JSON values may be given as text already. Returns the number of rows."""
    connection = connections[using]
    fields = [cast(models.Field, model._meta.get_field(a)) for a in attnames]  # get_field knows attnames too
    convert = [_converter(f, connection) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(str(f.column)) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    total = 0
    batch: list[tuple] = []
    with connection.cursor() as cur:
        for row in rows:
            batch.append(tuple(c(v) for c, v in zip(convert, row, strict=True)))
            if len(batch) >= chunk:
                cur.executemany(sql, batch)
                total += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            total += len(batch)
    return total


def insert_objects(objs: Sequence[M], *, using: str = "default", with_ids: bool = False) -> int:
    """Insert unsaved instances of one model as plain rows (auto_now fields filled as bulk_create
    would). With `with_ids` each instance gets its primary key first, drawn after the table's highest
    id and sequence (SQLite: call inside the transaction that holds the write lock, as Django's
    IMMEDIATE transactions do; PostgreSQL: from the serial sequence)."""
    if not objs:
        return 0
    model = type(objs[0])
    connection = connections[using]
    pk = model._meta.pk
    if with_ids:
        for obj, pk_value in zip(objs, _next_ids(model, len(objs), connection), strict=True):
            setattr(obj, pk.attname, pk_value)
    fields = [f for f in model._meta.concrete_fields if with_ids or f is not pk]
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for f in auto:
            f.pre_save(obj, True)
    attnames = [f.attname for f in fields]
    return insert_rows(model, attnames, ([getattr(o, a) for a in attnames] for o in objs), using=using)


def _next_ids(model, n: int, connection) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', %s)) FROM generate_series(1, %s)",
                        [model._meta.pk.column, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(model._meta.pk.column)}), 0) "
                    f"FROM {connection.ops.quote_name(table)}")
        top = cur.fetchone()[0]
        if connection.vendor == "sqlite":
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))
