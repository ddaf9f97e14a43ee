"""Reads of cases, always through the caller's scope.

The scope rules live in accounts.access (applicants their own cases, clerks and agents their
site's, reviewers and approvers their department's, supervisors their region's, the
administrator all). A case outside the scope is reported as not found, so that numbers cannot
be probed.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.accounts.access import scope_condition, visible
from onewindow.accounts.models import Role
from onewindow.core.errors import NotFound
from onewindow.core.precompiled import Precompiled, q_shape

from .models import WINDOW_STATES, Case, CaseEvent, CaseMaterial, State


def cases_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Cases `user` may see (the case rules of accounts.access)."""
    return visible(user, Case.objects.all() if qs is None else qs)


# What the case page and the API's case view read besides the case row.
CASE_RELATED = ("item", "item_version", "department", "site", "window", "clerk", "bundle_filing")
# What an action and its JSON answer (presenters.case_dict) read: fewer joins under the row lock.
ACTION_RELATED = ("item", "item_version", "department", "site", "bundle_filing__bundle", "bundle_filing__site")


# The intake modes' records (reverse one-to-ones), read with the case so that the rules and the answer
# ask for none of them again.
INTAKE_RELATED = ("commitment", "deferral", "postal")


def _not_found(number: str) -> NotFound:
    return NotFound(_("办件 %(number)s 不存在或无权查看") % {"number": number})


def get_case_for(user, number: str, *, for_update: bool = False, related=CASE_RELATED) -> Case:
    qs = cases_visible_to(user).select_related(*related)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(number=number)
    except Case.DoesNotExist:
        raise _not_found(number) from None


_LOCKED = Precompiled(Case, write=True)
_MATERIALS = Precompiled(CaseMaterial, lambda case_id: CaseMaterial.objects.filter(case_id=case_id), write=True)
_EVENTS = Precompiled(CaseEvent, lambda case_id: CaseEvent.objects.filter(case_id=case_id), write=True)


def _prefetched(case: Case, relation: str, rows: list) -> None:
    """Store `rows` as the case's prefetched `relation` (what prefetch_related_objects leaves)."""
    qs = getattr(case, relation).all()
    qs._result_cache, qs._prefetch_done = rows, True
    for row in rows:
        row._state.fields_cache["case"] = case
    case.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = qs


def case_for_action(user, number: str) -> Case:
    """The case `user` may see, locked for an action (SELECT … FOR UPDATE OF the case row), with what
    the action, its rules and its JSON answer read: ACTION_RELATED and the intake records joined,
    the materials and the events (in order) prefetched. Three statements, each compiled once per
    shape of the user's scope (core.precompiled)."""
    cond = scope_condition(user, Case)
    if cond is None:
        raise _not_found(number)
    shape, values = q_shape(cond)
    rows = _LOCKED.run(shape, [*values, number], lambda: Case.objects.filter(cond).filter(number=number)
                       .select_related(*ACTION_RELATED, *INTAKE_RELATED).select_for_update(of=("self",)))
    if not rows:
        raise _not_found(number)
    case = rows[0]
    _prefetched(case, "materials", _MATERIALS.all(case.pk))
    _prefetched(case, "events", _EVENTS.all(case.pk))
    return case


def case_events(case: Case) -> QuerySet:
    return CaseEvent.objects.filter(case=case).order_by("seq")


TODO_STATES = {
    Role.CLERK: list(WINDOW_STATES),  # the same rows as the window queue (index case_clerk_desk)
    Role.REVIEWER: [State.ACCEPTED, State.SUSPENDED],
    Role.APPROVER: [State.REVIEWED, State.ACCEPTED, State.SUSPENDED],
    Role.AGENT: [State.SUBMITTED, State.PENDING_MATERIALS, State.ACCEPTED, State.REVIEWED, State.SUSPENDED, State.CONCLUDED],
}


def todo_list(user) -> QuerySet:
    """The user's to-do list: green channel first, then by due date (undated last)."""
    from django.db.models import F

    states = TODO_STATES.get(user.role, [])
    return (
        cases_visible_to(user)
        .filter(state__in=states)
        .select_related("item_version", "department", "site")
        .order_by("-green_channel", F("due_date").asc(nulls_last=True), "submitted_at")
    )


def get_bundle_for(user, number: str):
    """A bundle filing the user may see: one of its cases must be in the user's scope."""
    from .models import BundleFiling

    filing = BundleFiling.objects.select_related("bundle", "site").filter(number=number).first()
    if filing is None or not cases_visible_to(user, Case.objects.filter(bundle_filing=filing)).exists():
        raise NotFound(_("一件事申请 %(number)s 不存在或无权查看") % {"number": number})
    return filing
