"""Service errors follow the request's language (Chinese by default, English on request), in API
error bodies and on pages alike; what is written to the database stays Chinese."""

import json

import pytest
from django.test import Client

from onewindow.accounts.services import issue_token
from onewindow.audit.models import AuditEntry
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.factories import VALID_ID, at, make_bundle, make_world, person

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _error(resp, status):
    assert resp.status_code == status, resp.content
    return resp.json()["error"]


# ---------------------------------------------------------------- the API


@pytest.mark.django_db
def test_public_api_error_in_english_and_by_default_in_chinese():
    url = "/api/v1/workdays/due"
    params = {"start": "2026-02-30", "days": "3"}
    err = _error(Client().get(url, params, **EN), 400)
    assert err == {"code": "invalid", "message": "The date 2026-02-30 does not exist",
                   "fields": {"start": "Not a valid date"}}
    err = _error(Client().get(url, params), 400)
    assert err == {"code": "invalid", "message": "日期 2026-02-30 不存在", "fields": {"start": "不是有效的日期"}}
    # Chinese asked for explicitly, and an unsupported language, both give Chinese.
    assert _error(Client().get(url, params, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"), 400)["message"] == (
        "日期 2026-02-30 不存在")
    assert _error(Client().get(url, params, HTTP_ACCEPT_LANGUAGE="fr"), 400)["message"] == "日期 2026-02-30 不存在"


@pytest.mark.django_db
def test_request_validation_error_in_english():
    err = _error(Client().get("/api/v1/workdays/due", {"start": "2026-03-02"}, **EN), 400)
    assert err["message"] == "Invalid request parameters" and "days" in err["fields"]
    assert _error(Client().get("/api/v1/workdays/due", {"start": "2026-03-02"}), 400)["message"] == "请求参数有误"


def _post(user, path, body, **headers):
    return Client().post("/api/v1/cases" + path, data=json.dumps(body), content_type="application/json",
                         headers={"Authorization": f"Bearer {issue_token(user)}"}, **headers)


@pytest.mark.django_db
def test_filing_errors_in_english_with_placeholders_and_lazy_constants():
    w = make_world()
    body = {"item": "NOPE-1", "applicant": person(), "channel": "window", "materials": ["M01"]}
    err = _error(_post(w.clerk, "", body, **EN), 404)
    assert err == {"code": "not_found", "message": "Service item NOPE-1 does not exist or is not published",
                   "fields": {"item": "Unknown service item code"}}
    err = _error(_post(w.clerk, "", body), 404)
    assert err["message"] == "事项 NOPE-1 不存在或未发布" and err["fields"] == {"item": "未知事项编码"}

    # A module-level message (gettext_lazy) is translated at the time of the request.
    body = {"item": "SCJG-XK-0001", "applicant": person(id_number="110102199101010079"), "channel": "window",
            "materials": ["M01"]}
    en = "The check digit of the ID card number is wrong; please check the number"
    assert _error(_post(w.clerk, "", body, **EN), 400) == {
        "code": "invalid", "message": en, "fields": {"applicant.id_number": en}}
    assert _error(_post(w.clerk, "", body), 400)["message"] == "身份证号码校验位错误，请核对号码"

    # A translated label inside a translated message.
    bundle = make_bundle(w)
    body = {"bundle": bundle.code, "applicant": person(), "channel": "window", "materials": [],
            "data": {"enterprise_name": "宿州市一窗科技有限公司", "legal_representative": "张三", "address": "汴河路1号"}}
    err = _error(_post(w.clerk, "/bundles", body, **EN), 400)
    assert err["message"] == "Starting a business requires the enterprise registration details"
    assert err["fields"] == {"data.registered_capital": "Registered capital (10,000 yuan) is required"}
    err = _error(_post(w.clerk, "/bundles", body), 400)
    assert err["fields"] == {"data.registered_capital": "注册资本（万元）必填"}
    assert Case.objects.count() == 0


# ---------------------------------------------------------------- a page


@pytest.mark.django_db
def test_window_workbench_shows_the_service_error_in_english():
    w = make_world()
    c = Client()
    c.force_login(w.clerk)
    form = {"item": "SCJG-XK-0001", "kind": "person", "ident": "110102199101010079", "name": "张三",
            "phone": "13800000001", "materials": ["M01", "M03"]}
    html = c.post("/window/", form, **EN).content.decode()
    assert "The check digit of the ID card number is wrong; please check the number" in html
    assert "身份证号码校验位错误" not in html

    # The bundle form: registration data missing, the message in English too.
    make_bundle(w)
    form = {"bundle": "KBQY", "kind": "person", "ident": VALID_ID, "name": "张三", "phone": "",
            "materials": ["N:户口簿"], "enterprise_name": "", "legal_representative": "张三",
            "registered_capital": "100", "address": "汴河路1号"}
    r = c.post("/window/", form, **EN)
    assert r.status_code == 400
    assert "Starting a business requires the enterprise registration details" in r.content.decode()
    r = c.post("/window/", form)
    assert "开办企业须填写企业登记信息" in r.content.decode()
    assert Case.objects.count() == 0


# ---------------------------------------------------------------- records stay Chinese


@pytest.mark.django_db
def test_refused_notice_answers_in_english_but_stores_the_chinese_note():
    w = make_world()
    with at(2026, 3, 2, 9):
        body = {"item": "SCJG-XK-0001", "applicant": person(), "channel": "window", "materials": ["M01", "M02"]}
        number = _post(w.clerk, "", body).json()["number"]
        assert _post(w.clerk, f"/{number}/actions/notice", {"missing": ["M03"]}, **EN).status_code == 200
        assert _post(w.clerk, f"/{number}/actions/supplement", {"materials": ["M03"]}, **EN).status_code == 200
        err = _error(_post(w.clerk, f"/{number}/actions/notice", {"missing": ["M03", "M01"]}, **EN), 409)
    assert err["code"] == "notice_rule"
    assert err["message"] == ("A one-time notice may not add new requirements: 食品经营许可申请书 not listed in "
                              "the first notice")
    event = CaseEvent.objects.get(case__number=number, action="notice_refused")
    assert event.note == "一次性告知不得新增要求：食品经营许可申请书 未在首次告知书中列出"
    assert AuditEntry.objects.filter(action="case.notice_refused", object_id=number).exists()


@pytest.mark.django_db
def test_lists_inside_messages_use_the_language_separator():
    """Unknown material codes listed with "、" in Chinese and ", " in English."""
    w = make_world()
    body = {"item": "SCJG-XK-0001", "applicant": person(), "channel": "window", "materials": ["X9", "X8"]}
    assert _error(_post(w.clerk, "", body, **EN), 400)["message"] == "Unknown material codes: X8, X9"
    assert _error(_post(w.clerk, "", body), 400)["message"] == "未知材料编码：X8、X9"
