from datetime import date

import pytest

from onewindow.workdays import services

pytestmark = pytest.mark.django_db

URL = "/api/v1/workdays"


def test_due(client):
    r = client.get(f"{URL}/due", {"start": "2026-09-30", "days": "4"})
    assert r.status_code == 200
    assert r.json() == {"due": "2026-10-12", "provisional": False}
    r = client.get(f"{URL}/due", {"start": "2026-02-12", "days": "7"})
    assert r.json() == {"due": "2026-02-28", "provisional": False}
    r = client.get(f"{URL}/due", {"start": "2026-12-30", "days": "2"})
    assert r.json() == {"due": "2027-01-04", "provisional": True}
    r = client.get(f"{URL}/due", {"start": "2026-10-03", "days": "0"})
    assert r.json() == {"due": "2026-10-03", "provisional": False}


def test_due_follows_admin_edit(client):
    services.set_day(date(2026, 10, 9), False, "holiday", "国庆节", actor=None)
    r = client.get(f"{URL}/due", {"start": "2026-09-30", "days": "4"})
    assert r.json() == {"due": "2026-10-13", "provisional": False}


def test_between(client):
    r = client.get(f"{URL}/between", {"start": "2026-02-12", "end": "2026-03-02"})
    assert r.status_code == 200
    assert r.json() == {"workdays": 8}
    r = client.get(f"{URL}/between", {"start": "2026-10-12", "end": "2026-09-18"})
    assert r.json() == {"workdays": -12}
    r = client.get(f"{URL}/between", {"start": "2025-12-31", "end": "2026-01-04"})
    assert r.json() == {"workdays": 1}


@pytest.mark.parametrize(
    "path,params,field",
    [
        ("due", {"start": "2026-13-01", "days": "1"}, "start"),
        ("due", {"start": "2026-02-30", "days": "1"}, "start"),
        ("due", {"start": "30/09/2026", "days": "1"}, "start"),
        ("due", {"start": "2026-09-30", "days": "-1"}, "days"),
        ("due", {"start": "2026-09-30", "days": "abc"}, "days"),
        ("due", {"start": "2026-09-30", "days": "1.5"}, "days"),
        ("due", {"start": "2026-09-30", "days": "99999999999999999999"}, "days"),
        ("due", {"days": "1"}, "start"),
        ("due", {"start": "2026-09-30"}, "days"),
        ("due", {"start": "2019-12-31", "days": "1"}, "start"),   # before the calendar
        ("due", {"start": "2035-12-20", "days": "30"}, "days"),   # due after the calendar
        ("between", {"start": "2026-01-01", "end": "2026-02-30"}, "end"),
        ("between", {"start": "2036-01-01", "end": "2026-01-01"}, "start"),
        ("between", {"start": "2026-01-01"}, "end"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, path, params, field):
    r = client.get(f"{URL}/{path}", params)
    assert r.status_code == 400
    body = r.json()
    assert body["error"]["code"] == "invalid"
    assert body["error"]["message"]
    assert field in body["error"]["fields"]
