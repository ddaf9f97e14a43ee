"""Ticket writes: issue, call the next, and the clerk's actions. One transaction each.

Every state change appends a TicketEvent with the exact time and an audit entry.
Call order at a window: priority tickets (老人, 残疾人, 绿色通道, checked-in appointments)
before first come; then the window's queue priority; then the time queued.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.audit.services import prepare
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.licences.identifiers import id_number_birth_date, validate_id_number
from onewindow.regions.models import Site, Window

from . import calling, numbering, opening, statements
from .models import (
    ACTIVE_STATES,
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


def event(ticket: Ticket, action: str, from_state: str, *, actor=None, window=None, at=None, update=None,
          **data) -> TicketEvent:
    """The state change's TicketEvent and audit entry, with the ticket's UPDATE (`update`: column → value)
    when given: one statement on PostgreSQL (statements.change)."""
    at = at or timezone.now()
    audit = prepare(actor=actor, action=f"ticket.{action}", obj_type="ticket", obj_id=ticket.pk,
                    before={"state": from_state}, after={"state": ticket.state, "number": ticket.number, **data},
                    site_code=ticket.site.code if ticket.site_id else "")
    return statements.change(ticket, action, from_state, at, getattr(actor, "pk", None),
                             window.pk if window is not None else None, data, audit, update)


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


def get_site_queue(site: str, queue: str) -> tuple[Site, Queue]:
    """The active queue of the site, with its site, in one query (404 naming which is unknown)."""
    queue_obj = statements.site_queue((site or "").strip(), (queue or "").strip())  # precompiled (ADR 0201)
    if queue_obj is None:  # the 404 that names the site or the queue
        site_obj = get_site(site)
        return site_obj, get_queue(site_obj, queue)
    return queue_obj.site, queue_obj


@transaction.atomic
def issue(*, site: str, queue: str, id_number: str | None = None, phone: str | None = None,
          priority: str | None = None, appointment=None, actor=None) -> Ticket:
    """Take a ticket. 404 unknown site/queue; 409 an active ticket of that ID number or the queue
    outside its sessions; 429 daily cap.

    Everything that can be read before the number is drawn is read first: the counter row is
    locked from the draw until commit, so the draw is followed only by the insert and the event.
    """
    site_obj, queue_obj = get_site_queue(site, queue)
    now = timezone.now()
    if getattr(queue_obj, "has_sessions", True):
        opening.check_issuing(queue_obj, now)
    id_number, phone = _clean_identity(id_number, phone)
    prio = Priority.APPOINTMENT if appointment is not None else _priority(priority, id_number)
    rank = 0 if prio else 1
    today = timezone.localdate(now)
    # Every waiting ticket of this rank or a better one was queued before this one: it is ahead.
    ahead = statements.waiting_ahead(queue_obj.pk, today, rank)
    if id_number and Ticket.objects.filter(queue=queue_obj, day=today, id_number=id_number,
                                           state__in=ACTIVE_STATES).exists():
        raise _already_queued(queue_obj)
    seq = numbering.draw(queue_obj.pk, today)  # locks the queue's counter: issuance serialises per queue
    if queue_obj.daily_cap and seq > queue_obj.daily_cap:
        raise ServiceError(_("%(queue)s 今日号源已发完（每日 %(cap)s 个）") % {"queue": queue_obj.name,
                                                                        "cap": queue_obj.daily_cap},
                           code="daily_cap_reached", status=429)
    if seq > numbering.MAX_SEQ:
        raise ServiceError(_("今日号码已用完"), code="daily_cap_reached", status=429)
    user = actor if getattr(actor, "role", None) == Role.APPLICANT else None
    ticket = Ticket(site=site_obj, queue=queue_obj, day=today, seq=seq,
                    number=numbering.format_number(queue_obj.prefix, seq), state=TicketState.WAITING, priority=prio,
                    rank=rank, queued_at=now, issued_at=now, id_number=id_number, phone=phone, applicant=user,
                    appointment=appointment, ahead_notified=ahead <= 3)  # already close: no "three ahead" later
    if id_number:  # the one-active-ticket constraint can only refuse a ticket with an ID number
        try:
            with transaction.atomic():
                ticket.save(force_insert=True)
        except IntegrityError:
            raise _already_queued(queue_obj) from None
    else:
        ticket.save(force_insert=True)
    ticket.waiting_before = ahead
    event(ticket, "issue", "", actor=actor, at=now, priority=prio)
    return ticket


def _already_queued(queue_obj: Queue) -> Conflict:
    return Conflict(_("该身份证号在 %(queue)s 已有未办结的排队号") % {"queue": queue_obj.name},
                    fields={"id_number": _("已有排队号")}, code="ticket_exists")


def _window_for(window_id, actor) -> Window:
    """The actor's own window (already loaded with the actor: no query); 404 unknown, 403 another's."""
    if getattr(actor, "role", None) == Role.CLERK and actor.window_id and str(window_id) == str(actor.window_id):
        return actor.window
    window = Window.objects.filter(pk=window_id).first() if str(window_id).isdigit() else None
    if window is None:
        raise NotFound(_("窗口不存在"), fields={"window": _("未找到该窗口")})
    raise Forbidden(_("只能由在该窗口登录的受理员操作"), code="not_your_window")


@transaction.atomic
def call_next(window_id, actor) -> Ticket | None:
    """Call the next waiting ticket to the actor's window, or None when no one waits.

    One short transaction: lock the window's status row (with its held ticket read in the same
    statement), pick and lock the first candidate (PostgreSQL: FOR UPDATE SKIP LOCKED, so two
    windows calling at once take different tickets; SQLite: IMMEDIATE transactions serialise
    the calls), send the "three ahead" messages to the tickets behind it, then mark it called with
    its event and audit entry (one statement on PostgreSQL; the audit entry takes no lock, ADR 0200).
    """
    window = _window_for(window_id, actor)
    status = lock_status(window, with_held=True)  # serialises two terminals of the same window
    held = getattr(status, "held", None)
    if held:
        raise Conflict(_("窗口仍有号码 %(number)s 在办理，请先办结、转移或标记过号") % {"number": held},
                       code="window_busy", fields={"ticket": held})
    if status.state != WindowState.OPEN or status.clerk_id != actor.pk:
        if not WindowQueue.objects.filter(window=window, queue__active=True).exists():
            raise Conflict(_("该窗口尚未配置服务队列"), code="no_queues")
        set_state(status, WindowState.OPEN, actor)
    now = timezone.now()
    ticket = calling.pick(window.pk, now)
    if ticket is None:
        if not WindowQueue.objects.filter(window=window, queue__active=True).exists():
            raise Conflict(_("该窗口尚未配置服务队列"), code="no_queues")
        return None
    notify_three_ahead(ticket.queue_id, ticket.day, exclude=ticket.pk)  # the others: this one is being called
    ticket.state, ticket.window, ticket.clerk, ticket.called_at = TicketState.CALLED, window, actor, now
    event(ticket, "call", TicketState.WAITING, actor=actor, window=window, at=now, window_number=window.number,
          update={"state": TicketState.CALLED, "window_id": window.pk, "clerk_id": actor.pk, "called_at": now})
    return ticket
