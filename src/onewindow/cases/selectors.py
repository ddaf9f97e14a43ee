"""Reads of cases, always through the caller's scope.

The scope rules live in accounts.access (applicants their own cases, clerks and agents their
site's, reviewers and approvers their department's, supervisors their region's, the
administrator all). A case outside the scope is reported as not found, so that numbers cannot
be probed.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.accounts.access import visible
from onewindow.accounts.models import Role
from onewindow.core.errors import NotFound

from .models import WINDOW_STATES, Case, CaseEvent, State


def cases_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Cases `user` may see (the case rules of accounts.access)."""
    return visible(user, Case.objects.all() if qs is None else qs)


# What the case page and the API's case view read besides the case row.
CASE_RELATED = ("item", "item_version", "department", "site", "window", "clerk", "bundle_filing")
# What an action and its JSON answer (presenters.case_dict) read: fewer joins under the row lock.
ACTION_RELATED = ("item", "item_version", "department", "site", "bundle_filing__bundle", "bundle_filing__site")


def get_case_for(user, number: str, *, for_update: bool = False, related=CASE_RELATED) -> Case:
    qs = cases_visible_to(user).select_related(*related)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(number=number)
    except Case.DoesNotExist:
        raise NotFound(_("办件 %(number)s 不存在或无权查看") % {"number": number}) from None


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
