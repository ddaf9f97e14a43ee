"""Admin change lists of cases, events and alerts: filters from the declared tables (no DISTINCT
over millions of rows) that filter what they say."""

import pytest
from django.contrib.auth import get_user_model

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_world
from onewindow.supervision import services

from .helpers import D, accepted, filed


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(user)
    return client


def test_case_event_and_alert_lists_filter_by_declared_values(admin_client):
    w = make_world()
    late = accepted(w, 2026, 9, 29)  # due 10/12: red on 10/13
    waiting = filed(w, 2026, 10, 12)
    services.sweep(D(2026, 10, 13))

    page = admin_client.get("/admin/cases/case/?state__exact=submitted").content.decode()
    assert waiting.number in page and late.number not in page

    page = admin_client.get("/admin/cases/caseevent/").content.decode()
    assert "受理" in page and "提交申请" in page  # choices come from the transition table
    page = admin_client.get("/admin/cases/caseevent/?action=accept").content.decode()
    assert late.number in page and waiting.number not in page

    page = admin_client.get("/admin/supervision/alert/?rule=deadline.red").content.decode()
    assert late.number in page
    page = admin_client.get("/admin/supervision/alert/?rule=deadline.yellow").content.decode()
    assert late.number not in page
    assert Case.objects.count() == 2
