"""The clerk's actions on a ticket: recall, start, finish, no_show, transfer, cancel (table in tickets.TRANSITIONS).

404 for a ticket outside the clerk's site, 403 for a ticket held by another window, 409
naming the allowed actions when the ticket's state does not permit the one asked.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.cases.selectors import cases_visible_to
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError

from . import calling, opening, statements
from .models import Queue, Ticket, TicketState
from .notify import notify_three_ahead
from .tickets import TRANSITIONS, allowed_actions, event

STATE_LABELS = dict(TicketState.choices)


def _locked_ticket(ticket_id, actor) -> Ticket:
    if getattr(actor, "role", None) != Role.CLERK:
        # Visible or not, only a window clerk acts on tickets; say nothing about the ticket.
        raise Forbidden(_("只有窗口受理员可以操作排队号"))
    ticket = None
    if str(ticket_id).isdigit() and int(ticket_id) <= calling.MAX_ID and actor.site_id:
        ticket = calling.locked(int(ticket_id), actor.site_id)
    if ticket is None:
        raise NotFound(_("排队号不存在"), fields={"ticket": _("未找到该排队号")})
    return ticket


def _case_for(actor, number) -> object:
    number = str(number or "").strip()
    case = cases_visible_to(actor).filter(number=number).first() if number else None
    if case is None:
        raise NotFound(_("办件 %(number)s 不存在或无权查看") % {"number": number}, fields={"case": _("未找到该办件")})
    return case


@transaction.atomic
def perform(ticket_id, action: str, actor, payload: dict | None = None) -> Ticket:
    payload = payload or {}
    if action not in TRANSITIONS:
        raise ServiceError(_("未知的操作 %(action)s") % {"action": action},
                           fields={"action": _("可选：%(list)s") % {"list": "、".join(TRANSITIONS)}})
    ticket = _locked_ticket(ticket_id, actor)
    if ticket.window_id and ticket.window_id != actor.window_id:
        raise Forbidden(_("该号码由其他窗口办理，不能代为操作"), code="not_your_window")
    sources, target = TRANSITIONS[action]
    if ticket.state not in sources:
        allowed = allowed_actions(ticket.state)
        names = "、".join(allowed) if allowed else _("无")
        raise Conflict(_("号码 %(number)s 当前为“%(state)s”，不能执行 %(action)s；可执行：%(allowed)s")
                       % {"number": ticket.number, "state": STATE_LABELS[ticket.state], "action": action,
                          "allowed": names},
                       fields={"state": ticket.state, "allowed": allowed}, code="action_not_allowed")
    if action == "cancel" and not actor.window_id:
        raise Forbidden(_("只能由窗口受理员取消排队号"))
    before = ticket.state
    now = timezone.now()
    data: dict = {}
    new_ticket = None
    if action == "recall":
        ticket.recalls += 1
        data["recall"] = ticket.recalls
    elif action == "start":
        ticket.started_at = now
    elif action == "finish":
        if payload.get("case"):
            ticket.case = _case_for(actor, payload["case"])
        elif ticket.case_id is None and ticket.called_at:  # the case filed from this ticket at the window
            ticket.case = statements.case_filed(actor.pk, ticket.called_at, ticket.id_number)
        if ticket.case_id:
            data["case"] = ticket.case.number
        ticket.ended_at = now
    elif action in ("no_show", "cancel"):
        ticket.ended_at = now
    elif action == "transfer":
        target_queue = Queue.objects.filter(site_id=ticket.site_id, code=str(payload.get("queue") or "").strip(),
                                            active=True).first()
        if target_queue is None:
            raise NotFound(_("目标队列不存在"), fields={"queue": _("该场所没有此队列")})
        if target_queue.pk == ticket.queue_id:
            raise ServiceError(_("不能转移到原队列"), fields={"queue": _("请选择其他队列")})
        opening.check_issuing(target_queue, now)  # 409 queue_closed outside the target's sessions
        ticket.ended_at = now
        data["queue"] = target_queue.code
    ticket.state = target
    columns = {"state": target, "recalls": ticket.recalls, "started_at": ticket.started_at, "ended_at": ticket.ended_at,
               "case_id": ticket.case_id}
    update: dict | None = columns
    if action == "transfer":  # the old ticket's row first: the new one points at it
        statements.update_ticket(ticket.pk, **columns)
        update = None
        new_ticket = Ticket.objects.create(
            site_id=ticket.site_id, queue=target_queue, day=ticket.day, seq=None, number=ticket.number,
            state=TicketState.WAITING, priority=ticket.priority, rank=ticket.rank, queued_at=ticket.queued_at,
            issued_at=now, id_number=ticket.id_number, phone=ticket.phone, applicant_id=ticket.applicant_id,
            case_id=ticket.case_id, transferred_from=ticket, ahead_notified=True,
        )
        new_ticket.site = ticket.site
        event(new_ticket, "transfer_in", "", actor=actor, window=actor.window, at=now, from_queue=ticket.queue.code)
    event(ticket, action, before, actor=actor, window=ticket.window, at=now, update=update, **data)  # one statement
    if action in ("transfer", "cancel"):
        notify_three_ahead(ticket.queue_id, ticket.day)
    if new_ticket is not None:
        ticket.transferred_to_ticket = new_ticket
    return ticket


@transaction.atomic
def link_case(ticket_id, case, actor) -> Ticket:
    """Bind the case filed from a called or serving ticket to it (the window files, then finishes)."""
    ticket = _locked_ticket(ticket_id, actor)
    if ticket.window_id != actor.window_id:
        raise Forbidden(_("该号码由其他窗口办理，不能代为操作"), code="not_your_window")
    if ticket.state not in (TicketState.CALLED, TicketState.SERVING):
        raise Conflict(_("只有已叫号或办理中的号码可以关联办件"), fields={"state": ticket.state})
    ticket.case = case
    ticket.save(update_fields=["case"])
    event(ticket, "link_case", ticket.state, actor=actor, window=ticket.window, case=case.number)
    return ticket
