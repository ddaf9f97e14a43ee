"""The replica router's rules without a replica: which alias a read gets, and when the client is pinned."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from onewindow.core import routing


@pytest.fixture
def router(monkeypatch):
    monkeypatch.setattr(routing, "replica_aliases", lambda: ["replica0", "replica1"])
    return routing.ReplicaRouter()


PATHS = ["/", "/track/", "/api/v1/track/", "/api/v1/items"]


@override_settings(ONEWINDOW_REPLICA_PATHS=PATHS, ONEWINDOW_REPLICA_PIN_SECONDS=10)
@pytest.mark.parametrize(("method", "path", "cookie", "expected"), [
    ("GET", "/track/", "", "replica"),
    ("GET", "/api/v1/track/34130020260302000001", "", "replica"),
    ("GET", "/api/v1/items", "", "replica"),
    ("GET", "/", "", "replica"),
    ("HEAD", "/track/", "", "replica"),
    ("GET", "/api/v1/items/X", "", "default"),       # only the listed exact path and the prefixes
    ("GET", "/hall/", "", "default"),                # an applicant's own pages: the primary
    ("GET", "/api/v1/cases/34130020260302000001", "", "default"),
    ("POST", "/api/v1/track/34130020260302000001", "", "default"),
    ("GET", "/track/", "1", "default"),              # wrote a moment ago: pinned to the primary
])
def test_which_database_a_request_reads(router, method, path, cookie, expected):
    """(No database transaction is open here, as in a request; inside one the primary is read.)"""
    request = getattr(RequestFactory(), method.lower())(path)
    if cookie:
        request.COOKIES[routing.PIN_COOKIE] = cookie
    seen = []

    def view(req):
        seen.append(router.db_for_read(None))
        return HttpResponse("ok")

    routing.ReplicaReadsMiddleware(view)(request)
    assert seen == ["replica0" if expected == "replica" else "default"]


@override_settings(ONEWINDOW_REPLICA_PATHS=PATHS, ONEWINDOW_REPLICA_PIN_SECONDS=10)
def test_unsafe_requests_pin_the_client_and_safe_ones_do_not():
    mw = routing.ReplicaReadsMiddleware(lambda r: HttpResponse("ok"))
    pinned = mw(RequestFactory().post("/api/v1/cases"))
    cookie = pinned.cookies[routing.PIN_COOKIE]
    assert cookie.value == "1" and cookie["max-age"] == 10 and cookie["httponly"]
    assert routing.PIN_COOKIE not in mw(RequestFactory().get("/track/")).cookies


@pytest.mark.django_db(transaction=True)
def test_replica_reads_round_robin_but_never_inside_a_transaction(router):
    token = routing._replica_ok.set(True)
    try:
        assert [router.db_for_read(None) for _ in range(3)] == ["replica0", "replica1", "replica0"]
        with transaction.atomic():
            assert router.db_for_read(None) == "default"
        assert router.db_for_write(None) == "default"
        assert router.allow_migrate("replica0", "cases") is False and router.allow_migrate("default", "cases")
    finally:
        routing._replica_ok.reset(token)
    assert router.db_for_read(None) == "default"  # outside a marked request
