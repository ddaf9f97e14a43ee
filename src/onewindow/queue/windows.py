"""Window status writes: a clerk opens (signs in at) a window, pauses, resumes, closes it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.audit.services import record
from onewindow.core.errors import Conflict, Forbidden, NotFound
from onewindow.regions.models import Window

from . import statements
from .models import HELD_STATES, Ticket, WindowState, WindowStatus


def lock_status(window: Window, actor=None, with_held: bool = False) -> WindowStatus:
    """The window's status row, locked (created closed on first use). With `with_held`, its
    `held` is the number of the ticket the window still holds (called or serving), read in the
    same statement (precompiled: call-next's path, ADR 0201)."""
    if with_held:
        status = statements.locked_status(window.pk)
        if status is None:
            WindowStatus.objects.bulk_create([WindowStatus(window=window, since=timezone.now())], ignore_conflicts=True)
            status = statements.locked_status(window.pk)
        assert status is not None
        return status
    qs = WindowStatus.objects.select_for_update(of=("self",)).filter(window=window)
    status = qs.first()
    if status is None:
        WindowStatus.objects.bulk_create([WindowStatus(window=window, since=timezone.now())], ignore_conflicts=True)
        status = qs.get()
    return status


def set_state(status: WindowStatus, state: str, actor) -> WindowStatus:
    before = {"state": status.state, "clerk": status.clerk_id}
    status.state = state
    status.clerk = actor if state != WindowState.CLOSED else None
    status.since = timezone.now()
    status.save(update_fields=["state", "clerk", "since"])
    record(actor=actor, action=f"window.{state}", obj_type="window", obj_id=status.window_id, before=before,
           after={"state": state, "clerk": status.clerk_id})
    return status


def _own_window(actor, window_id=None) -> Window:
    if getattr(actor, "role", None) != Role.CLERK:
        raise Forbidden(_("只有窗口受理员可以操作窗口"))
    window_id = window_id or actor.window_id
    window = Window.objects.filter(pk=window_id).first() if str(window_id or "").isdigit() else None
    if window is None:
        raise NotFound(_("窗口不存在"), fields={"window": _("未找到该窗口")})
    if actor.window_id != window.pk:
        raise Forbidden(_("只能由在该窗口登录的受理员操作"), code="not_your_window")
    return window


@transaction.atomic
def change(actor, state: str, window_id=None) -> WindowStatus:
    """open / paused / closed. Closing or pausing with a ticket still held is refused (409)."""
    window = _own_window(actor, window_id)
    status = lock_status(window, actor)
    if state in (WindowState.CLOSED, WindowState.PAUSED):
        held = Ticket.objects.filter(window=window, state__in=HELD_STATES).values_list("number", flat=True).first()
        if held:
            raise Conflict(_("窗口仍有号码 %(number)s 在办理") % {"number": held}, fields={"ticket": held},
                           code="window_busy")
    if status.state == state and status.clerk_id == (actor.pk if state != WindowState.CLOSED else None):
        return status
    return set_state(status, state, actor)
