"""Case endpoints of the intake modes (mounted at /api/v1/cases beside the cases router): the 承诺书
PDF, its signed scan, the intermediary service a case engaged and its rating."""

from django.http import HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from onewindow.api.auth import bearer, session
from onewindow.cases import selectors

router = Router(auth=[bearer, session])


class ScanOut(Schema):
    sha256: str
    size: int
    content_type: str


class EngagementOut(Schema):
    service: str
    service_name: str
    provider: int
    provider_name: str
    report_date: str | None
    rating: int | None


@router.get("/{number}/commitment.pdf", summary="承诺书 PDF (容缺受理 or 告知承诺) for the applicant's signature")
def commitment_pdf(request, number: str):
    from .documents import commitment_pdf as render

    case = selectors.get_case_for(request.user, number)
    resp = HttpResponse(render(case), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="commitment-{case.number}.pdf"'
    return resp


@router.post("/{number}/commitment-scan", response=ScanOut, summary="Upload the signed, scanned 承诺书")
def commitment_scan(request, number: str, file: UploadedFile = File(None)):
    from .services import attach_scan

    return attach_scan(number, request.user, file)


class EngagementIn(Schema):
    service: str = Field(..., max_length=30)
    provider: int
    report_date: str | None = None


class RatingIn(Schema):
    level: int
    comment: str = Field("", max_length=500)


def _engagement(e) -> dict:
    return {"service": e.service.code, "service_name": e.service.name, "provider": e.provider_id,
            "provider_name": e.provider.name, "report_date": e.report_date.isoformat() if e.report_date else None,
            "rating": e.rating}


@router.post("/{number}/intermediaries", response=EngagementOut, summary="Record the intermediary provider chosen for a service")
def engage(request, number: str, payload: EngagementIn):
    from onewindow.intermediaries.services import record_engagement

    return _engagement(record_engagement(number, request.user, **payload.dict()))


@router.post("/{number}/intermediaries/{service}/rating", response=EngagementOut, summary="Rate the intermediary provider")
def rate(request, number: str, service: str, payload: RatingIn):
    from onewindow.intermediaries.services import rate_provider

    return _engagement(rate_provider(number, request.user, service=service, **payload.dict()))
