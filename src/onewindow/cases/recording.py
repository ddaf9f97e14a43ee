"""What every case write leaves behind: the snapshot for the audit entry, the appended event and the
queued `case_changed` announcement. Shared by filing (cases.filing) and the actions (cases.actions)."""


from django.db import transaction
from django.db.models import IntegerField, Max, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from onewindow.accounts.models import User
from onewindow.core import links
from onewindow.core.precompiled import insert

from .models import Case, CaseEvent
from .signals import case_written
from .tasks import announce_case_changed


def snapshot(case: Case) -> dict:
    return {
        "state": case.state,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "suspended_workdays": case.suspended_workdays,
        "extended_days": case.extended_days,
    }


def column_values(case: Case) -> dict:
    """The case's column values, to write back only what an action changed (no handler edits
    a JSON value in place)."""
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}


def append_event(case: Case, action: str, actor: User | None, *, from_state="", to_state="", note="", data=None,
                  first: bool = False) -> CaseEvent:
    """Append the case's next event. The caller holds the case row lock (or just created the case),
    so the next sequence number is computed inside the INSERT itself, or taken from the events the
    caller read under that lock (prefetched by selectors.case_for_action: they are appended to)."""
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("events")
    events = prefetched._result_cache if prefetched is not None else None
    if first:
        seq = 1
    elif events is not None:
        seq = (events[-1].seq if events else 0) + 1
    else:
        last = CaseEvent.objects.filter(case_id=case.pk).values("case_id").annotate(m=Max("seq")).values("m")
        seq = Coalesce(Subquery(last, output_field=IntegerField()), 0) + 1
    user = actor if getattr(actor, "pk", None) else None
    event = CaseEvent(
        case=case,
        seq=seq,
        at=timezone.now(),
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_name=str(user) if user else "system",
        actor_role=user.role if user else "system",
        note=note or "",
        data=data or {},
    )
    if isinstance(seq, int):
        insert([event])  # the INSERT compiled once (core.precompiled)
    else:
        event.save(force_insert=True)
    if events is not None:
        events.append(event)
    return event


def announce(case: Case, action: str, actor: User | None) -> None:
    """Send `case_written` (in the transaction) and queue the `case_changed` announcement (cases.tasks).

    With the database queue the task row is written inside the action's own transaction, so it
    commits or rolls back with the change (no lost and no phantom announcement, and no second
    commit per request). A backend that runs tasks at once (tests, ONEWINDOW_TASKS=immediate)
    runs it after the commit instead, so listeners never see an uncommitted case.
    The base URL of the request that triggered the change travels with the task (core.links).
    """
    case_written.send(sender=Case, case=case)
    actor_id = getattr(actor, "pk", None)
    base = links.current_base()  # the worker has no request: links in its messages use this base
    if isinstance(announce_case_changed.get_backend(), DatabaseBackend):
        announce_case_changed.enqueue(case.pk, action, actor_id, base)
    else:
        transaction.on_commit(lambda: announce_case_changed.enqueue(case.pk, action, actor_id, base))
