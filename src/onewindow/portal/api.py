"""Public tracking API (/api/v1/track): progress by number and query code, rate-limited per client."""

from django.http import HttpResponse
from ninja import Router, Schema

from onewindow.core.clients import client_address

from . import tracking

router = Router()


class StepOut(Schema):
    action: str
    label: str
    at: str | None
    state: str


class MissingOut(Schema):
    name: str
    reason: str


class ChildOut(Schema):
    number: str
    item_name: str
    department: str
    state: str
    state_label: str
    due_date: str | None
    concluded_on: str | None = None
    result: str | None = None
    result_label: str = ""
    missing: list[MissingOut] = []
    steps: list[StepOut]


class PostalOut(Schema):
    courier: str
    waybill: str
    status: str
    status_label: str
    sent_at: str | None
    received_at: str | None


class TrackOut(Schema):
    kind: str
    number: str
    item_name: str
    department: str
    applicant: str
    state: str
    state_label: str
    submitted_at: str | None
    due_date: str | None
    due_provisional: bool
    concluded_on: str | None
    result: str | None = None
    result_label: str = ""
    missing: list[MissingOut] = []
    steps: list[StepOut]
    cases: list[ChildOut]
    delivery: PostalOut | None = None  # 寄递送达: courier, waybill, 寄出 / 签收 (no address)


@router.get("/{number}", response=TrackOut, summary="Public progress of a case or bundle (masked, no personal data)")
def track(request, response: HttpResponse, number: str, code: str = ""):
    """Wrong code and unknown number give the same 404. Only failures count: 20 wrong lookups in 10
    minutes from one client address, or 10 wrong codes for one number in an hour, give 429
    `rate_limited` (portal.tracking)."""
    response["Cache-Control"] = "private, no-cache"  # a browser keeps it but asks again each time
    return tracking.lookup(number, code, client_address(request))
