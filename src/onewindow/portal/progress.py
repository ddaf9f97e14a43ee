"""The public progress of a case or a bundle filing (查询办件进度) in one SQL statement.

A case number is one indexed read: the case row by its unique number, joined to its item version's
and department's names, its postal delivery (寄递送达), its public steps (the events whose action is
a step, by the case-event index) and, for a case waiting for materials, the items of its latest
one-time notice. The statement's text is built once per process (from the models' table names), so a
lookup costs no ORM compilation and no model instances. A number that is no case is tried as a
bundle filing: the filing by its unique number with its child cases and their steps, again one
statement. Both statements are portable (PostgreSQL and SQLite).

Nothing here writes. The caller (portal.tracking) caches the answer and counts failures.
"""

import hmac
import json
import weakref
from datetime import UTC, date, datetime

from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language, gettext_lazy

from onewindow.cases.models import BundleFiling, Case, CaseEvent, Notice, NoticeKind, Result, State, mask_name
from onewindow.cases.presenters import event_label
from onewindow.cases.transitions import TRANSITIONS
from onewindow.catalog.models import Bundle, Department, ItemVersion
from onewindow.core.errors import NotFound

STEP_ACTIONS = frozenset(("file", *TRANSITIONS))  # the events the public sees as steps
NOT_FOUND_MESSAGE = gettext_lazy("未找到该办件，请核对办件编号和查询码")
_STATE_LABELS = dict(State.choices)
_RESULT_LABELS = dict(Result.choices)
_labels: dict[tuple, str] = {}  # (language, kind, value) → label: a few dozen entries

_statements: dict[str, str] = {}
# The statements PREPAREd on each open PostgreSQL connection (a new connection prepares them again).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _postal_model():
    from onewindow.intake.models import Postal

    return Postal


def _tables() -> dict:
    return {"case": Case._meta.db_table, "event": CaseEvent._meta.db_table, "notice": Notice._meta.db_table,
            "version": ItemVersion._meta.db_table, "department": Department._meta.db_table,
            "postal": _postal_model()._meta.db_table, "filing": BundleFiling._meta.db_table,
            "bundle": Bundle._meta.db_table}


def _notice_items(t: dict) -> str:
    """The items of the case's latest one-time notice while it waits for materials (else NULL)."""
    return (f"CASE WHEN c.state = '{State.PENDING_MATERIALS.value}' THEN (SELECT n.items FROM {t['notice']} n "
            f"WHERE n.case_id = c.id AND n.kind = '{NoticeKind.NOTICE.value}' ORDER BY n.seq DESC LIMIT 1) END")


def _left_join(vendor: str, table: str, alias: str, columns: str, condition: str) -> str:
    """A left join read row by row through the index of `condition`. On PostgreSQL a LATERAL subquery
    that OFFSET 0 keeps from being flattened: a plain join let the planner, misled by the statistics of
    a column that is nearly always NULL (cases_case.bundle_filing_id), sort all 4.4 million events
    for a merge join (8 s at 1,000,000 cases)."""
    if vendor == "postgresql":
        return (f"LEFT JOIN LATERAL (SELECT {columns} FROM {table} {alias} WHERE {condition} OFFSET 0) {alias} "
                "ON true")
    return f"LEFT JOIN {table} {alias} ON {condition}"


def statement(kind: str, vendor: str = "postgresql") -> str:
    """The SQL of one lookup (`case` or `bundle`); one parameter, the number. Built once per process."""
    sql = _statements.get(f"{kind} {vendor}")
    if sql is None:
        t = _tables()
        # every event of the case, by the (case, seq) index, filtered here: with the actions in the join
        # the planner may combine the action index, which spans millions of rows
        steps = _left_join(vendor, t["event"], "e", "e.seq, e.action, e.at, e.to_state", "e.case_id = c.id")
        if kind == "case":
            sql = (
                "SELECT c.query_code, c.applicant_kind, c.applicant_name, c.state, c.submitted_at, c.due_date, "
                f"c.due_provisional, c.concluded_on, c.result, v.name, d.name, {_notice_items(t)}, "
                "p.id, p.courier, p.waybill, p.state, p.sent_at, p.received_at, e.action, e.at, e.to_state "
                f"FROM {t['case']} c JOIN {t['version']} v ON v.id = c.item_version_id "
                f"JOIN {t['department']} d ON d.id = c.department_id "
                f"LEFT JOIN {t['postal']} p ON p.case_id = c.id {steps} "
                "WHERE c.number = %s ORDER BY e.seq"
            )
        else:
            children = _left_join(vendor, t["case"], "c", "c.id, c.number, c.state, c.due_date, c.due_provisional, "
                                  "c.concluded_on, c.result, c.item_version_id, c.department_id",
                                  "c.bundle_filing_id = f.id")
            sql = (
                "SELECT f.query_code, f.applicant_kind, f.applicant_name, f.created_at, b.name, "
                "c.id, c.number, c.state, c.due_date, c.due_provisional, c.concluded_on, c.result, v.name, d.name, "
                f"{_notice_items(t)}, e.action, e.at, e.to_state "
                f"FROM {t['filing']} f JOIN {t['bundle']} b ON b.id = f.bundle_id {children} "
                f"LEFT JOIN {t['version']} v ON v.id = c.item_version_id "
                f"LEFT JOIN {t['department']} d ON d.id = c.department_id {steps} "
                "WHERE f.number = %s ORDER BY c.id, e.seq"
            )
        _statements[f"{kind} {vendor}"] = sql
    return sql


# ---------------------------------------------------------------- values as the API shows them


def _moment(value) -> datetime | None:
    """A timestamp column as an aware datetime (PostgreSQL gives one; SQLite a naive UTC one or text)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _at(value) -> str | None:
    """Local time, to the second, with offset (as the API has always shown steps and submission)."""
    value = _moment(value)
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _day(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = parse_date(value[:10])
    return value.isoformat() if isinstance(value, date) else None


def _code_matches(stored: str, given: str) -> bool:
    return hmac.compare_digest((stored or "").upper().encode(), (given or "").strip().upper().encode())


def _missing(items) -> list[dict]:
    if items is None:
        return []
    if isinstance(items, str | bytes):
        items = json.loads(items)
    return [{"name": i.get("name", ""), "reason": i.get("reason", "")} for i in items or []]


def _outcome(state, result, notice_items) -> dict:
    return {"result": result or None,
            "result_label": _label("result", result) if result else "",
            "missing": _missing(notice_items) if state == State.PENDING_MATERIALS else []}


def _label(kind: str, value: str) -> str:
    """A step's, state's or result's label in the current language, translated once per process."""
    key = (get_language(), kind, value)
    label = _labels.get(key)
    if label is None:
        if kind == "step":
            label = event_label(value)
        else:
            label = str((_STATE_LABELS if kind == "state" else _RESULT_LABELS).get(value, value))
        _labels[key] = label
    return label


def _step(action, at, to_state) -> dict:
    return {"action": action, "label": _label("step", action), "at": _at(at), "state": to_state or ""}


def _delivery(postal_id, courier, waybill, state, sent_at, received_at) -> dict | None:
    if postal_id is None:
        return None
    from onewindow.intake.models import PostalState

    sent, received = _moment(sent_at), _moment(received_at)
    return {"courier": courier or "", "waybill": waybill or "", "status": state,
            "status_label": str(dict(PostalState.choices).get(state, state)),
            "sent_at": timezone.localtime(sent).isoformat() if sent else None,
            "received_at": timezone.localtime(received).isoformat() if received else None}


def _prepares(conn) -> bool:
    """PostgreSQL keeps the statement prepared per connection, unless a pooler in transaction mode may
    hand the next statement to another server connection (the setting Django asks for there)."""
    return conn.vendor == "postgresql" and not conn.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")


def _rows(kind: str, number: str) -> list[tuple]:
    """The statement's rows. On PostgreSQL it is PREPAREd once per server connection and EXECUTEd:
    planning its joins cost more server CPU (0.8 ms) than running it (0.1 ms); after five runs the
    server keeps one generic plan."""
    conn = connections[router.db_for_read(Case if kind == "case" else BundleFiling)]
    with conn.cursor() as cur:
        sql = statement(kind, conn.vendor)
        if not _prepares(conn):
            cur.execute(sql, [number])
            return cur.fetchall()
        name = f"onewindow_track_{kind}"
        done = _prepared.setdefault(conn.connection, set())
        if name not in done:
            cur.execute(f"PREPARE {name}(text) AS {sql.replace('%s', '$1')}")
            done.add(name)
        cur.execute(f"EXECUTE {name}(%s)", [number])
        return cur.fetchall()


def _case_answer(number: str, rows: list[tuple]) -> dict:
    """The answer in TrackOut's shape and field order (portal.schemas): tracking sends it without
    validating it again (test_tracking_answer checks shape, order and types against the schema)."""
    (_code, kind, name, state, submitted_at, due_date, provisional, concluded_on, result, item_name,
     department, notice_items, *postal) = rows[0][:18]
    return {
        "kind": "case",
        "number": number,
        "item_name": item_name,
        "department": department,
        "applicant": mask_name(kind, name),
        "state": state,
        "state_label": _label("state", state),
        "submitted_at": _at(submitted_at),
        "due_date": _day(due_date),
        "due_provisional": bool(provisional),
        "concluded_on": _day(concluded_on),
        **_outcome(state, result, notice_items),
        "steps": [_step(*r[18:21]) for r in rows if r[18] in STEP_ACTIONS],
        "cases": [],
        "delivery": _delivery(*postal),
    }


def _bundle_answer(number: str, rows: list[tuple]) -> dict:
    """A bundle filing's answer, TrackOut's shape and order; each child in ChildOut's."""
    _code, kind, name, created_at, bundle_name = rows[0][:5]
    children: dict = {}
    dues, provisional = [], False
    for (_c, _k, _n, _t, _b, case_id, case_number, state, due_date, child_provisional, concluded_on, result,
         item_name, department, notice_items, action, at, to_state) in rows:
        if case_id is None:
            continue
        child = children.get(case_id)
        if child is None:
            child = children[case_id] = {
                "number": case_number, "item_name": item_name, "department": department, "state": state,
                "state_label": _label("state", state), "due_date": _day(due_date),
                "concluded_on": _day(concluded_on), **_outcome(state, result, notice_items), "steps": [],
            }
            dues.append(child["due_date"])
            provisional = provisional or bool(child_provisional)
        if action in STEP_ACTIONS:
            child["steps"].append(_step(action, at, to_state))
    parts = list(children.values())
    return {
        "kind": "bundle",
        "number": number,
        "item_name": bundle_name,
        "department": ", ".join(dict.fromkeys(c["department"] for c in parts)),
        "applicant": mask_name(kind, name),
        "state": "",
        "state_label": "",
        "submitted_at": _at(created_at),
        "due_date": max((d for d in dues if d), default=None),  # ISO dates order as the dates do
        "due_provisional": provisional,
        "concluded_on": None,
        "result": None,
        "result_label": "",
        "missing": [],
        "steps": [],
        "cases": parts,
        "delivery": None,
    }


def track(number: str, code: str) -> dict:
    """The public progress of a case or a bundle filing: one statement for a case number, two for a
    bundle's (the case lookup finds nothing first). Unknown number or wrong code: the same NotFound."""
    number = (number or "").strip()
    if number:
        rows = _rows("case", number)
        if rows:
            if _code_matches(rows[0][0], code):
                return _case_answer(number, rows)
        else:
            rows = _rows("bundle", number)
            if rows and _code_matches(rows[0][0], code):
                return _bundle_answer(number, rows)
    raise NotFound(str(NOT_FOUND_MESSAGE))
