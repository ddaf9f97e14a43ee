"""Shared fixtures. Tests run against the real database selected by DATABASE_URL."""

import pytest

# The real-browser harness (fixtures `browser`, `demo_site`; see onewindow.core.testing.browser).
pytest_plugins = ["onewindow.core.testing.browser"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 at production strength costs ~0.3 s a user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run at once after commit, so a test sees notifications and alerts straight away.
    Tests of the queue itself set the database backend back."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path):
    """Each test has its own checkpoint file: the database is emptied between tests, and a
    checkpoint left by one test would (rightly) make the next test's chain look truncated."""
    settings.ONEWINDOW_AUDIT_CHECKPOINT_DIR = tmp_path / "audit"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Pages are rendered afresh in tests (their query counts are asserted); core/tests/test_pagecache.py
    turns the public-page cache on."""
    settings.ONEWINDOW_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test that uses the database starts with an empty shared cache (tracking counters, cached
    pages): the database cache's table is not a model, so no flush or rollback empties it."""
    from django.core.cache import cache

    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")  # database access first
    elif {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    else:
        yield
        return
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English (Accept-Language: en) leaves English active on the test's thread
    (LocaleMiddleware never deactivates); start the next test in the default language again."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _second_factor_given(request, monkeypatch):
    """A test client that signs in (login or force_login) as someone who owes a second factor
    has given it too, so that tests of other journeys see the pages; tests of the second factor
    itself are marked `real_second_factor`."""
    if request.node.get_closest_marker("real_second_factor"):
        return
    from django.test.client import ClientMixin

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        from onewindow.accounts.twofactor import mark_verified, required_for

        if getattr(user, "role", None) and required_for(user):
            mark_verified(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)


@pytest.fixture
def api_client():
    from django.test import Client

    return Client()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The working-day calendar is seeded by a data migration. A transactional test empties every
    table when it ends, and with --reuse-db (the default in pyproject) the next run starts from that
    empty database: seed the calendar again if it is missing, as `workdays` itself would."""
    with django_db_blocker.unblock():
        from onewindow.workdays.selectors import _reseed_if_empty

        _reseed_if_empty()
