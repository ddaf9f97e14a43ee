"""The hall's endpoints as CONTRACT.md writes them: shapes, statuses and the error body."""

import pytest
from django.test import Client

from onewindow.queue.tests.factories import at, make_hall

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(client, path, body=None):
    return client.post(API + path, body or {}, content_type="application/json")


def logged(user):
    c = Client()
    c.force_login(user)
    return c


def test_services_and_ticket_and_board():
    w = make_hall()
    c = Client()
    with at(2026, 3, 2, 9):
        r = post(c, "/queue/tickets", {"site": "SZ-CENTRE", "queue": "general", "phone": "13800000001"})
        assert r.status_code == 201
        body = r.json()
        assert {k: body[k] for k in ("number", "queue", "state", "waiting_before")} == {
            "number": "A001", "queue": "general", "state": "waiting", "waiting_before": 0}
        r2 = post(c, "/queue/tickets", {"site": "SZ-CENTRE", "queue": "general"})
        assert r2.json()["waiting_before"] == 1
        services = c.get(API + "/queue/services?site=SZ-CENTRE").json()
    assert services == [{"code": "general", "name": "综合受理", "prefix": "A", "waiting": 2},
                        {"code": "estate", "name": "不动产登记", "prefix": "B", "waiting": 0}]
    clerk = logged(w.clerk)
    with at(2026, 3, 2, 9, 6):
        r = post(clerk, f"/queue/windows/{w.window.pk}/call-next")
    assert r.status_code == 200 and r.json()["number"] == "A001" and r.json()["state"] == "called"
    with at(2026, 3, 2, 9, 7):
        board = c.get(API + "/queue/board?site=SZ-CENTRE").json()
    assert [(x["number"], x["window"]) for x in board["calling"]] == [("A001", "01")]
    general = next(q for q in board["queues"] if q["code"] == "general")
    assert general["waiting"] == 1 and general["avg_wait_minutes"] == 6.0  # queued 9:00, called 9:06


def test_errors_have_the_contract_shape():
    w = make_hall()
    c = Client()
    with at(2026, 3, 2, 9):
        r = post(c, "/queue/tickets", {"site": "NOPE", "queue": "general"})
        assert r.status_code == 404 and r.json()["error"]["fields"] == {"site": "未找到该服务场所"}
        assert c.get(API + "/queue/services?site=NOPE").status_code == 404
        assert c.get(API + "/queue/board?site=NOPE").status_code == 404
        r = post(c, "/queue/tickets", {"site": "SZ-CENTRE", "queue": "general", "id_number": "110102199101010078"})
        r = post(c, "/queue/tickets", {"site": "SZ-CENTRE", "queue": "general", "id_number": "110102199101010078"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_exists"
        r = post(c, "/queue/tickets", {"site": "SZ-CENTRE"})
        assert r.status_code == 400 and "queue" in r.json()["error"]["fields"]
        w.queue_b.daily_cap = 1
        w.queue_b.save()
        post(c, "/queue/tickets", {"site": "SZ-CENTRE", "queue": "estate"})
        r = post(c, "/queue/tickets", {"site": "SZ-CENTRE", "queue": "estate"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "daily_cap_reached"

        assert post(c, f"/queue/windows/{w.window.pk}/call-next").status_code == 401
        assert post(logged(w.clerk2), f"/queue/windows/{w.window.pk}/call-next").status_code == 403
        assert post(logged(w.clerk), "/queue/windows/999999/call-next").status_code == 404
        clerk = logged(w.clerk)
        ticket = post(clerk, f"/queue/windows/{w.window.pk}/call-next").json()
        r = post(clerk, f"/queue/tickets/{ticket['id']}/actions/finish")
        assert r.status_code == 409
        assert r.json()["error"]["fields"]["allowed"] == ["recall", "start", "no_show", "transfer"]
        assert post(logged(w.clerk2), f"/queue/tickets/{ticket['id']}/actions/start").status_code == 403
        assert post(logged(w.other_clerk), f"/queue/tickets/{ticket['id']}/actions/start").status_code == 404
        assert post(clerk, "/queue/tickets/999999/actions/start").status_code == 404
        r = post(clerk, f"/queue/tickets/{ticket['id']}/actions/transfer", {"queue": "nope"})
        assert r.status_code == 404 and "queue" in r.json()["error"]["fields"]
        r = post(clerk, f"/queue/tickets/{ticket['id']}/actions/transfer", {"queue": "estate"})
        assert r.status_code == 200 and r.json()["state"] == "transferred" and r.json()["transferred_to"]


def test_call_next_204_when_no_one_waits():
    w = make_hall()
    with at(2026, 3, 2, 9):
        r = post(logged(w.clerk), f"/queue/windows/{w.window.pk}/call-next")
    assert r.status_code == 204 and r.content == b""


def test_window_monitor_refused_to_clerks_and_applicants():
    w = make_hall()
    with at(2026, 3, 2, 9):
        assert Client().get(API + "/queue/windows?site=SZ-CENTRE").status_code == 401
        assert logged(w.clerk).get(API + "/queue/windows?site=SZ-CENTRE").status_code == 403
        assert logged(w.citizen).get(API + "/queue/windows?site=SZ-CENTRE").status_code == 403
        post(Client(), "/queue/tickets", {"site": "SZ-CENTRE", "queue": "general"})
        post(logged(w.clerk), f"/queue/windows/{w.window.pk}/call-next")
        post(logged(w.clerk3), f"/queue/windows/{w.window3.pk}/call-next")  # nobody in B: idle
        rows = logged(w.supervisor).get(API + "/queue/windows?site=SZ-CENTRE").json()
    states = {r["code"]: (r["state"], r["ticket"], r["clerk"]) for r in rows}
    assert states == {"01": ("serving", "A001", "clerk"), "02": ("closed", None, None), "03": ("idle", None, "clerk3")}


def test_openapi_documents_the_hall_with_typed_errors():
    schema = Client().get(API + "/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/queue/services", "/api/v1/queue/tickets", "/api/v1/queue/windows/{window}/call-next",
                 "/api/v1/queue/tickets/{ticket_id}/actions/{action}", "/api/v1/queue/board", "/api/v1/queue/windows",
                 "/api/v1/appointments/slots", "/api/v1/appointments",
                 "/api/v1/appointments/{appointment_id}/cancel"):
        assert path in paths, path
    responses = paths["/api/v1/queue/tickets"]["post"]["responses"]
    assert {"201", "404", "409", "429"} <= set(responses)
    assert "204" in paths["/api/v1/queue/windows/{window}/call-next"]["post"]["responses"]
    # the kiosk's ticket: a token, or none; each alternative once (issue 13: OptionalBearer was listed twice)
    assert paths["/api/v1/queue/tickets"]["post"]["security"] == [{"OptionalBearer": []}, {}]
    for path, ops in paths.items():
        for method, op in ops.items():
            alternatives = [tuple(sorted(a)) for a in op.get("security", [])]
            assert len(alternatives) == len(set(alternatives)), (method, path, op["security"])


def test_appointment_endpoints():
    w = make_hall()
    c = Client()
    with at(2026, 9, 29, 10):
        r = c.get(API + "/appointments/slots?site=SZ-CENTRE&queue=general&date=2026-10-02")
        assert r.status_code == 200 and r.json() == {"date": "2026-10-02", "slots": []}
        r = c.get(API + "/appointments/slots?site=SZ-CENTRE&queue=general&date=2026-10-10")
        assert len(r.json()["slots"]) == 14
        assert c.get(API + "/appointments/slots?site=SZ-CENTRE&queue=general&date=bad").status_code == 400
        assert post(c, "/appointments", {"site": "SZ-CENTRE", "queue": "general", "date": "2026-10-10",
                                         "start": "09:00"}).status_code == 401
        me = logged(w.citizen)
        r = post(me, "/appointments", {"site": "SZ-CENTRE", "queue": "general", "date": "2026-10-10", "start": "09:00"})
        assert r.status_code == 201 and r.json()["state"] == "booked" and len(r.json()["code"]) == 8
        again = post(me, "/appointments", {"site": "SZ-CENTRE", "queue": "general", "date": "2026-10-10",
                                           "start": "10:00"})
        assert again.status_code == 409
        off = post(me, "/appointments", {"site": "SZ-CENTRE", "queue": "general", "date": "2026-10-05",
                                         "start": "09:00"})
        assert off.status_code == 400 and list(off.json()["error"]["fields"]) == ["date"]
        assert post(logged(w.citizen2), f"/appointments/{r.json()['id']}/cancel").status_code == 404
        done = post(me, f"/appointments/{r.json()['id']}/cancel")
        assert done.status_code == 200 and done.json()["state"] == "cancelled"
