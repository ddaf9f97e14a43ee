"""Background work triggered by case changes.

Listeners of `signals.case_changed` (notifications, supervision) run here, in the worker,
so that an intake request does not wait for them. With the immediate tasks backend (tests,
ONEWINDOW_TASKS=immediate) they run at once, after the commit.
"""

from django_tasks import task

from onewindow.accounts.models import User
from onewindow.core import links

from .models import Case
from .signals import case_changed


@task()
def announce_case_changed(case_id: int, action: str, actor_id: int | None = None, base_url: str = "") -> None:
    """`base_url`: the scheme and host of the request that made the change, for absolute links in
    what listeners send (core.links; '' for work without a request: the setting or the fallback)."""
    case = Case.objects.select_related("item_version", "department", "site").filter(pk=case_id).first()
    if case is None:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with links.using_base(base_url or links.current_base()):
        case_changed.send(sender=Case, case=case, action=action, actor=actor)
