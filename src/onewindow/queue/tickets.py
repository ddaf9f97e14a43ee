"""Ticket writes: issue, call the next, and the clerk's actions. One transaction each.

Every state change appends a TicketEvent with the exact time and an audit entry.
Call order at a window: priority tickets (老人, 残疾人, 绿色通道, checked-in appointments)
before first come; then the window's queue priority; then the time queued.
"""

import re

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.audit.services import record
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.licences.identifiers import id_number_birth_date, validate_id_number
from onewindow.regions.models import Site, Window

from . import numbering
from .models import (
    ACTIVE_STATES,
    HELD_STATES,
    Priority,
    Queue,
    Ticket,
    TicketEvent,
    TicketState,
    WindowQueue,
    WindowState,
)
from .notify import notify_three_ahead
from .windows import lock_status, set_state

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ELDERLY_AGE = 60

# action -> (states it may start from, the state it leads to)
TRANSITIONS = {
    "recall": ((TicketState.CALLED,), TicketState.CALLED),
    "start": ((TicketState.CALLED,), TicketState.SERVING),
    "finish": ((TicketState.SERVING,), TicketState.DONE),
    "no_show": ((TicketState.CALLED,), TicketState.NO_SHOW),
    "transfer": ((TicketState.CALLED, TicketState.SERVING), TicketState.TRANSFERRED),
    "cancel": ((TicketState.WAITING,), TicketState.CANCELLED),
}


def allowed_actions(state: str) -> list[str]:
    return [name for name, (sources, _target) in TRANSITIONS.items() if state in sources]


def event(ticket: Ticket, action: str, from_state: str, *, actor=None, window=None, at=None, **data) -> TicketEvent:
    at = at or timezone.now()
    ev = TicketEvent.objects.create(ticket=ticket, action=action, from_state=from_state, to_state=ticket.state, at=at,
                                    actor=actor if getattr(actor, "pk", None) else None, window=window, data=data)
    record(actor=actor, action=f"ticket.{action}", obj_type="ticket", obj_id=ticket.pk,
           before={"state": from_state}, after={"state": ticket.state, "number": ticket.number, **data},
           site_code=ticket.site.code if ticket.site_id else "")
    return ev


def get_site(code: str) -> Site:
    site = Site.objects.filter(code=(code or "").strip()).first()
    if site is None:
        raise NotFound(_("服务场所 %(site)s 不存在") % {"site": code}, fields={"site": _("未找到该服务场所")})
    return site


def get_queue(site: Site, code: str) -> Queue:
    queue = Queue.objects.filter(site=site, code=(code or "").strip(), active=True).first()
    if queue is None:
        raise NotFound(_("队列 %(queue)s 不存在") % {"queue": code}, fields={"queue": _("该场所没有此队列")})
    return queue


def waiting_before(ticket: Ticket) -> int:
    """Waiting tickets of the same queue and day that will be called before this one."""
    return Ticket.objects.filter(queue_id=ticket.queue_id, day=ticket.day, state=TicketState.WAITING).filter(
        Q(rank__lt=ticket.rank) | Q(rank=ticket.rank, queued_at__lt=ticket.queued_at)
        | Q(rank=ticket.rank, queued_at=ticket.queued_at, id__lt=ticket.id)
    ).count()


def _clean_identity(id_number: str | None, phone: str | None) -> tuple[str, str]:
    id_number = (id_number or "").strip()
    phone = (phone or "").strip()
    if id_number:
        id_number = validate_id_number(id_number)
    if phone and not PHONE_RE.match(phone):
        raise ServiceError(_("手机号格式不正确"), fields={"phone": _("应为 11 位手机号")})
    return id_number, phone


def _priority(priority: str | None, id_number: str) -> str:
    priority = (priority or "").strip()
    if priority not in (Priority.NONE, Priority.ELDERLY, Priority.DISABLED, Priority.GREEN):
        raise ServiceError(_("优先类别无效"), fields={"priority": _("可选 elderly、disabled、green")})
    if priority == Priority.ELDERLY:
        if not id_number:
            raise ServiceError(_("老年人优先需提供身份证号"), fields={"id_number": _("请填写身份证号")})
        today = timezone.localdate()
        birth = id_number_birth_date(id_number)
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        if age < ELDERLY_AGE:
            raise ServiceError(_("年满 %(age)s 周岁方可老年人优先") % {"age": ELDERLY_AGE},
                               fields={"priority": _("身份证显示未满 %(age)s 周岁") % {"age": ELDERLY_AGE}})
    return priority


@transaction.atomic
def issue(*, site: str, queue: str, id_number: str | None = None, phone: str | None = None,
          priority: str | None = None, appointment=None, actor=None) -> Ticket:
    """Take a ticket. 404 unknown site/queue; 409 an active ticket of that ID number; 429 daily cap."""
    site_obj = get_site(site)
    queue_obj = get_queue(site_obj, queue)
    id_number, phone = _clean_identity(id_number, phone)
    prio = Priority.APPOINTMENT if appointment is not None else _priority(priority, id_number)
    now = timezone.now()
    today = timezone.localdate()
    seq = numbering.draw(queue_obj.pk, today)  # locks the queue's counter: issuance serialises per queue
    if queue_obj.daily_cap and seq > queue_obj.daily_cap:
        raise ServiceError(_("%(queue)s 今日号源已发完（每日 %(cap)s 个）") % {"queue": queue_obj.name,
                                                                        "cap": queue_obj.daily_cap},
                           code="daily_cap_reached", status=429)
    if seq > numbering.MAX_SEQ:
        raise ServiceError(_("今日号码已用完"), code="daily_cap_reached", status=429)
    if id_number and Ticket.objects.filter(queue=queue_obj, day=today, id_number=id_number,
                                           state__in=ACTIVE_STATES).exists():
        raise Conflict(_("该身份证号在 %(queue)s 已有未办结的排队号") % {"queue": queue_obj.name},
                       fields={"id_number": _("已有排队号")}, code="ticket_exists")
    user = actor if getattr(actor, "role", None) == Role.APPLICANT else None
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                site=site_obj, queue=queue_obj, day=today, seq=seq, number=numbering.format_number(queue_obj.prefix, seq),
                state=TicketState.WAITING, priority=prio, rank=0 if prio else 1, queued_at=now, issued_at=now,
                id_number=id_number, phone=phone, applicant=user, appointment=appointment,
            )
    except IntegrityError:
        raise Conflict(_("该身份证号在 %(queue)s 已有未办结的排队号") % {"queue": queue_obj.name},
                       fields={"id_number": _("已有排队号")}, code="ticket_exists") from None
    ticket.waiting_before = waiting_before(ticket)
    if ticket.waiting_before <= 3:  # already close: no "three ahead" message later
        Ticket.objects.filter(pk=ticket.pk).update(ahead_notified=True)
    event(ticket, "issue", "", actor=actor, at=now, priority=prio)
    return ticket


def _window_for(window_id, actor) -> Window:
    window = Window.objects.select_related("hall__site").filter(pk=window_id).first() if str(window_id).isdigit() \
        else None
    if window is None:
        raise NotFound(_("窗口不存在"), fields={"window": _("未找到该窗口")})
    if getattr(actor, "role", None) != Role.CLERK or actor.window_id != window.pk:
        raise Forbidden(_("只能由在该窗口登录的受理员操作"), code="not_your_window")
    return window


def _call_order(window: Window, links: list[tuple[int, int]]):
    today = timezone.localdate()
    qp = Case(*[When(queue_id=q, then=Value(p)) for q, p in links], default=Value(99), output_field=IntegerField())
    qs = (Ticket.objects.filter(queue_id__in=[q for q, _p in links], day=today, state=TicketState.WAITING)
          .select_related("site").annotate(queue_priority=qp).order_by("rank", "queue_priority", "queued_at", "id"))
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return qs


@transaction.atomic
def call_next(window_id, actor) -> Ticket | None:
    """Call the next waiting ticket to the actor's window, or None when no one waits.

    PostgreSQL: the candidate row is locked with SKIP LOCKED, so two windows calling at
    once take different tickets; SQLite: IMMEDIATE transactions serialise the calls.
    """
    window = _window_for(window_id, actor)
    status = lock_status(window, actor)  # serialises two terminals of the same window
    held = Ticket.objects.filter(window=window, state__in=HELD_STATES).values_list("number", flat=True).first()
    if held:
        raise Conflict(_("窗口仍有号码 %(number)s 在办理，请先办结、转移或标记过号") % {"number": held},
                       code="window_busy", fields={"ticket": held})
    links = list(WindowQueue.objects.filter(window=window, queue__active=True).values_list("queue_id", "priority"))
    if not links:
        raise Conflict(_("该窗口尚未配置服务队列"), code="no_queues")
    if status.state != WindowState.OPEN or status.clerk_id != actor.pk:
        set_state(status, WindowState.OPEN, actor)
    ticket = _call_order(window, links).first()
    if ticket is None:
        return None
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(state=TicketState.CALLED, window=window, clerk=actor, called_at=now)
    ticket.state, ticket.window, ticket.clerk, ticket.called_at = TicketState.CALLED, window, actor, now
    event(ticket, "call", TicketState.WAITING, actor=actor, window=window, at=now, window_number=window.number)
    notify_three_ahead(ticket.queue_id, ticket.day)
    return ticket
