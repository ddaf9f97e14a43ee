"""The supervision room, its partials, the API and cards: who may see what."""

import pytest
from django.core.management import call_command

from onewindow.accounts.models import Role, User
from onewindow.accounts.services import issue_token
from onewindow.cases.tests.factories import at, make_world
from onewindow.core.errors import Forbidden, NotFound, ServiceError
from onewindow.regions.models import Site
from onewindow.supervision import services
from onewindow.supervision.models import Alert, Card

from .helpers import D, accepted, filed

PAGES = ["/supervision/", "/supervision/board/", "/supervision/alerts/red/"]


@pytest.fixture
def w(db):
    w = make_world()
    w.county_sup = User.objects.create_user("sup_yq", password="demo12345", role=Role.SUPERVISOR, region=w.county)
    w.admin = User.objects.create_user("adm", password="demo12345", role=Role.ADMIN)
    return w


@pytest.fixture
def red_case(w):
    case = accepted(w, 2026, 9, 29)  # due 10/12
    services.sweep(D(2026, 10, 13))
    return case


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


@pytest.mark.parametrize("who", ["clerk", "reviewer", "citizen", "approver", "agent"])
def test_pages_and_api_refused_to_non_supervisors(client, w, who):
    client.force_login(getattr(w, who))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post("/supervision/cards/issue/", {"target_kind": "department"}).status_code == 403
    r = client.get("/api/v1/supervision/alerts")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_anonymous_redirected_to_login_and_api_401(client, w):
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    r = client.get("/api/v1/supervision/alerts")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"


def test_room_shows_board_and_red_list(client, w, red_case):
    client.force_login(w.supervisor)
    r = client.get("/supervision/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f"/cases/{red_case.number}/" in html
    assert 'hx-get="/supervision/board/"' in html and 'hx-trigger="every 10s"' in html
    r = client.get("/supervision/board/", HTTP_HX_REQUEST="true")  # the room's poll: the bare fragment
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert "市市场监督管理局" in r.content.decode()
    for url in ("/supervision/board/", "/supervision/alerts/red/"):  # opened on its own: in the layout
        html = client.get(url).content.decode()
        assert "<html" in html and 'name="viewport"' in html and "返回电子监察室" in html, url
    red_page = client.get("/supervision/alerts/red/").content.decode()
    assert f"/cases/{red_case.number}/" in red_page and "<h2>红色预警</h2>" in red_page


def test_admin_may_use_the_room(client, w, red_case):
    client.force_login(w.admin)
    assert client.get("/supervision/").status_code == 200
    r = client.get("/api/v1/supervision/alerts", **bearer(w.admin))
    assert r.json()["count"] == 1


def test_api_lists_open_alerts(client, w, red_case):
    yellow = accepted(w, 2026, 9, 29)
    from onewindow.cases.models import Case

    Case.objects.filter(pk=yellow.pk).update(due_date=D(2026, 10, 13))
    services.sweep(D(2026, 10, 13))
    r = client.get("/api/v1/supervision/alerts", **bearer(w.supervisor))
    assert r.status_code == 200
    assert r.json()["count"] == 2
    r = client.get("/api/v1/supervision/alerts?level=red", **bearer(w.supervisor))
    body = r.json()
    assert body["count"] == 1
    alert = body["alerts"][0]
    assert alert["case"] == red_case.number and alert["level"] == "red" and alert["rule"] == "deadline.red"
    assert alert["since"].endswith("+08:00")
    r = client.get("/api/v1/supervision/alerts?level=yellow", **bearer(w.supervisor))
    assert [a["case"] for a in r.json()["alerts"]] == [yellow.number]
    assert client.get("/api/v1/supervision/alerts?page=2", **bearer(w.supervisor)).json()["alerts"] == []


@pytest.mark.parametrize(("query", "field"), [("level=purple", "level"), ("page=abc", "page"), ("page=0", "page"),
                                              ("page=-3", "page")])
def test_api_bad_parameters(client, w, query, field):
    r = client.get(f"/api/v1/supervision/alerts?{query}", **bearer(w.supervisor))
    assert r.status_code == 400
    assert field in r.json()["error"]["fields"]


def test_county_supervisor_does_not_see_city_centre_alert(client, w, red_case):
    assert red_case.region_code == "341300"
    r = client.get("/api/v1/supervision/alerts", **bearer(w.county_sup))
    assert r.status_code == 200 and r.json() == {"count": 0, "page": 1, "alerts": []}
    client.force_login(w.county_sup)
    html = client.get("/supervision/").content.decode()
    assert red_case.number not in html
    assert client.get("/api/v1/supervision/alerts", **bearer(w.supervisor)).json()["count"] == 1


def test_county_supervisor_sees_own_county_alert(client, w):
    county_site = Site.objects.create(code="ZW-341302", name="埇桥区政务服务中心", level="county", kind="centre",
                                      region=w.county)
    clerk = User.objects.create_user("yqclerk", password="x", role=Role.CLERK, site=county_site)
    case = filed(w, 2026, 9, 29, actor=clerk)
    from onewindow.cases import services as cases

    with at(2026, 9, 29, 9):
        cases.perform(case.number, "accept", clerk)
    services.sweep(D(2026, 10, 13))
    r = client.get("/api/v1/supervision/alerts?level=red", **bearer(w.county_sup))
    assert [a["case"] for a in r.json()["alerts"]] == [case.number]


# ---- cards ---------------------------------------------------------------------------------

def test_issue_and_revoke_card(w):
    card = services.issue_card(actor=w.supervisor, target_kind="window", target_id=w.window.pk, colour="yellow",
                               reason="受理超时")
    assert card.window_id == w.window.pk and card.department_id is None and card.region_code == "341300"
    card = services.revoke_card(actor=w.supervisor, card_id=card.pk)
    assert card.revoked_at is not None and card.revoked_by == w.supervisor
    with pytest.raises(ServiceError) as exc:
        services.revoke_card(actor=w.supervisor, card_id=card.pk)
    assert exc.value.status == 409


def test_card_bad_input(w):
    with pytest.raises(ServiceError) as exc:
        services.issue_card(actor=w.supervisor, target_kind="person", target_id="x", colour="green", reason="")
    assert set(exc.value.fields) == {"target_kind", "colour", "reason", "target"}
    with pytest.raises(NotFound):
        services.issue_card(actor=w.supervisor, target_kind="department", target_id=999999, colour="red",
                            reason="超期")


def test_cards_only_by_supervisors_and_within_region(w):
    with pytest.raises(Forbidden):
        services.issue_card(actor=w.clerk, target_kind="department", target_id=w.dept.pk, colour="red", reason="x")
    with pytest.raises(NotFound):  # the city department is outside 埇桥区
        services.issue_card(actor=w.county_sup, target_kind="department", target_id=w.dept.pk, colour="red",
                            reason="超期")
    card = services.issue_card(actor=w.supervisor, target_kind="department", target_id=w.dept.pk, colour="red",
                               reason="多件超期")
    with pytest.raises(NotFound):
        services.revoke_card(actor=w.county_sup, card_id=card.pk)
    with pytest.raises(Forbidden):
        services.revoke_card(actor=w.reviewer, card_id=card.pk)


def test_card_form_and_history(client, w):
    client.force_login(w.supervisor)
    r = client.post("/supervision/cards/issue/", {"target_kind": "department", "department": w.dept.pk,
                                                   "colour": "red", "reason": "多件超期未办结"})
    assert r.status_code == 302
    card = Card.objects.get()
    assert card.department_id == w.dept.pk and card.colour == "red" and card.issued_by == w.supervisor
    html = client.get("/supervision/").content.decode()
    assert "多件超期未办结" in html
    r = client.post("/supervision/cards/issue/", {"target_kind": "department", "colour": "red", "reason": "x"})
    assert r.status_code == 302 and Card.objects.count() == 1
    client.post(f"/supervision/cards/{card.pk}/revoke/")
    card.refresh_from_db()
    assert card.revoked_at is not None


# ---- worker --------------------------------------------------------------------------------

def _sweep_figures(out) -> set[str]:
    """The figures of the worker's "sweep: …" line. They come back from the task result's JSON, whose
    key order PostgreSQL's jsonb does not keep, so they are compared as a set."""
    line = next(x for x in out.getvalue().splitlines() if x.startswith("sweep: "))
    return set(line.removeprefix("sweep: ").split(" (tasks run")[0].split(", "))


def test_worker_once_runs_the_sweep_task_and_opens_the_alert(w, capsys, settings):
    from io import StringIO

    from django_tasks_db.models import DBTaskResult

    case = accepted(w, 2026, 9, 29)  # due 10/12
    # The real queue from here on (set after the filing, whose announcements would be queued too).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = StringIO()
    with at(2026, 10, 13, 8):
        call_command("worker", "--once", stdout=out)
    assert _sweep_figures(out) == {"opened 1", "closed 0"}
    assert Alert.objects.filter(case=case, rule="deadline.red", closed_at=None).count() == 1
    row = DBTaskResult.objects.get(task_path="onewindow.supervision.tasks.sweep_task")  # other apps have rounds too
    assert row.status == "SUCCESSFUL" and row.return_value == {"opened": 1, "closed": 0}
    out = StringIO()
    with at(2026, 10, 13, 8):
        call_command("worker", "--once", stdout=out)
    assert _sweep_figures(out) == {"opened 0", "closed 0"}


@pytest.mark.django_db
def test_worker_loop_survives_a_database_error(monkeypatch):
    """A dropped connection in one round is reported and the next round runs (the loop ends here on the
    KeyboardInterrupt the fake raises on its third call)."""
    from io import StringIO

    from django.db import OperationalError

    from onewindow.core.management.commands import worker

    calls = []

    def fake_round(self):
        calls.append("round")
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(worker.Command, "round", fake_round)
    monkeypatch.setattr(worker.time, "sleep", lambda s: None)
    clock = iter(range(10_000, 10_100, 10))  # ten seconds pass between readings: a sweep is due each round
    monkeypatch.setattr(worker.time, "monotonic", lambda: float(next(clock)))
    out, err = StringIO(), StringIO()
    call_command("worker", "--interval", "1", stdout=out, stderr=err)
    assert calls == ["round", "round", "round"]
    assert "database error, retrying: server closed the connection unexpectedly" in err.getvalue()
    assert "worker stopped" in out.getvalue()
