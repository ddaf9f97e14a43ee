"""Background work triggered by case changes.

Listeners of `signals.case_changed` (notifications, supervision) run here, in the worker,
so that an intake request does not wait for them. With the immediate tasks backend (tests,
ONEWINDOW_TASKS=immediate) they run at once, after the commit.
"""

from django_tasks import task

from onewindow.accounts.models import User

from .models import Case
from .signals import case_changed


@task()
def announce_case_changed(case_id: int, action: str, actor_id: int | None = None) -> None:
    case = Case.objects.select_related("item_version", "department", "site").filter(pk=case_id).first()
    if case is None:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    case_changed.send(sender=Case, case=case, action=action, actor=actor)
