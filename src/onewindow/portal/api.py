"""Public tracking API (/api/v1/track): progress by number and query code, rate-limited per client."""

from ninja import Router, Schema

from . import selectors, services

router = Router()


class StepOut(Schema):
    action: str
    label: str
    at: str | None
    state: str


class ChildOut(Schema):
    number: str
    item_name: str
    department: str
    state: str
    state_label: str
    due_date: str | None
    steps: list[StepOut]


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
    steps: list[StepOut]
    cases: list[ChildOut]


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


@router.get("/{number}", response=TrackOut, summary="Public progress of a case or bundle (masked, no personal data)")
def track(request, number: str, code: str = ""):
    """Wrong code and unknown number give the same 404; more than 20 lookups per 10 minutes per
    client address give 429 `rate_limited`."""
    services.count_track_attempt(client_address(request))
    return selectors.track(number, code)
