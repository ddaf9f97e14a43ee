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


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_codes_never_exceed_the_number_limit(redis_cache, settings):
    settings.ONEWINDOW_TRACK_FAILURES_PER_CLIENT = 100
    settings.ONEWINDOW_TRACK_FAILURES_PER_NUMBER = 4
    w = make_world()
    from onewindow.cases import services

    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk,
                              materials=["M01"])
    clients = iter(f"198.51.100.{i}" for i in range(100))
    lock = threading.Lock()

    def guess():
        with lock:
            address = next(clients)
        try:
            tracking.lookup(case.number, "WRONG1", address)
        except RateLimited:
            return "limited"
        except NotFound:
            return "guessed"

    results = _threads(10, guess)
    assert sorted(results) == ["guessed"] * 4 + ["limited"] * 6
    with pytest.raises(RateLimited):  # locked for everyone, the right code too
        tracking.lookup(case.number, case.query_code, "203.0.113.1")


@pytest.mark.django_db(transaction=True)
def test_successful_lookups_give_their_slots_back(redis_cache, settings):
    """A lookup that reaches the database holds a slot and gives it back on success: after any number
    of successes a client still has exactly its limit of wrong lookups."""
    settings.ONEWINDOW_TRACK_FAILURES_PER_CLIENT = 3
    w = make_world()
    from onewindow.cases import services

    cases = [services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk,
                                materials=["M01"]) for _ in range(4)]
    for case in cases * 2:  # cold then (after the filing's stale mark is replaced) cached
        assert tracking.lookup(case.number, case.query_code, "198.51.100.9")["number"] == case.number
    for i in range(3):
        with pytest.raises(NotFound):
            tracking.lookup(f"3413002026030299990{i}", "WRONG1", "198.51.100.9")
    with pytest.raises(RateLimited):
        tracking.lookup(cases[0].number, cases[0].query_code, "198.51.100.9")
    client_keys = [k for k in redis_cache._cache.get_client().keys("*track:fail:client*")]
    assert [int(redis_cache._cache.get_client().get(k)) for k in client_keys] == [3]


@pytest.mark.django_db(transaction=True)
def test_an_answer_read_before_a_write_commits_is_not_cached_over_it(redis_cache, monkeypatch):
    """A lookup reads the old rows; a write commits (marking the answer stale) before the lookup stores
    its answer: the store is refused, and the next lookup reads the new state."""
    from onewindow.cases import services
    from onewindow.portal import progress

    w = make_world()
    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk,
                              materials=["M01", "M02", "M03"])
    read = progress.track

    def read_then_write(number, code):
        answer = read(number, code)
        services.perform(case.number, "accept", w.clerk, {})  # commits, marks the answer stale
        return answer

    monkeypatch.setattr(progress, "track", read_then_write)
    assert tracking.lookup(case.number, case.query_code, "198.51.100.10")["state"] == "submitted"
    monkeypatch.setattr(progress, "track", read)
    assert tracking.lookup(case.number, case.query_code, "198.51.100.10")["state"] == "accepted"
    # and that answer, read after the commit, is cached
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert tracking.lookup(case.number, case.query_code, "198.51.100.10")["state"] == "accepted"
    assert len(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_right_lookups_of_a_cold_number_are_not_refused(redis_cache, settings):
    """More lookups in flight than the limits allow wrong ones: they wait for the slots, none is refused."""
    settings.ONEWINDOW_TRACK_FAILURES_PER_CLIENT = 2
    settings.ONEWINDOW_TRACK_FAILURES_PER_NUMBER = 2
    w = make_world()
    from onewindow.cases import services

    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk,
                              materials=["M01"])

    def look():
        try:
            return tracking.lookup(case.number, case.query_code, "198.51.100.11")["number"]
        except RateLimited:
            return "limited"

    assert _threads(12, look) == [case.number] * 12


@pytest.mark.django_db(transaction=True)
def test_on_redis_each_language_is_cached_apart_and_a_write_forgets_both(redis_cache, client):
    from onewindow.cases import services

    w = make_world()
    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk,
                              materials=["M01", "M02", "M03"])
    url = f"/api/v1/track/{case.number}?code={case.query_code}"
    for _ in range(2):  # the second time from the cache
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["state_label"] == "Submitted"
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["state_label"] == "已提交"
    services.perform(case.number, "accept", w.clerk, {})
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["state_label"] == "Accepted"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["state_label"] == "已受理"
