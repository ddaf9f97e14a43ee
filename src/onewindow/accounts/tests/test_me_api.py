"""`GET /api/v1/me`: who the token or session belongs to; 401 when nobody is signed in."""

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.accounts.services import issue_token
from onewindow.cases.tests.factories import make_world

pytestmark = pytest.mark.django_db


def _me(user):
    return Client(headers={"Authorization": f"Bearer {issue_token(user)}"}).get("/api/v1/me")


def test_not_signed_in_is_401_with_the_bearer_challenge():
    for r in (Client().get("/api/v1/me"), Client(headers={"Authorization": "Bearer nonsense"}).get("/api/v1/me")):
        assert r.status_code == 401
        assert r["WWW-Authenticate"] == "Bearer"
        assert r.json()["error"]["code"] == "unauthorized"


def test_staff_see_their_site_window_and_department():
    w = make_world()
    body = _me(w.clerk).json()
    assert body["username"] == "clerk" and body["role"] == "clerk" and body["role_label"] == "综合窗口受理员"
    assert body["site"] == w.centre.code and body["window"] == w.window.number and body["window_id"] == w.window.pk
    assert body["kind"] is None and body["id_number"] is None
    reviewer = _me(w.reviewer).json()
    assert reviewer["role"] == "reviewer" and reviewer["department"] == w.reviewer.department.code


def test_applicants_see_their_kind_and_identity():
    w = make_world()
    body = _me(w.citizen).json()
    assert body["role"] == "applicant" and body["kind"] == "person"
    assert body["id_number"] == w.citizen.id_number and body["uscc"] is None and body["site"] is None
    org = User.objects.create_user("firm", password="x-12345678", role="applicant", applicant_kind="org",
                                   display_name="宿州示范商贸有限公司", uscc="91341300MA2XXXXX0X")
    body = _me(org).json()
    assert (body["kind"], body["uscc"], body["id_number"], body["name"]) == (
        "org", "91341300MA2XXXXX0X", None, "宿州示范商贸有限公司")


def test_a_browser_session_works_too():
    w = make_world()
    c = Client()
    c.force_login(w.citizen)
    assert c.get("/api/v1/me").json()["username"] == w.citizen.username


def test_documented_in_openapi():
    schema = Client().get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/me"]["get"]
    assert {"200", "401"} <= set(op["responses"])
