"""Shared fixtures. Tests run against the real database selected by DATABASE_URL."""

import pytest


@pytest.fixture
def api_client():
    from django.test import Client

    return Client()
