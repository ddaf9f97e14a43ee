"""Public tracking API (/api/v1/track): progress by number and query code, rate-limited per client."""

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags
from ninja import Router

from onewindow.core.clients import client_address

from . import tracking
from .schemas import TrackOut

router = Router()
# A browser may keep an answer but asks again each time (If-None-Match: 304 when unchanged); shared
# caches may not keep it at all: it is per number and query code.
CACHE_CONTROL = "private, no-cache"
JSON = "application/json; charset=utf-8"  # as django-ninja's renderer answers


@router.get("/{number}", response=TrackOut, summary="Public progress of a case or bundle (masked, no personal data)")
def track(request, number: str, code: str = ""):
    """Wrong code and unknown number give the same 404. Only failures count: 20 wrong lookups in 10
    minutes from one client address, or 10 wrong codes for one number in an hour, give 429
    `rate_limited` (portal.tracking)."""
    body, etag = tracking.lookup_json(number, code, client_address(request))
    etag = f'"{etag}"'
    # The bytes were validated against TrackOut when they were made (tracking.serialise): sent as they
    # are. A conditional request is answered only after the code was checked.
    response = HttpResponseNotModified() if _unchanged(request, etag) else HttpResponse(body, content_type=JSON)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _unchanged(request, etag: str) -> bool:
    """If-None-Match names this answer (weak comparison, as RFC 9110 asks for it)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in {t.removeprefix("W/") for t in tags}
