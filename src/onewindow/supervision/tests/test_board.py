"""Board partials, pagination of the alert lists and the cost of the per-case re-evaluation."""

import pytest

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_world
from onewindow.supervision import services
from onewindow.supervision.models import Alert

from .helpers import D, accepted


@pytest.fixture
def w(db):
    return make_world()


def test_red_list_paginates_by_20(client, w):
    first = accepted(w, 2026, 9, 29)
    ids = [first.pk] + [accepted(w, 2026, 9, 29).pk for _ in range(22)]
    assert services.sweep(D(2026, 10, 13))["opened"] == 23
    client.force_login(w.supervisor)
    page1 = client.get("/supervision/alerts/red/", HTTP_HX_REQUEST="true").content.decode()
    page2 = client.get("/supervision/alerts/red/?page=2", HTTP_HX_REQUEST="true").content.decode()
    numbers = list(Case.objects.filter(pk__in=ids).values_list("number", flat=True))
    on1 = [n for n in numbers if f"/cases/{n}/" in page1]
    on2 = [n for n in numbers if f"/cases/{n}/" in page2]
    assert len(on1) == 20 and len(on2) == 3 and not set(on1) & set(on2)
    assert 'hx-get="/supervision/alerts/red/?page=2"' in page2  # keeps polling its own page
    assert client.get("/supervision/alerts/red/?page=zz").status_code == 200  # falls back to page 1
    assert client.get("/supervision/alerts/purple/").status_code == 404


def test_board_counts_by_level_department_and_site(client, w):
    accepted(w, 2026, 9, 29)
    accepted(w, 2026, 9, 29, item=w.police_item)  # due 10/20 (10 working days) → normal on 10/13
    red2 = accepted(w, 2026, 9, 29, item=w.police_item)
    Case.objects.filter(pk=red2.pk).update(due_date=D(2026, 10, 9))
    services.sweep(D(2026, 10, 13))
    from onewindow.supervision import selectors

    counts = selectors.board_counts(w.supervisor)
    assert counts["by_level"] == {"yellow": 0, "red": 2, "anomaly": 0}
    assert {r["department__name"]: r["n"] for r in counts["by_department"]} == {"市市场监督管理局": 1, "市公安局": 1}
    assert [(r["site__name"], r["n"]) for r in counts["by_site"]] == [("宿州市政务服务中心", 2)]


def test_board_lists_the_top_groups_and_counts_each_level_once(client, w, monkeypatch):
    """Two red alerts in 市公安局, one in 市市场监督管理局: with room for one row, the police department
    is listed; the red list's pager takes the board's count instead of counting again."""
    from onewindow.supervision import selectors

    monkeypatch.setattr(selectors, "BOARD_TOP", 1)
    accepted(w, 2026, 9, 29)
    for _ in range(2):
        case = accepted(w, 2026, 9, 29, item=w.police_item)
        Case.objects.filter(pk=case.pk).update(due_date=D(2026, 10, 9))
    services.sweep(D(2026, 10, 13))
    counts = selectors.board_counts(w.supervisor)
    assert counts["by_level"] == {"yellow": 0, "red": 3, "anomaly": 0} and counts["total"] == 3
    assert counts["by_department"] == [{"department_id": w.police_item.item.department_id,
                                        "department__name": "市公安局", "n": 2}]
    client.force_login(w.supervisor)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        resp = client.get("/supervision/board/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and resp.context["red"].paginator.count == 3
    counts_of_alerts = [q["sql"] for q in queries.captured_queries
                        if q["sql"].startswith("SELECT COUNT(*)") and "supervision_alert" in q["sql"]]
    assert counts_of_alerts == []  # the lists' pagers took the board's counts


def test_evaluate_case_is_cheap_and_idempotent(w, django_assert_max_num_queries):
    case = accepted(w, 2026, 9, 29)
    with django_assert_max_num_queries(12):
        assert services.evaluate_case(case.pk, D(2026, 10, 13)) == (1, 0)
    assert services.evaluate_case(case.pk, D(2026, 10, 13)) == (0, 0)
    assert Alert.objects.filter(case=case, closed_at=None).count() == 1
