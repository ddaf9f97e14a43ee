"""The input gate: each defect found by the attack run, as a request that must now be refused
cleanly (on PostgreSQL a NUL byte used to reach the database and give 500)."""

import json

import pytest
from django.test import Client

from onewindow.accounts.services import issue_token
from onewindow.audit.models import AuditEntry
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_world, person


def _err(resp, status):
    assert resp.status_code == status, resp.content[:300]
    body = resp.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def _api(user):
    return {"Authorization": f"Bearer {issue_token(user)}"}


def _post(path, body, user=None, **kw):
    headers = _api(user) if user else {}
    return Client().post(path, data=body if isinstance(body, (str, bytes)) else json.dumps(body),
                         content_type=kw.pop("content_type", "application/json"), headers=headers, **kw)


FILING = {"item": "SCJG-XK-0001", "applicant": person(), "channel": "window", "materials": ["M01", "M02", "M03"]}


@pytest.mark.django_db
@pytest.mark.parametrize("url, field", [
    ("/api/v1/items?search=%00", "search"),
    ("/api/v1/items?search=a%01b", "search"),
    ("/api/v1/track/%00", "path"),
    ("/api/v1/track/2026?code=%00", "code"),
    ("/api/v1/workdays/due?start=2026-01-05%00&days=3", "start"),
])
def test_nul_and_control_characters_in_query_and_path_are_a_400_naming_the_field(url, field):
    err = _err(Client().get(url), 400)
    assert err["code"] == "invalid"
    assert field in err["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/track/%00", "/network/?q=%00", "/items/?q=%00", "/track/?number=%00&code=1"])
def test_nul_on_pages_is_a_chinese_400_page(url):
    resp = Client().get(url)
    assert resp.status_code == 400
    assert resp["Content-Type"].startswith("text/html")
    assert "提交的内容无法处理" in resp.content.decode()


@pytest.mark.django_db
def test_nul_in_a_form_field_is_refused_before_the_view():
    resp = Client().post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert resp.status_code == 400
    assert "username" in resp.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("bad, field", [
    ({"applicant": {**person(), "name": "张\x00三"}}, "applicant.name"),
    ({"materials": ["M01\x00"]}, "materials.0"),
    ({"data": {"note": "\ud800"}}, "data.note"),
])
def test_bad_text_in_json_is_400_naming_the_field_and_nothing_is_saved(bad, field):
    w = make_world()
    err = _err(_post("/api/v1/cases", {**FILING, **bad}, w.clerk), 400)
    assert field in err["fields"]
    assert Case.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ['{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}'])
def test_nan_and_infinity_in_data_are_400(raw):
    w = make_world()
    body = json.dumps(FILING)[:-1] + ', "data": ' + raw + "}"
    err = _err(_post("/api/v1/cases", body, w.clerk), 400)
    assert err["code"] == "invalid"
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_nul_in_action_notes_is_400_and_the_case_is_unchanged():
    w = make_world()
    headers = _api(w.clerk)
    client = Client()
    number = client.post("/api/v1/cases", json.dumps(FILING), "application/json", headers=headers).json()["number"]
    entries = AuditEntry.objects.count()
    err = _err(client.post(f"/api/v1/cases/{number}/actions/reject", json.dumps({"reason": "不符合\x00条件"}),
                           "application/json", headers=headers), 400)
    assert err["fields"] == {"reason": "含有不允许的控制字符"}
    assert Case.objects.get(number=number).state == "submitted"
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["\u200b\u200b", "\ufeff", " \u200d \u3000", "\x01\x02"])
def test_names_of_invisible_or_control_characters_only_are_refused(name):
    w = make_world()
    err = _err(_post("/api/v1/cases", {**FILING, "applicant": {**person(), "name": name}}, w.clerk), 400)
    assert "applicant.name" in err["fields"]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_invisible_characters_are_stripped_from_names():
    w = make_world()
    resp = _post("/api/v1/cases", {**FILING, "applicant": {**person(), "name": "\u200b张\u200c三\ufeff"}}, w.clerk)
    assert resp.status_code == 201, resp.content
    assert Case.objects.get().applicant_name == "张三"


@pytest.mark.django_db
@pytest.mark.parametrize("data, field", [
    ({"a": {"b": {"c": {"d": {"e": 1}}}}}, "data"),       # five levels: more than four
    ({"blob": "x" * 20000}, "data"),                      # 20 kB: more than 16 kB
    ({f"k{i}": i for i in range(201)}, "data"),           # 201 keys
])
def test_data_object_is_bounded_in_depth_and_size(data, field):
    w = make_world()
    err = _err(_post("/api/v1/cases", {**FILING, "data": data}, w.clerk), 400)
    assert field in err["fields"]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_415():
    w = make_world()
    err = _err(_post("/api/v1/cases", json.dumps(FILING), w.clerk, content_type="text/plain"), 415)
    assert err["code"] == "unsupported_media_type"
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_an_oversized_body_is_a_json_413(settings):
    w = make_world()
    body = json.dumps({**FILING, "data": {"blob": "x" * (3 * 1024 * 1024)}})
    resp = _post("/api/v1/cases", body, w.clerk)
    assert resp["Content-Type"] == "application/json"
    assert _err(resp, 413)["code"] == "too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("method, url", [
    ("post", "/api/v1/cases"),
    ("post", "/api/v1/cases/X/actions/accept"),
    ("get", "/api/v1/cases/X"),
    ("post", "/api/v1/cases/X/rating"),
    ("get", "/api/v1/stats/summary"),
    ("get", "/api/v1/supervision/alerts"),
])
def test_unauthenticated_calls_are_401_with_bearer_challenge_for_every_method(method, url):
    client = Client(enforce_csrf_checks=True)
    resp = getattr(client, method)(url, data="{}", content_type="application/json") if method == "post" \
        else client.get(url)
    assert _err(resp, 401)["code"] == "unauthorized"
    assert resp["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_signed_in_session_still_needs_the_csrf_token_on_writes():
    w = make_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.clerk)
    resp = client.post("/api/v1/cases", data=json.dumps(FILING), content_type="application/json")
    assert _err(resp, 403)["code"] == "csrf_failed"
    assert Case.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_a_method_an_operation_lacks_is_a_json_405_with_allow(method):
    make_world()
    resp = getattr(Client(), method)("/api/v1/cases/34130020260302000001")
    err = _err(resp, 405)  # was Django's plain text "Method not allowed"
    assert err["code"] == "method_not_allowed" and method.upper() in err["message"]
    assert resp["Allow"] == "GET" and "GET" in err["fields"]["method"]
