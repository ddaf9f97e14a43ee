"""Shared fixtures. Tests run against the real database selected by DATABASE_URL."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 at production strength costs ~0.3 s a user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run at once after commit, so a test sees notifications and alerts straight away.
    Tests of the queue itself set the database backend back."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}



@pytest.fixture
def api_client():
    from django.test import Client

    return Client()
