"""Absolute links that point where the platform is (ADR 0131): the slip's QR code, the tracking link
in SMS texts and notices.

The base URL is, in this order:
1. the `ONEWINDOW_PUBLIC_URL` setting (environment variable of that name), when set — what a
   deployment behind a proxy or with a public domain sets;
2. else the request being served (scheme and host of `request.build_absolute_uri`, so a platform
   reached at http://10.0.0.5:8123/ prints that), set for each request by `PublicUrlMiddleware`;
3. else, for background work, the base URL stored with the task by whoever queued it
   (`cases.recording.announce` passes `current_base()` to the worker task, which runs its
   listeners inside `using_base(...)`);
4. else `FALLBACK` (work without any request, e.g. `onewindow demo` run from a shell).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost

FALLBACK = "http://127.0.0.1:8000"
_base: ContextVar[str] = ContextVar("onewindow_public_base", default="")


def configured() -> str:
    return (getattr(settings, "ONEWINDOW_PUBLIC_URL", "") or "").strip().rstrip("/")


def current_base() -> str:
    """The base URL of the request (or task) being handled, '' outside of one."""
    return _base.get()


def public_url() -> str:
    return configured() or _base.get() or FALLBACK


def absolute(path: str) -> str:
    return public_url() + ("/" + path.lstrip("/") if path else "")


def tracking_url(number: str, query_code: str) -> str:
    return absolute("/track/?" + urlencode({"number": number, "code": query_code}))


@contextmanager
def using_base(url: str):
    """Run a block (a background task) with the base URL its request had."""
    token = _base.set((url or "").rstrip("/"))
    try:
        yield
    finally:
        _base.reset(token)


def request_base(request) -> str:
    try:
        return request.build_absolute_uri("/").rstrip("/")
    except DisallowedHost:
        return ""


class PublicUrlMiddleware:
    """Makes the request's scheme and host the base of absolute links while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _base.set(request_base(request))
        try:
            return self.get_response(request)
        finally:
            _base.reset(token)
