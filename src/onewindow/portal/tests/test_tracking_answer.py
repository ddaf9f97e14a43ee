"""The tracking answer read in one statement (portal.progress, ADR 0205): its content for a case, a case
waiting for materials, a postal delivery and a bundle, each written out here and checked against the
ORM reference (reference_track.py); the bytes are what django-ninja renders after validating TrackOut;
ETag and 304; the OpenAPI document as it was."""

import json
from pathlib import Path

import pytest
from ninja.responses import NinjaJSONEncoder

from onewindow.cases import services as case_services
from onewindow.cases.tests.factories import at, make_bundle, person
from onewindow.intake.tests.helpers import intake_world
from onewindow.portal import progress
from onewindow.portal.schemas import TrackOut

from . import reference_track

ADDRESS = {"method": "post", "address": "宿州市埇桥区汴河路1号", "recipient": "张三", "phone": "13800000001"}


def _file(w, *, materials=("M01", "M02", "M03"), item="SCJG-XK-0001", **extra):
    return case_services.file_case(item=item, applicant=person(), channel="window", materials=list(materials),
                                   actor=w.clerk, **extra)


def _get(client, number, code, **extra):
    return client.get(f"/api/v1/track/{number}", {"code": code}, **extra)


def _same_as_reference_and_ninja(number, code, body: bytes) -> dict:
    """The answer equals the ORM reference's, and its bytes are django-ninja's rendering of it after
    TrackOut validated it (so sending them unvalidated changes nothing)."""
    answer = progress.track(number, code)
    reference = reference_track.track(number, code)
    assert answer == TrackOut.model_validate(reference).model_dump()
    assert body == json.dumps(TrackOut.model_validate(reference).model_dump(), cls=NinjaJSONEncoder).encode()
    return answer


@pytest.mark.django_db
def test_an_accepted_case(client):
    w = intake_world()
    with at(2026, 3, 2, 9):
        case = _file(w)
    with at(2026, 3, 2, 9, 30):
        case_services.perform(case.number, "accept", w.clerk, {})
    r = _get(client, case.number, case.query_code.lower())
    assert r.status_code == 200 and r["Content-Type"] == "application/json; charset=utf-8"
    assert r.json() == {
        "kind": "case", "number": case.number, "item_name": "食品经营许可", "department": "市市场监督管理局",
        "applicant": "张*", "state": "accepted", "state_label": "已受理",
        "submitted_at": "2026-03-02T09:00:00+08:00", "due_date": "2026-03-09", "due_provisional": False,
        "concluded_on": None, "result": None, "result_label": "", "missing": [],
        "steps": [{"action": "file", "label": "提交申请", "at": "2026-03-02T09:00:00+08:00", "state": "submitted"},
                  {"action": "accept", "label": "受理", "at": "2026-03-02T09:30:00+08:00", "state": "accepted"}],
        "cases": [], "delivery": None,
    }
    _same_as_reference_and_ninja(case.number, case.query_code, r.content)


@pytest.mark.django_db
def test_a_case_waiting_for_materials_lists_them_until_supplemented(client):
    w = intake_world()
    with at(2026, 3, 2, 9):
        case = _file(w, materials=["M01"])
        case_services.perform(case.number, "notice", w.clerk, {"missing": ["M02", "M03"],
                                                              "reasons": {"M03": "平面图未标注面积"}})
    body = _get(client, case.number, case.query_code)
    answer = body.json()
    assert answer["state"] == "pending_materials" and answer["state_label"] == "待补正"
    assert answer["missing"] == [{"name": "申请人身份证明", "reason": "缺少该材料"},
                                 {"name": "经营场所平面图", "reason": "平面图未标注面积"}]
    assert [s["action"] for s in answer["steps"]] == ["file", "notice"]
    _same_as_reference_and_ninja(case.number, case.query_code, body.content)
    with at(2026, 3, 3, 9):
        case_services.perform(case.number, "supplement", w.clerk, {"materials": ["M02", "M03"]})
    answer = _get(client, case.number, case.query_code).json()
    assert answer["state"] == "submitted" and answer["missing"] == []
    assert [s["action"] for s in answer["steps"]] == ["file", "notice", "supplement"]


@pytest.mark.django_db
def test_a_concluded_case_sent_by_post(client):
    w = intake_world()
    with at(2026, 3, 2, 9):
        case = _file(w, item="SCJG-QR-0002", materials=["M01"], delivery=ADDRESS)
        case_services.perform(case.number, "accept", w.clerk, {})
        case_services.perform(case.number, "decide", w.approver, {"result": "approve"})
    with at(2026, 3, 2, 11):
        case_services.perform(case.number, "deliver", w.clerk,
                              {"method": "post", "courier": "中国邮政EMS", "waybill": "1190000000001"})
    r = _get(client, case.number, case.query_code)
    answer = r.json()
    assert (answer["state"], answer["result"], answer["result_label"], answer["concluded_on"]) == (
        "delivered", "approve", "准予", "2026-03-02")
    assert answer["delivery"] == {"courier": "中国邮政EMS", "waybill": "1190000000001", "status": "sent",
                                  "status_label": "已寄出", "sent_at": "2026-03-02T11:00:00+08:00", "received_at": None}
    assert "宿州市埇桥区汴河路1号" not in r.content.decode("unicode_escape")
    _same_as_reference_and_ninja(case.number, case.query_code, r.content)


@pytest.mark.django_db
def test_a_bundle_filing(client):
    w = intake_world()
    make_bundle(w)
    with at(2026, 3, 2, 9):
        filing = case_services.file_bundle(
            bundle="KBQY", applicant=person(), channel="window", actor=w.clerk,
            data={"enterprise_name": "宿州市一窗科技有限公司", "legal_representative": "张三",
                  "registered_capital": "100", "address": "宿州市埇桥区汴河路1号"})
        children = list(filing.cases.order_by("id"))
        case_services.perform(children[0].number, "withdraw", w.clerk, {"reason": "申请人撤回"})
    r = _get(client, filing.number, filing.query_code)
    answer = r.json()
    assert (answer["kind"], answer["item_name"], answer["applicant"], answer["state"]) == (
        "bundle", "开办企业一件事", "张*", "")
    assert answer["submitted_at"] == "2026-03-02T09:00:00+08:00" and answer["delivery"] is None
    assert [c["number"] for c in answer["cases"]] == [c.number for c in children]
    assert [c["state"] for c in answer["cases"]] == ["withdrawn"] + ["submitted"] * (len(children) - 1)
    assert [[s["action"] for s in c["steps"]] for c in answer["cases"]] == [["file", "withdraw"]] + [["file"]] * (
        len(children) - 1)
    assert answer["department"] == ", ".join(dict.fromkeys(c.department.name for c in children))
    _same_as_reference_and_ninja(filing.number, filing.query_code, r.content)
    assert _get(client, filing.number, "XXXXXX").status_code == 404


@pytest.mark.django_db
def test_etag_and_conditional_get(client):
    w = intake_world()
    with at(2026, 3, 2, 9):
        case = _file(w)
    r = _get(client, case.number, case.query_code)
    etag = r["ETag"]
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-cache"
    assert etag.startswith('"') and len(etag) == 34
    again = _get(client, case.number, case.query_code, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-cache"
    assert _get(client, case.number, case.query_code, HTTP_IF_NONE_MATCH=f'"x", W/{etag}').status_code == 304
    assert _get(client, case.number, case.query_code, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # the entity tag is no key: with a wrong code the answer is the plain 404, never a 304
    wrong = _get(client, case.number, "ZZZZZZ", HTTP_IF_NONE_MATCH=etag)
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found" and "ETag" not in wrong
    with at(2026, 3, 2, 10):
        case_services.perform(case.number, "accept", w.clerk, {})
    changed = _get(client, case.number, case.query_code, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag and changed.json()["state"] == "accepted"


@pytest.mark.django_db
def test_a_case_lookup_is_one_statement(django_assert_num_queries):
    w = intake_world()
    with at(2026, 3, 2, 9):
        case = _file(w, delivery=ADDRESS)
        case_services.perform(case.number, "notice", w.clerk, {"missing": ["M03"]})
    with django_assert_num_queries(1):
        answer = progress.track(case.number, case.query_code)
    assert answer["missing"][0]["name"] == "经营场所平面图" and answer["delivery"]["status"] == "requested"


def test_the_openapi_document_of_tracking_is_as_it_was(client):
    doc = client.get("/api/v1/openapi.json").json()
    now = {"operation": doc["paths"]["/api/v1/track/{number}"],
           "schemas": {n: doc["components"]["schemas"][n] for n in ["TrackOut", "StepOut", "MissingOut", "ChildOut",
                                                                    "PostalOut"]}}
    before = json.loads((Path(__file__).parent / "openapi_track.json").read_text())
    assert now == before


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_statement_is_prepared_once_per_connection():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    w = intake_world()
    case = _file(w)

    def prepared():
        with connection.cursor() as cur:
            cur.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'onewindow_track_%%'")
            return [r[0] for r in cur.fetchall()]

    connection.close()  # a fresh server connection (earlier tests may have prepared the bundle's too)
    for _ in range(3):
        assert progress.track(case.number, case.query_code)["number"] == case.number
    assert prepared() == ["onewindow_track_case"]
    connection.close()  # a new server connection prepares it again
    assert progress.track(case.number, case.query_code)["state"] == "submitted"
    assert prepared() == ["onewindow_track_case"]
    connection.close()
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True  # behind PgBouncer in transaction mode
    try:
        assert progress.track(case.number, case.query_code)["state"] == "submitted"
        assert prepared() == []
    finally:
        connection.settings_dict.pop("DISABLE_SERVER_SIDE_CURSORS")


@pytest.mark.django_db
def test_labels_follow_the_language_and_each_language_has_its_own_answer(client):
    w = intake_world()
    with at(2026, 3, 2, 9):
        case = _file(w)
        case_services.perform(case.number, "accept", w.clerk, {})
    english = _get(client, case.number, case.query_code, HTTP_ACCEPT_LANGUAGE="en")
    chinese = _get(client, case.number, case.query_code, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.json()["state_label"] == "Accepted" and chinese.json()["state_label"] == "已受理"
    assert [s["label"] for s in english.json()["steps"]] == ["Submit application", "Accept"]
    assert [s["label"] for s in chinese.json()["steps"]] == ["提交申请", "受理"]
    assert english["ETag"] != chinese["ETag"]
