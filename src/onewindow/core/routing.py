"""Read replicas: a database router and the switch that lets a view read from a replica.

Writes always go to the primary (`default`). Reads go to a replica (`ONEWINDOW_REPLICA_URLS`)
only in GET and HEAD requests under `ONEWINDOW_REPLICA_PATHS` (tracking, public pages, statistics,
supervision reads), and even there not:
- inside a transaction on the primary (a service that reads then writes reads the primary);
- for a client that wrote a moment ago: every unsafe request (POST, PUT, PATCH, DELETE) answers
  with a short-lived cookie (`ow_primary`, `ONEWINDOW_REPLICA_PIN_SECONDS`, default 10) and a
  request carrying it reads the primary, so a filer sees their case at once whatever the lag.
Without replicas configured neither the router nor the middleware is installed.
"""

import contextvars
import itertools

from django.conf import settings
from django.db import connections

PIN_COOKIE = "ow_primary"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

_replica_ok: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_ok", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaRouter:
    """Replica-safe reads round-robin over the replicas; everything else uses the primary."""

    def __init__(self):
        self._next = itertools.cycle(replica_aliases() or ["default"])

    def db_for_read(self, model, **hints):
        if not _replica_ok.get() or connections["default"].in_atomic_block:
            return "default"
        return next(self._next)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Marks the reads of GET/HEAD requests under `ONEWINDOW_REPLICA_PATHS` as replica-safe, unless the
    client wrote a moment ago; after an unsafe request, pins the client to the primary for a few
    seconds (read-your-own-writes)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exact = {p for p in settings.ONEWINDOW_REPLICA_PATHS if not p.endswith("/") or p == "/"}
        self.prefixes = tuple(p for p in settings.ONEWINDOW_REPLICA_PATHS if p.endswith("/") and p != "/")

    def replica_safe(self, request) -> bool:
        if request.method not in ("GET", "HEAD") or request.COOKIES.get(PIN_COOKIE):
            return False
        return request.path in self.exact or request.path.startswith(self.prefixes)

    def __call__(self, request):
        token = _replica_ok.set(self.replica_safe(request))
        try:
            response = self.get_response(request)
        finally:
            _replica_ok.reset(token)
        if request.method in UNSAFE:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.ONEWINDOW_REPLICA_PIN_SECONDS,
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response
