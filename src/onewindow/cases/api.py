"""Cases API (/api/v1/cases): thin: parse, call a service or selector, render."""

from typing import Literal

from django.http import HttpResponse
from ninja import Body, Field, Router, Schema

from onewindow.api.auth import bearer, session
from onewindow.api.schemas import OpenSchema

from . import selectors, services
from .presenters import bundle_dict, case_dict

router = Router(auth=[bearer, session])


class ApplicantIn(Schema):
    kind: Literal["person", "org"]
    name: str = Field(..., max_length=100)
    id_number: str | None = None
    uscc: str | None = None
    phone: str | None = None


class FilingIn(Schema):
    applicant: ApplicantIn
    channel: Literal["window", "online", "agency"]
    materials: list[str] = []
    authorisation: str | None = None
    data: dict | None = None

    def filing_args(self, request) -> dict:
        return {
            "applicant": self.applicant.dict(),
            "channel": self.channel,
            "materials": self.materials,
            "actor": request.user,
            "authorisation": self.authorisation or "",
            "data": self.data,
        }


class DeliveryIn(Schema):
    method: Literal["window", "mail", "electronic", "post"]
    address: str | None = Field(None, max_length=200)
    recipient: str | None = Field(None, max_length=60)
    phone: str | None = Field(None, max_length=20)


class FileIn(FilingIn):
    item: str = Field(..., max_length=40)
    commitment: bool = False  # 告知承诺制, for items that allow it
    delivery: DeliveryIn | None = None  # how the result is to be delivered (post: with the address)


class FiledOut(Schema):
    number: str
    state: str
    query_code: str


class CaseApplicantOut(Schema):
    kind: str
    name: str
    id: str
    phone: str


class CaseMaterialOut(Schema):
    code: str
    name: str
    required: bool
    status: str
    licence_number: str | None
    note: str


class CaseEventOut(OpenSchema):
    """Also `from`: the state before the event (a Python keyword, so not declared here)."""

    seq: int
    at: str | None
    action: str
    to: str
    actor: str
    role: str
    note: str
    data: dict | None


class CaseOut(OpenSchema):
    number: str
    query_code: str
    item: str
    item_name: str
    item_version: int
    department: str
    state: str
    state_label: str
    channel: str
    applicant: CaseApplicantOut
    site: str
    submitted_at: str | None
    accepted_on: str | None
    committed_days: int
    due_date: str | None
    due_provisional: bool
    suspended_workdays: int
    extended_days: int
    concluded_on: str | None
    actual_workdays: int | None
    result: str | None
    result_reason: str
    delivery_method: str | None
    green_channel: bool
    bundle: str | None
    materials: list[CaseMaterialOut]
    events: list[CaseEventOut] = []


class BundlePartOut(Schema):
    number: str
    item: str
    item_name: str
    department: str
    state: str
    state_label: str
    due_date: str | None
    workdays_used: int | None


class BundleOut(OpenSchema):
    number: str
    query_code: str
    bundle: str
    name: str
    done: bool
    uscc: str | None
    slowest: str | None
    cases: list[BundlePartOut]


class BundleIn(FilingIn):
    bundle: str = Field(..., max_length=40)


@router.post("", response={201: FiledOut}, summary="File a case (一号申请)")
def file_case(request, payload: FileIn):
    delivery = payload.delivery.dict(exclude_none=True) if payload.delivery else None
    case = services.file_case(item=payload.item, commitment=payload.commitment, delivery=delivery,
                              **payload.filing_args(request))
    return 201, {"number": case.number, "state": case.state, "query_code": case.query_code}


@router.post("/bundles", response={201: BundleOut}, summary="File a bundle (一件事)")
def file_bundle(request, payload: BundleIn):
    filing = services.file_bundle(bundle=payload.bundle, **payload.filing_args(request))
    return 201, bundle_dict(filing, request.user)


@router.get("/bundles/{number}", response=BundleOut, summary="A bundle with each department's progress")
def get_bundle(request, number: str):
    return bundle_dict(selectors.get_bundle_for(request.user, number), request.user)


@router.post("/bundles/{number}/accept", response=dict, summary="Accept every waiting part of a bundle (一件事) at once")
def accept_bundle(request, number: str):
    filing = services.accept_bundle(number, request.user)
    return bundle_dict(filing, request.user)


@router.get("/bundles/{number}/slip.pdf", summary="The bundle's one acceptance slip (受理通知书) PDF")
def bundle_slip_pdf(request, number: str):
    from .documents import bundle_slip_pdf as render

    filing = selectors.get_bundle_for(request.user, number)
    return _pdf(render(filing), f"slip-{filing.number}.pdf")


@router.get("/{number}", response=CaseOut, summary="One case with its events")
def get_case(request, number: str):
    return case_dict(selectors.get_case_for(request.user, number), with_events=True)


@router.post("/{number}/actions/{action}", response=CaseOut, summary="Run a state-machine action")
def act(request, number: str, action: str, payload: Body[dict | None] = None):
    case = services.perform(number, action, request.user, payload or {})
    return case_dict(case, with_events=True)


@router.get("/{number}/slip.pdf", summary="Acceptance slip (受理通知书) PDF")
def slip_pdf(request, number: str):
    from .documents import slip_pdf as render

    case = selectors.get_case_for(request.user, number)
    return _pdf(render(case), f"slip-{case.number}.pdf")


@router.get("/{number}/notice.pdf", summary="One-time notice (一次性告知书) or rejection notice PDF")
def notice_pdf(request, number: str):
    from .documents import notice_pdf as render

    case = selectors.get_case_for(request.user, number)
    return _pdf(render(case), f"notice-{case.number}.pdf")


@router.get("/{number}/result.pdf", summary="Decision (准予 / 不予决定书) PDF of a concluded case")
def result_pdf(request, number: str):
    from .documents import result_pdf as render

    case = selectors.get_case_for(request.user, number)
    return _pdf(render(case), f"result-{case.number}.pdf")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp
