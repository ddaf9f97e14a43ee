"""The hall's hot-path statements, written once (ADR 0201): the ORM's compilation of these small
statements was most of a call's CPU. Each one is the statement the ORM would send, with the
values adapted by the backend's own operations; column names come from `_meta`.

- `change`: a state change's ticket UPDATE, TicketEvent INSERT and audit INSERT, in one statement on PostgreSQL;
- `update_ticket`: an UPDATE of named ticket columns by id (one cached statement per set of columns);
- `locked_status`: the window's status row FOR UPDATE with the number of the ticket it holds;
- `front`: the first four waiting tickets of a queue and day (the "three ahead" message);
- `case_filed`: the case a clerk filed since calling a ticket (id and number only).
"""

import datetime
import json

from django.db import connection

from onewindow.cases.models import Case

from .models import HELD_STATES, Ticket, TicketEvent, TicketState, WindowStatus

_cache: dict[tuple, str] = {}


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _cached(key: tuple, build) -> str:
    key = (connection.vendor, *key)
    sql = _cache.get(key)
    if sql is None:
        sql = _cache[key] = build()
    return sql


def _adapt(value):
    ops = connection.ops
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    return value


EVENT_COLUMNS = ["ticket_id", "action", "from_state", "to_state", "at", "actor_id", "window_id", "data"]


def _event_sql() -> str:
    def build():
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        return (f"INSERT INTO {_q(TicketEvent._meta.db_table)} ({', '.join(_q(c) for c in EVENT_COLUMNS)}) "
                f"VALUES ({', '.join(['%s'] * 7)}, %s{cast})")

    return _cached(("event",), build)


def _update_sql(names: tuple) -> str:
    def build():
        sets = ", ".join(f"{_q(Ticket._meta.get_field(n.removesuffix('_id')).column if n.endswith('_id') else n)} = %s"
                         for n in names)
        return f"UPDATE {_q(Ticket._meta.db_table)} SET {sets} WHERE {_q('id')} = %s"

    return _cached(("update", names), build)


def update_ticket(pk: int, **values) -> None:
    """UPDATE the ticket's named columns (field names or attnames: `window_id`, `case_id`)."""
    with connection.cursor() as cur:
        cur.execute(_update_sql(tuple(values)), [*(_adapt(v) for v in values.values()), pk])


def change(ticket: Ticket, action: str, from_state: str, at, actor_id, window_id, data: dict, audit: tuple,
           update: dict | None = None) -> TicketEvent:
    """A state change's writes: the ticket's UPDATE (`update`, column → value), its TicketEvent and its audit
    entry (`audit`: audit.services.prepare's entry, INSERT and parameters). On PostgreSQL one statement (a
    data-modifying WITH: one round trip instead of three, each of which waits for a CPU on a busy machine);
    elsewhere three."""
    from onewindow.audit.services import appended

    entry, audit_sql, audit_params = audit
    event_params = [ticket.pk, action, from_state, ticket.state, _adapt(at), actor_id, window_id, json.dumps(data)]
    update_params = [*(_adapt(v) for v in update.values()), ticket.pk] if update else []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            head = f"u AS ({_update_sql(tuple(update))}), " if update else ""
            cur.execute(f"WITH {head}e AS ({_event_sql()} RETURNING {_q('id')}) {audit_sql} "
                        f"RETURNING {_q('seq')}, (SELECT {_q('id')} FROM e)", [*update_params, *event_params, *audit_params])
            seq, pk = cur.fetchone()
        else:
            if update:
                cur.execute(_update_sql(tuple(update)), update_params)
            cur.execute(_event_sql(), event_params)
            pk = cur.lastrowid
            cur.execute(audit_sql, audit_params)
            seq = cur.lastrowid
    appended(entry, seq)
    ev = TicketEvent(id=pk, ticket=ticket, action=action, from_state=from_state, to_state=ticket.state, at=at,
                     actor_id=actor_id, window_id=window_id, data=data)
    ev._state.adding, ev._state.db = False, "default"
    return ev


STATUS_COLUMNS = ["id", "window_id", "state", "clerk_id", "since"]


def locked_status(window_id: int) -> WindowStatus | None:
    """The window's status row locked (PostgreSQL: FOR UPDATE OF it; SQLite serialises writers), with `held`:
    the number of a ticket the window holds (called or serving), or None."""
    def build():
        t = _q(Ticket._meta.db_table)
        sql = (f"SELECT {', '.join(f'ws.{_q(c)}' for c in STATUS_COLUMNS)}, "
               f"(SELECT t.{_q('number')} FROM {t} t WHERE t.{_q('window_id')} = ws.{_q('window_id')} "
               f"AND t.{_q('state')} IN ({', '.join(repr(str(s)) for s in HELD_STATES)}) LIMIT 1) "
               f"FROM {_q(WindowStatus._meta.db_table)} ws WHERE ws.{_q('window_id')} = %s")
        return sql + (" FOR UPDATE OF ws" if connection.features.has_select_for_update_of else "")

    sql = _cached(("status",), build)
    with connection.cursor() as cur:
        cur.execute(sql, [window_id])
        row = cur.fetchone()
    if row is None:
        return None
    since = row[4]
    if connection.vendor == "sqlite":  # the ORM's converter: text or naive UTC to an aware datetime
        since = connection.ops.convert_datetimefield_value(since, None, connection)  # type: ignore[attr-defined]
    status = WindowStatus.from_db("default", STATUS_COLUMNS, [*row[:4], since])
    status.held = row[5]  # type: ignore[attr-defined]
    return status


def front(queue_id: int, day, n: int, exclude: int = 0) -> list[tuple]:
    """(id, number, phone, ahead_notified) of the first `n` waiting tickets in call order (index ticket_waiting_order),
    without ticket `exclude` (the one being called, whose UPDATE is sent later in the same transaction)."""
    def build():
        return (f"SELECT {_q('id')}, {_q('number')}, {_q('phone')}, {_q('ahead_notified')} "
                f"FROM {_q(Ticket._meta.db_table)} WHERE {_q('queue_id')} = %s AND {_q('day')} = %s "
                f"AND {_q('state')} = '{TicketState.WAITING}' AND {_q('id')} <> %s "
                f"ORDER BY {_q('rank')}, {_q('queued_at')}, {_q('id')} LIMIT %s")

    sql = _cached(("front",), build)
    with connection.cursor() as cur:
        cur.execute(sql, [queue_id, _adapt(day), exclude, n])
        return [(pk, number, phone, bool(notified)) for pk, number, phone, notified in cur.fetchall()]


def case_filed(clerk_id: int, since, id_number: str = "") -> Case | None:
    """The clerk's latest case submitted since `since` (the applicant's, given an ID number): id and number
    loaded, the rest deferred."""
    def build(with_id):
        sql = (f"SELECT {_q('id')}, {_q('number')} FROM {_q(Case._meta.db_table)} WHERE "
               f"{_q(Case._meta.get_field('filed_by').column)} = %s AND {_q('submitted_at')} >= %s")
        if with_id:
            sql += f" AND {_q('applicant_id')} = %s"
        return sql + f" ORDER BY {_q('submitted_at')} DESC LIMIT 1"

    sql = _cached(("case", bool(id_number)), lambda: build(bool(id_number)))
    with connection.cursor() as cur:
        cur.execute(sql, [clerk_id, _adapt(since), *([id_number] if id_number else [])])
        row = cur.fetchone()
    return None if row is None else Case.from_db("default", ["id", "number"], list(row))


def site_queue(site_code: str, queue_code: str):
    """The active queue of the site by codes, its site (id, code, name) set and `has_sessions`
    (whether it has opening sessions of its own), or None: issuance's first read."""
    from onewindow.regions.models import Site

    from .models import Queue, QueueSession

    def build():
        cols = ", ".join(f"q.{_q(f.column)}" for f in Queue._meta.concrete_fields)
        return (f"SELECT {cols}, s.{_q('code')} AS site__code, s.{_q('name')} AS site__name, "
                f"EXISTS (SELECT 1 FROM {_q(QueueSession._meta.db_table)} x WHERE x.{_q('queue_id')} = q.{_q('id')}) "
                f"AS has_sessions FROM {_q(Queue._meta.db_table)} q JOIN {_q(Site._meta.db_table)} s "
                f"ON s.{_q('id')} = q.{_q('site_id')} WHERE s.{_q('code')} = %s AND q.{_q('code')} = %s AND q.{_q('active')}")

    queue = next(iter(Queue.objects.raw(_cached(("site_queue",), build), [site_code, queue_code])), None)
    if queue is None:
        return None
    row = vars(queue)  # the statement's extra columns, set by raw()
    queue.has_sessions = bool(row["has_sessions"])  # type: ignore[attr-defined]
    queue.site = Site.from_db("default", ["id", "code", "name"], [queue.site_id, row["site__code"], row["site__name"]])
    return queue


def waiting_ahead(queue_id: int, day, rank: int) -> int:
    """Waiting tickets of the queue and day of this rank or a better one (index ticket_waiting_order)."""
    def build():
        return (f"SELECT COUNT(*) FROM {_q(Ticket._meta.db_table)} WHERE {_q('queue_id')} = %s AND {_q('day')} = %s "
                f"AND {_q('state')} = '{TicketState.WAITING}' AND {_q('rank')} <= %s")

    with connection.cursor() as cur:
        cur.execute(_cached(("ahead",), build), [queue_id, _adapt(day), rank])
        return cur.fetchone()[0]
