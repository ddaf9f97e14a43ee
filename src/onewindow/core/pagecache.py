"""Public pages from the shared cache: the catalogue, the service guides, the three lists, the network.

`public_page(view)` serves a cached copy of the page to visitors without a session (no sign-in, no
pending message) in their language, and renders it otherwise. A page is cached only when it is a
plain 200 that set no cookie and used no CSRF token, for `ONEWINDOW_PAGE_CACHE_SECONDS` (60).

Invalidation: each copy carries the generation of the data it was rendered from. Any save or delete
of a catalogue or network model (an item published, a site renamed) starts a new generation once its
transaction commits (`bump`, connected in CoreConfig.ready), and a copy of an older generation is
rendered anew. Bulk writes send no signals: their services call `bump` themselves, and the time limit
bounds what is left. A lookup is one cache round trip (generation and copy read together).
"""

import functools
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

GENERATION_KEY = "pages:generation"
WATCHED_APPS = {"catalog", "regions"}


def _seconds() -> int:
    return int(getattr(settings, "ONEWINDOW_PAGE_CACHE_SECONDS", 60))


def _cacheable_request(request) -> bool:
    return (request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES and _seconds() > 0)


def public_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = f"pages:{get_language()}:{request.get_full_path()}"
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, "")
        copy = found.get(key)
        if copy is not None and copy[0] == generation:
            return copy[1]
        response = view(request, *args, **kwargs)
        if (response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False)
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
            patch_cache_control(response, public=True, max_age=_seconds())
            cache.set(key, (generation, response), _seconds())
        return response

    return wrapper


def bump(**_kwargs) -> None:
    """A new generation of public pages now and again once the current transaction commits (a page
    rendered in between from the old rows must not outlive the commit)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


def on_model_change(sender, **kwargs) -> None:
    """post_save / post_delete listener: a change in a watched app makes the cached pages stale."""
    if sender._meta.app_label in WATCHED_APPS and not kwargs.get("raw"):
        bump()
