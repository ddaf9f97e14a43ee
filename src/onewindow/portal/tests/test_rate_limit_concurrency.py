"""Tracking's failure limit holds under concurrent wrong guesses on Redis (an atomic INCR holds a slot
per lookup in flight). Redis runs on this project's machines; CI sets REQUIRE_REDIS=1."""

import os
import threading

import pytest
import redis
from django.db import close_old_connections, connection

from onewindow.cases.tests.factories import make_world, person
from onewindow.core.errors import NotFound
from onewindow.portal import tracking
from onewindow.portal.services import RateLimited

REDIS_URL = os.environ.get("ONEWINDOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    settings.CACHES = {"default": {"BACKEND": "onewindow.core.rediscache.SharedClientRedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": f"test-{os.getpid()}"}}
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def _threads(n, target):
    barrier = threading.Barrier(n)
    out = []

    def run():
        try:
            barrier.wait()
            out.append(target())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return out


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_guesses_never_exceed_the_client_limit(redis_cache, settings):
    settings.ONEWINDOW_TRACK_FAILURES_PER_CLIENT = 5
    settings.ONEWINDOW_TRACK_FAILURES_PER_NUMBER = 100

    def guess():
        try:
            tracking.lookup("34130020260302999999", "WRONG1", "198.51.100.7")
        except RateLimited:
            return "limited"
        except NotFound:
            return "guessed"

    results = _threads(12, guess)
    assert sorted(results) == ["guessed"] * 5 + ["limited"] * 7


@pytest.mark.django_db(transaction=True)
def test_on_redis_a_known_answer_takes_no_query_and_a_change_forgets_it(redis_cache, django_assert_num_queries):
    from onewindow.cases import services

    w = make_world()
    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk,
                              materials=["M01", "M02", "M03"])
    first = tracking.lookup(case.number, case.query_code, "198.51.100.8")
    assert first["state"] == "submitted"
    with django_assert_num_queries(0):
        assert tracking.lookup(case.number, case.query_code.lower(), "198.51.100.8") == first
    services.perform(case.number, "accept", w.clerk, {})
    again = tracking.lookup(case.number, case.query_code, "198.51.100.8")
    assert again["state"] == "accepted"  # the write forgot the cached answer
