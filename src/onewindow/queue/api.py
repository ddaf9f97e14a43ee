"""The hall's API: /api/v1/queue (kiosks, boards, window terminals) and /api/v1/appointments. Thin.

Errors: {"error": {"code", "message", "fields"}} — 400 bad input (the field named), 401
no user, 403 role or window refused, 404 unknown site/queue/window/ticket, 409 state
conflict (fields.allowed lists the actions the ticket allows) or `queue_closed` (the queue is
outside its own sessions; the message names today's), 429 daily cap reached.
"""

from typing import Literal

from ninja import Body, Field, Router, Schema
from ninja.security import django_auth

from onewindow.api.auth import OptionalBearer, bearer

from . import appointments as appt_services
from . import selectors, services

router = Router()
appointments_router = Router(auth=[bearer, django_auth])
STAFF_AUTH = [bearer, django_auth]


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict


class ErrorOut(Schema):
    error: ErrorDetail


def errors(*codes: int) -> dict:
    return {c: ErrorOut for c in codes}


class ServiceOut(Schema):
    code: str
    name: str
    prefix: str
    waiting: int


class TicketIn(Schema):
    site: str = Field(..., max_length=32)
    queue: str = Field(..., max_length=20)
    id_number: str | None = Field(None, max_length=24)
    phone: str | None = Field(None, max_length=20)
    priority: Literal["", "elderly", "disabled", "green"] | None = None
    appointment: str | None = Field(None, max_length=10, description="预约码: check-in turns the booking into a ticket")


class TicketOut(Schema):
    id: int
    number: str
    queue: str
    state: str
    priority: str
    waiting_before: int | None = None
    window: str | None = None
    case: str | None = None
    transferred_to: int | None = None


class ActionIn(Schema):
    case: str | None = Field(None, max_length=20)
    queue: str | None = Field(None, max_length=20)


class CallingOut(Schema):
    number: str
    window: str
    ticket: int
    called_at: str
    recalls: int


class RecentOut(Schema):
    number: str
    window: str
    at: str
    event: int


class BoardQueueOut(Schema):
    code: str
    name: str
    prefix: str
    waiting: int
    avg_wait_minutes: float | None


class BoardOut(Schema):
    site: str
    name: str
    at: str
    calling: list[CallingOut]
    recent: list[RecentOut]
    queues: list[BoardQueueOut]


class WindowOut(Schema):
    id: int
    code: str
    name: str
    site: str
    hall: str
    state: Literal["serving", "idle", "paused", "closed"]
    ticket: str | None
    clerk: str | None
    served_today: int
    since: str | None


class SlotOut(Schema):
    start: str
    end: str
    capacity: int
    left: int


class SlotsOut(Schema):
    date: str
    slots: list[SlotOut]


class BookingIn(Schema):
    site: str = Field(..., max_length=32)
    queue: str = Field(..., max_length=20)
    date: str = Field(..., max_length=10)
    start: str = Field(..., max_length=5)
    item: str | None = Field(None, max_length=40)


class AppointmentOut(Schema):
    id: int
    code: str
    state: str
    date: str
    start: str
    end: str
    queue: str


def ticket_out(t, waiting_before=None) -> dict:
    following = getattr(t, "transferred_to_ticket", None)
    return {"id": t.pk, "number": t.number, "queue": t.queue.code, "state": t.state, "priority": t.priority,
            "waiting_before": waiting_before, "window": t.window.number if t.window_id else None,
            "case": t.case.number if t.case_id else None, "transferred_to": following.pk if following else None}


def appointment_out(a) -> dict:
    return {"id": a.pk, "code": a.code, "state": a.state, "date": a.date.isoformat(), "start": f"{a.start:%H:%M}",
            "end": f"{a.end:%H:%M}", "queue": a.queue.code}


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "pk", None) else request.user


@router.get("/services", response={200: list[ServiceOut], **errors(404)}, summary="The site's queues (kiosk)")
def list_services(request, site: str):
    return selectors.services(site)


@router.post("/tickets", auth=[OptionalBearer()], response={201: TicketOut, **errors(400, 404, 409, 429)},
             openapi_extra={"security": [{}]},  # a kiosk needs no token: ninja adds {"OptionalBearer": []} itself
             summary="Take a ticket (kiosk or applicant); with `appointment` a booking is checked in")
def take_ticket(request, payload: TicketIn):
    actor = _user(request)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    if payload.appointment:
        ticket = services.check_in(site=payload.site, code=payload.appointment, actor=actor)
    else:
        ticket = services.issue(site=payload.site, queue=payload.queue, id_number=payload.id_number,
                                phone=payload.phone, priority=payload.priority, actor=actor)
    return 201, ticket_out(ticket, ticket.waiting_before)


@router.post("/windows/{window}/call-next", auth=STAFF_AUTH, response={200: TicketOut, 204: None,
                                                                       **errors(401, 403, 404, 409)},
             summary="Call the next ticket to this window (204 when no one waits)")
def call_next(request, window: str):
    ticket = services.call_next(window, _user(request))
    if ticket is None:
        return 204, None
    return 200, ticket_out(ticket)


@router.post("/tickets/{ticket_id}/actions/{action}", auth=STAFF_AUTH,
             response={200: TicketOut, **errors(400, 401, 403, 404, 409)},
             summary="recall, start, finish ({case}), no_show, transfer ({queue}), cancel")
def act(request, ticket_id: str, action: str, payload: Body[ActionIn | None] = None):
    ticket = services.perform(ticket_id, action, _user(request), payload.dict() if payload else {})
    return ticket_out(ticket)


@router.get("/board", response={200: BoardOut, **errors(404)}, summary="The display board: calls and waiting")
def board(request, site: str):
    return selectors.board(site)


@router.get("/windows", auth=STAFF_AUTH, response={200: list[WindowOut], **errors(401, 403, 404)},
            summary="Every window's live status (supervisors in scope, administrators)")
def windows(request, site: str):
    return selectors.window_status(_user(request), site)


@appointments_router.get("/slots", auth=None, response={200: SlotsOut, **errors(400, 404)},
                         summary="Slots of a queue on a date (none on a day off)")
def slots(request, site: str, queue: str, date: str):
    return appt_services.slots(site, queue, date)


@appointments_router.post("", response={201: AppointmentOut, **errors(400, 401, 403, 404, 409)},
                          summary="Book a slot (real-name applicant, one per person per day)")
def book(request, payload: BookingIn):
    appt = services.book(_user(request), site=payload.site, queue=payload.queue, date=payload.date,
                         start=payload.start, item=payload.item)
    return 201, appointment_out(appt)


@appointments_router.post("/{appointment_id}/cancel", response={200: AppointmentOut, **errors(401, 404, 409)},
                          summary="Cancel one's booking (until the site's minimum hours before)")
def cancel(request, appointment_id: str):
    return appointment_out(services.cancel(_user(request), appointment_id))
