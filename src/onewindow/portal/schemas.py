"""The public tracking answer's schema (GET /api/v1/track/{number}): the OpenAPI document's TrackOut, and
what portal.tracking serialises a fresh answer through once before it caches the bytes."""

from ninja import Schema


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
