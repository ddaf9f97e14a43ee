"""Deadlines follow the calendar (ADR 0150): when a day switches between working and not, the open
cases whose clock spans it keep their number of working days, so their due date moves.

A case's clock spans the day when it is running or paused (accepted, reviewed, suspended) and
accepted_on < day <= due_date. Its due date stays the working day with the same running ordinal
as before the change; since the ordinals of `day` and every later day moved by `delta`, that is the
first working day whose new ordinal is ordinal(due) - delta. One UPDATE for all of them, then one
event per case (bulk), one audit entry listing them, and a `case_changed` announcement each, so that
supervision re-judges their warnings. Bounded: only cases accepted before the day and due after it,
read through the (state, due_date) index.
"""

from django.db.models import IntegerField, Max, OuterRef, Subquery
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.workdays.models import CalendarDay

from .models import CLOCK_STATES, Case, CaseEvent
from .recording import announce


def move_due_dates(sender=None, *, day, delta, actor=None, **kwargs) -> int:
    """Receiver of workdays.signals.day_changed; runs inside set_day's transaction."""
    spanning = Case.objects.filter(state__in=CLOCK_STATES, accepted_on__lt=day, due_date__gte=day)
    cases = list(spanning.select_for_update(of=("self",)).select_related("bundle_filing")
                 .only("pk", "number", "state", "due_date", "bundle_filing__number").order_by("pk"))
    if not cases:
        return 0
    old = {c.pk: c.due_date for c in cases}
    ordinal_of_due = Subquery(CalendarDay.objects.filter(date=OuterRef(OuterRef("due_date"))).values("ordinal")[:1],
                              output_field=IntegerField())
    Case.objects.filter(pk__in=old).update(due_date=Subquery(
        CalendarDay.objects.filter(is_workday=True, ordinal=ordinal_of_due - delta).order_by("date").values("date")[:1]
    ))
    new = dict(Case.objects.filter(pk__in=old).values_list("pk", "due_date"))
    last_seq = _last_seq(old)
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    note = f"工作日历调整：{day.isoformat()} 改为{'工作日' if delta > 0 else '休息日'}，办结期限 由 %s 调整为 %s"
    events, moved = [], []
    for c in cases:
        if new[c.pk] == old[c.pk]:
            continue
        moved.append({"case": c.number, "from": old[c.pk].isoformat(), "to": new[c.pk].isoformat()})
        events.append(CaseEvent(
            case_id=c.pk, seq=last_seq.get(c.pk, 0) + 1, at=now, action="due_moved", from_state=c.state,
            to_state=c.state, actor=user, actor_name=str(user) if user else "system",
            actor_role=user.role if user else "system", note=note % (old[c.pk].isoformat(), new[c.pk].isoformat()),
            data={"day": day.isoformat(), "delta": delta, "from": old[c.pk].isoformat(), "to": new[c.pk].isoformat()},
        ))
    CaseEvent.objects.bulk_create(events, batch_size=500)
    if moved:
        record(actor=actor, action="case.due_moved", obj_type="workdays.CalendarDay", obj_id=day.isoformat(),
               after={"delta": delta, "count": len(moved), "cases": moved})
        for c in cases:
            if new[c.pk] != old[c.pk]:
                c.due_date = new[c.pk]
                announce(c, "due_moved", actor)
    return len(moved)


def _last_seq(case_ids) -> dict:
    return dict(CaseEvent.objects.filter(case_id__in=case_ids).order_by().values("case_id")
                .annotate(m=Max("seq")).values_list("case_id", "m"))
