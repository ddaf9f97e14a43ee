"""Public tracking: masked name, no ID number, same 404 for a wrong code and an unknown number, 429."""

import json

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.tests.factories import VALID_ID, at, make_bundle, make_world, person


def _case(w):
    with at(2026, 3, 2, 9):
        case = case_services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                       materials=["M01", "M02", "M03"], actor=w.clerk)
        case_services.perform(case.number, "accept", w.clerk, {})
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_track_api_shows_masked_progress(client):
    w = make_world()
    case = _case(w)
    r = client.get(f"/api/v1/track/{case.number}?code={case.query_code}")
    assert r.status_code == 200
    body = r.json()
    assert body["applicant"] == "张*"
    assert body["state"] == "accepted" and body["item_name"] == "食品经营许可"
    assert body["department"] == "市市场监督管理局"
    assert body["due_date"] == "2026-03-09"  # 5 working days after Monday 2 March
    assert [s["action"] for s in body["steps"]] == ["file", "accept"]
    assert [s["label"] for s in body["steps"]] == ["提交申请", "受理"]
    text = json.dumps(body, ensure_ascii=False)
    assert VALID_ID not in text and "张三" not in text and "clerk" not in text and "13800000001" not in text
    # the code is accepted in lower case too
    assert client.get(f"/api/v1/track/{case.number}?code={case.query_code.lower()}").status_code == 200


@pytest.mark.django_db
def test_wrong_code_and_unknown_number_look_the_same(client):
    w = make_world()
    case = _case(w)
    wrong = "AAAAAA" if case.query_code != "AAAAAA" else "BBBBBB"
    a = client.get(f"/api/v1/track/{case.number}?code={wrong}")
    b = client.get(f"/api/v1/track/34130020260302999999?code={case.query_code}")
    c = client.get(f"/api/v1/track/{case.number}")
    assert a.status_code == b.status_code == c.status_code == 404
    assert a.json() == b.json() == c.json()
    assert a.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_track_page(client):
    w = make_world()
    case = _case(w)
    r = client.get(f"/track/?number={case.number}&code={case.query_code}")
    page = r.content.decode()
    assert r.status_code == 200 and "张*" in page and "2026-03-09" in page and "受理" in page
    assert VALID_ID not in page and "张三" not in page
    r = client.get(f"/track/?number={case.number}&code=ZZZZZZ")
    assert r.status_code == 404 and "未找到该办件" in r.content.decode()
    assert client.get("/track/").status_code == 200


@pytest.mark.django_db
def test_successful_lookups_are_never_limited_and_write_nothing(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = make_world()
    case = _case(w)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            assert client.get(f"/api/v1/track/{case.number}?code={case.query_code}").status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


@pytest.mark.django_db
def test_wrong_lookups_are_limited_per_client(client):
    w = make_world()
    case = _case(w)
    with at(2030, 1, 2, 8, 50):
        for i in range(20):  # twenty unknown numbers: the client's limit, no number's
            assert client.get(f"/api/v1/track/3413002026030200{i:04d}?code=WRONG1").status_code == 404
        r = client.get(f"/api/v1/track/{case.number}?code={case.query_code}")
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "rate_limited" and set(r.json()["error"]) == {"code", "message", "fields"}
        assert "10 分钟后" in r.json()["error"]["message"]
        assert client.get(f"/track/?number={case.number}&code={case.query_code}").status_code == 429
        # another address is not limited
        r = client.get(f"/api/v1/track/{case.number}?code={case.query_code}", REMOTE_ADDR="10.0.0.9")
        assert r.status_code == 200
    # in the next ten-minute window the first address may ask again
    with at(2030, 1, 2, 9, 1):
        assert client.get(f"/api/v1/track/{case.number}?code={case.query_code}").status_code == 200


@pytest.mark.django_db
def test_repeated_wrong_codes_lock_the_number_for_everyone(client):
    w = make_world()
    case = _case(w)
    with at(2030, 1, 2, 8, 5):
        for i in range(10):  # ten addresses, one wrong code each
            r = client.get(f"/api/v1/track/{case.number}?code=WRONG{i}", REMOTE_ADDR=f"10.0.1.{i}")
            assert r.status_code == 404
        r = client.get(f"/api/v1/track/{case.number}?code={case.query_code}", REMOTE_ADDR="10.0.2.1")
        assert r.status_code == 429 and "暂停查询 1 小时" in r.json()["error"]["message"]
    with at(2030, 1, 2, 9, 0):  # the next hour
        r = client.get(f"/api/v1/track/{case.number}?code={case.query_code}", REMOTE_ADDR="10.0.2.1")
        assert r.status_code == 200


@pytest.mark.django_db
def test_forwarded_address_counts_only_behind_a_trusted_proxy(client, settings):
    w = make_world()
    case = _case(w)
    # at a fixed time inside one counting window: on the wall clock the 20 failures could straddle
    # a window boundary (every 10 minutes) and be counted in two windows
    with at(2030, 1, 2, 8, 5):
        for i in range(20):  # a client that forges X-Forwarded-For is still counted on its own address
            client.get(f"/api/v1/track/3413002026030200{i:04d}?code=W", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        assert client.get(f"/api/v1/track/{case.number}?code={case.query_code}").status_code == 429
        settings.ONEWINDOW_TRUSTED_PROXIES = "127.0.0.0/8"  # the test client's peer is 127.0.0.1
        r = client.get(f"/api/v1/track/{case.number}?code={case.query_code}", HTTP_X_FORWARDED_FOR="203.0.113.50")
        assert r.status_code == 200  # behind the proxy, the forwarded client is a fresh address


def _bundle(w):
    return case_services.file_bundle(
        bundle="KBQY", applicant=person(), channel="window", actor=w.clerk,
        data={"enterprise_name": "宿州市一窗科技有限公司", "legal_representative": "张三",
              "registered_capital": "100", "address": "宿州市埇桥区汴河路1号"},
    )


@pytest.mark.django_db
def test_track_bundle_filing(client):
    w = make_world()
    make_bundle(w)
    with at(2026, 3, 2, 9):
        filing = _bundle(w)
    r = client.get(f"/api/v1/track/{filing.number}?code={filing.query_code}")
    assert r.status_code == 200
    body = r.json()
    assert body["kind"] == "bundle" and body["applicant"] == "张*" and body["item_name"] == "开办企业一件事"
    assert {c["item_name"] for c in body["cases"]} == {"食品经营许可", "居民身份证换领"}
    assert VALID_ID not in json.dumps(body, ensure_ascii=False)
    assert client.get(f"/api/v1/track/{filing.number}?code=XXXXXX").status_code == 404


@pytest.mark.django_db
def test_track_bundle_reads_all_children_in_fixed_queries(django_assert_num_queries):
    """Two statements however many departments take part: the case lookup (finds nothing), then the
    filing with its children and their steps (portal.progress)."""
    from onewindow.portal.selectors import track

    w = make_world()
    make_bundle(w)
    with at(2026, 3, 2, 9):
        filing = _bundle(w)
        first = filing.cases.order_by("id").first()
        case_services.perform(first.number, "withdraw", w.clerk, {"reason": "申请人撤回"})
    with django_assert_num_queries(2):
        body = track(filing.number, filing.query_code)
    steps = {c["number"]: [s["action"] for s in c["steps"]] for c in body["cases"]}
    assert len(steps) == 2 and steps[first.number] == ["file", "withdraw"]
    assert all(v == ["file"] for k, v in steps.items() if k != first.number)
