"""好差评: who may rate, when, how often; 差评 opens a rectification due N working days later."""

import datetime

import pytest

from onewindow.accounts.services import issue_token
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.ratings import selectors, services
from onewindow.ratings.models import Rating, Rectification, RectificationNote

pytestmark = pytest.mark.django_db


def _online_case(w, *, concluded=True):
    with at(2026, 9, 1):
        case = case_services.file_case(item=w.item.item.code, applicant=person(), channel="online",
                                       materials=["M01", "M02", "M03"], actor=w.citizen)
    if concluded:
        Case.objects.filter(pk=case.pk).update(state="concluded", accepted_on=datetime.date(2026, 9, 1),
                                               concluded_on=datetime.date(2026, 9, 4), result="approve")
    return case.number


def test_only_after_conclusion():
    w = make_world()
    number = _online_case(w, concluded=False)
    with pytest.raises(Conflict) as exc:
        services.rate_case(number, w.citizen, 5)
    assert exc.value.status == 409
    assert Rating.objects.count() == 0


def test_delivered_case_may_be_rated():
    w = make_world()
    number = _online_case(w)
    Case.objects.filter(number=number).update(state="delivered")
    assert services.rate_case(number, w.citizen, 5).level == 5


def test_only_the_applicant_and_only_once():
    w = make_world()
    number = _online_case(w)
    with pytest.raises(NotFound):
        services.rate_case(number, w.citizen2, 5)
    with pytest.raises(Forbidden):
        services.rate_case(number, w.reviewer, 5)
    r = services.rate_case(number, w.citizen, 5, {"efficiency": 4}, "办事很快")
    assert (r.level, r.channel, r.comment) == (5, "online", "办事很快")
    assert r.dimensions == {"efficiency": 4, "overall": 5}
    assert r.department == w.dept and r.region_code == "341300"
    with pytest.raises(Conflict):
        services.rate_case(number, w.citizen, 3)
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("level,dims,field", [
    (0, None, "level"), (6, None, "level"), ("x", None, "level"), (True, None, "level"),
    (5, {"attitude": 5}, "dimensions.attitude"),          # a window dimension on an online rating
    (5, {"efficiency": 9}, "dimensions.efficiency"),
    (5, ["overall"], "dimensions"),
])
def test_bad_input_names_the_field(level, dims, field):
    w = make_world()
    number = _online_case(w)
    with pytest.raises(ServiceError) as exc:
        services.rate_case(number, w.citizen, level, dims)
    assert exc.value.status == 400 and field in exc.value.fields
    assert Rating.objects.count() == 0


def test_level_2_opens_rectification_due_15_working_days_later():
    w = make_world()
    number = _online_case(w)
    # Rated Thu 2026-09-24. 2026: 中秋 9/25–9/27 off, 国庆 10/1–10/7 off, Sat 10/10 a make-up workday.
    # Working days after 9/24: 9/28(1) 9/29(2) 9/30(3) | 10/8(4) 10/9(5) 10/10 Sat make-up(6)
    # 10/12(7) 10/13(8) 10/14(9) 10/15(10) 10/16(11) | 10/19(12) 10/20(13) 10/21(14) 10/22(15) → Thu 2026-10-22.
    with at(2026, 9, 24, 16):
        r = services.rate_case(number, w.citizen, 2, comment="等待太久")
    rect = Rectification.objects.get(rating=r)
    assert rect.opened_on == datetime.date(2026, 9, 24)
    assert rect.due_date == datetime.date(2026, 10, 22)
    assert rect.department == w.dept and rect.status == "open"


def test_rectification_days_configurable(settings):
    settings.ONEWINDOW = {**settings.ONEWINDOW, "RECTIFICATION_DAYS": 5}
    w = make_world()
    number = _online_case(w)
    # 5 working days after Thu 9/24: 9/28, 9/29, 9/30, 10/8, 10/9 → Fri 2026-10-09.
    with at(2026, 9, 24):
        r = services.rate_case(number, w.citizen, 1)
    assert r.rectification.due_date == datetime.date(2026, 10, 9)


@pytest.mark.parametrize("level", [3, 4, 5])
def test_good_ratings_open_none(level):
    w = make_world()
    services.rate_case(_online_case(w), w.citizen, level)
    assert Rectification.objects.count() == 0


def test_window_evaluator_by_clerk():
    w = make_world()
    with at(2026, 9, 1):
        case = case_services.file_case(item=w.instant.item.code, applicant=person(), channel="window",
                                       materials=["M01"], actor=w.clerk)
    Case.objects.filter(pk=case.pk).update(state="concluded")
    with pytest.raises(ServiceError) as exc:
        services.rate_case(case.number, w.clerk, 4, {"guide_accuracy": 4})  # an online dimension
    assert "dimensions.guide_accuracy" in exc.value.fields
    with pytest.raises(NotFound):
        services.rate_case(case.number, w.station_clerk, 4)  # another site's clerk
    r = services.rate_case(case.number, w.clerk, 4, {"attitude": 5, "service_level": 4})
    assert r.channel == "window" and r.dimensions == {"attitude": 5, "service_level": 4, "overall": 4}


def test_followup_and_close_rectification():
    w = make_world()
    with at(2026, 9, 24):
        rect = services.rate_case(_online_case(w), w.citizen, 1).rectification
    assert list(selectors.rectifications_visible_to(w.reviewer)) == [rect]
    assert list(selectors.rectifications_visible_to(w.supervisor)) == [rect]
    assert list(selectors.rectifications_visible_to(w.police_reviewer)) == []
    with pytest.raises(NotFound):
        services.add_followup(rect.pk, w.police_reviewer, "回访")
    with pytest.raises(ServiceError):
        services.add_followup(rect.pk, w.reviewer, "  ")
    services.add_followup(rect.pk, w.reviewer, "已电话回访申请人")
    with pytest.raises(ServiceError) as exc:
        services.close_rectification(rect.pk, w.approver, "done")
    assert "result" in exc.value.fields
    services.close_rectification(rect.pk, w.approver, "rectified", "优化了预约流程")
    rect.refresh_from_db()
    assert (rect.status, rect.result, rect.closed_by) == ("rectified", "优化了预约流程", w.approver)
    assert RectificationNote.objects.filter(rectification=rect).count() == 1
    with pytest.raises(Conflict):
        services.close_rectification(rect.pk, w.approver, "not_rectified")
    with pytest.raises(Conflict):
        services.add_followup(rect.pk, w.reviewer, "再次回访")


def test_api_rating_with_bearer_token(client):
    w = make_world()
    number = _online_case(w)
    url = f"/api/v1/cases/{number}/rating"
    assert client.post(url, {"level": 5}, content_type="application/json").status_code == 401
    other = issue_token(w.citizen2)
    resp = client.post(url, {"level": 5}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert resp.status_code == 404
    token = issue_token(w.citizen)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    resp = client.post(url, {"level": 9}, content_type="application/json", **auth)
    assert resp.status_code == 400 and "level" in resp.json()["error"]["fields"]
    with at(2026, 9, 24):
        resp = client.post(url, {"level": 2, "comment": "窗口排队太久"}, content_type="application/json", **auth)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["level"] == 2 and body["label"] == "不满意" and body["comment"] == "窗口排队太久"
    assert body["rectification"]["due_date"] == "2026-10-22"
    resp = client.post(url, {"level": 4}, content_type="application/json", **auth)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "conflict"


def test_pages(client):
    w = make_world()
    number = _online_case(w)
    client.force_login(w.citizen2)
    assert client.get(f"/ratings/{number}/").status_code == 404
    client.force_login(w.citizen)
    assert "非常满意" in client.get(f"/ratings/{number}/").content.decode()
    assert client.post(f"/ratings/{number}/", {"level": "7"}).status_code == 400
    with at(2026, 9, 24):
        resp = client.post(f"/ratings/{number}/", {"level": "1", "efficiency": "1", "comment": "差"})
    assert resp.status_code == 302
    assert Rating.objects.get().dimensions == {"efficiency": 1, "overall": 1}
    assert client.get("/ratings/rectifications/").status_code == 403
    assert client.get(f"/ratings/window/{number}/").status_code == 403
    client.force_login(w.reviewer)
    page = client.get("/ratings/rectifications/").content.decode()
    assert number in page and "2026-10-22" in page
    rect = Rectification.objects.get()
    client.post(f"/ratings/rectifications/{rect.pk}/followup/", {"text": "已回访"})
    client.post(f"/ratings/rectifications/{rect.pk}/close/", {"result": "not_rectified", "note": "申请人不认可"})
    rect.refresh_from_db()
    assert rect.status == "not_rectified" and rect.notes.count() == 1
    client.force_login(w.police_reviewer)
    assert client.post(f"/ratings/rectifications/{rect.pk}/followup/", {"text": "x"}).status_code == 404


def test_window_evaluator_page(client):
    w = make_world()
    with at(2026, 9, 1):
        case = case_services.file_case(item=w.instant.item.code, applicant=person(), channel="window",
                                       materials=["M01"], actor=w.clerk)
    client.force_login(w.clerk)
    page = client.get(f"/ratings/window/{case.number}/").content.decode()
    assert "办件办结后方可评价" in page
    assert client.post(f"/ratings/window/{case.number}/", {"level": "5"}).status_code == 409
    Case.objects.filter(pk=case.pk).update(state="concluded")
    page = client.get(f"/ratings/window/{case.number}/").content.decode()
    assert "服务态度" in page and "平台操作性" not in page
    resp = client.post(f"/ratings/window/{case.number}/", {"level": "3", "attitude": "4"})
    assert resp.status_code == 302
    r = Rating.objects.get()
    assert (r.channel, r.level, r.dimensions, r.rated_by) == ("window", 3, {"attitude": 4, "overall": 3}, w.clerk)
    client.force_login(w.station_clerk)  # another site's clerk
    assert client.get(f"/ratings/window/{case.number}/").status_code == 404
    client.force_login(w.citizen)  # the online form is elsewhere
    assert client.get(f"/ratings/window/{case.number}/").status_code == 403
