"""The staff pages: the window workbench, the desk, the case page with its actions, bundles."""

import pytest
from django.contrib.messages import get_messages

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, Notice
from onewindow.cases.tests.factories import VALID_ID, at, make_bundle, make_world, person
from onewindow.licences.models import Licence

ITEM = "SCJG-XK-0001"


def _file(w, materials=("M01", "M02", "M03"), name="张三", id_number=VALID_ID, item=ITEM):
    return services.file_case(item=item, applicant=person(id_number, name), channel="window",
                              materials=list(materials), actor=w.clerk)


def _accepted(w, y, m, d, **kw):
    with at(y, m, d, 9):
        case = _file(w, **kw)
        return services.perform(case.number, "accept", w.clerk)


def _form(item=ITEM, ident=VALID_ID, name="张三", materials=("M01", "M03")):
    return {"item": item, "kind": "person", "ident": ident, "name": name, "phone": "13800000001",
            "materials": list(materials)}


# ---------------------------------------------------------------- /window/


@pytest.mark.django_db
def test_workbench_refused_to_reviewer_and_anonymous(client):
    w = make_world()
    response = client.get("/window/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/window/"
    client.force_login(w.reviewer)
    response = client.get("/window/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert client.post("/window/", _form()).status_code == 403
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_workbench_search_lists_current_items_and_bundles(client):
    w = make_world()
    make_bundle(w)
    client.force_login(w.clerk)
    html = client.get("/window/search/", {"q": "食品"}).content.decode()
    assert "食品经营许可" in html and "SCJG-XK-0001" in html and "SCJG-QR-0002" in html
    assert "GA-QR-0001" not in html
    html = client.get("/window/search/", {"q": "开办"}).content.decode()
    assert "开办企业一件事" in html and "?bundle=KBQY" in html


@pytest.mark.django_db
def test_filing_from_workbench_ticks_licence_material(client):
    w = make_world()
    Licence.objects.create(licence_type=w.id_card, number="SFZ-1", holder_kind="person", holder_name="张三",
                           holder_id=VALID_ID, issued_on="2020-01-01", status="valid")
    client.force_login(w.clerk)
    page = client.get("/window/", {"item": ITEM}).content.decode()
    assert "食品经营许可申请书" in page and "经营场所平面图" in page
    assert "tag ok\">免提交" not in page  # no ID entered yet
    # the htmx look-up: the account's name and the e-licence that replaces M02
    part = client.get("/window/checklist/", {"item": ITEM, "ident": VALID_ID, "name": ""}).content.decode()
    assert "免提交" in part and "SFZ-1" in part
    assert 'value="张三" hx-swap-oob="true"' in part
    assert 'name="materials" value="M02"' not in part  # ticked and locked, not a free checkbox
    with at(2026, 3, 2, 9):
        response = client.post("/window/", _form(materials=("M01", "M03")))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert case.number == "34130020260302000001"
    assert (case.channel, case.filed_by, case.window) == ("window", w.clerk, w.window)
    status = dict(CaseMaterial.objects.filter(case=case).values_list("code", "status"))
    assert status == {"M01": "provided", "M02": "licence", "M03": "provided", "M04": "missing"}
    assert case.materials.get(code="M02").licence_number == "SFZ-1"


@pytest.mark.django_db
def test_bad_id_number_rerenders_with_chinese_error_and_saves_nothing(client):
    w = make_world()
    client.force_login(w.clerk)
    response = client.post("/window/", _form(ident="110102199101010079"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "身份证号码校验位错误，请核对号码" in html
    assert 'value="110102199101010079"' in html  # the clerk's input is kept
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    # empty name: the form itself refuses
    response = client.post("/window/", _form(name=""))
    assert response.status_code == 400 and Case.objects.count() == 0
    # unknown item
    response = client.post("/window/", _form(item="NOPE"))
    assert response.status_code == 400 and "请先选择办理的事项" in response.content.decode()


@pytest.mark.django_db
def test_bundle_filed_from_workbench_and_bundle_page_shows_each_child(client):
    w = make_world()
    make_bundle(w)
    client.force_login(w.clerk)
    page = client.get("/window/", {"bundle": "KBQY"}).content.decode()
    assert "开办企业一件事" in page and "户口簿" in page
    assert "企业登记信息" in page
    data = {"bundle": "KBQY", "kind": "person", "ident": VALID_ID, "name": "张三", "phone": "",
            "materials": ["N:食品经营许可申请书", "N:户口簿"], "enterprise_name": "宿州市一窗科技有限公司",
            "legal_representative": "张三", "registered_capital": "100", "address": "宿州市埇桥区汴河路1号"}
    with at(2026, 3, 2, 9):
        response = client.post("/window/", data)
    assert response.status_code == 302
    number = response["Location"].split("/")[2]
    assert response["Location"] == f"/bundles/{number}/"
    cases = list(Case.objects.filter(bundle_filing__number=number).order_by("id"))
    assert [c.department.name for c in cases] == ["市市场监督管理局", "市公安局"]
    assert cases[1].materials.get(code="M01").status == "provided"
    with at(2026, 3, 2, 10):
        html = client.get(f"/bundles/{number}/").content.decode()
    for c in cases:
        assert c.number in html
    assert "市公安局" in html and "居民身份证换领" in html
    # a reviewer of the police sees only the bundle page, not the market case page
    client.force_login(w.police_reviewer)
    assert client.get(f"/bundles/{number}/").status_code == 200
    assert client.get(f"/cases/{cases[0].number}/").status_code == 404
    client.force_login(w.citizen2)
    assert client.get(f"/bundles/{number}/").status_code == 404


# ---------------------------------------------------------------- /desk/


@pytest.mark.django_db
def test_desk_orders_by_due_date_with_working_days_left(client):
    w = make_world()
    a = _accepted(w, 2026, 9, 29)  # 9/30, 10/8, 10/9, 10/10 (make-up Sat), 10/12 → due 10/12
    b = _accepted(w, 2026, 10, 8)  # 10/9, 10/10, 10/12, 10/13, 10/14 → due 10/14
    c = _accepted(w, 2026, 9, 21)  # 9/22, 9/23, 9/24, (9/25 中秋) 9/28, 9/29 → due 9/29
    police = services.file_case(item="GA-QR-0001", applicant=person(), channel="window", materials=["M01"],
                                actor=w.clerk)
    assert [str(x.due_date) for x in (a, b, c)] == ["2026-10-12", "2026-10-14", "2026-09-29"]
    client.force_login(w.reviewer)
    with at(2026, 10, 9, 10):
        html = client.get("/desk/").content.decode()
    assert html.index(c.number) < html.index(a.number) < html.index(b.number)
    assert police.number not in html
    # left on 10/9: c overdue by 9/30, 10/8, 10/9 = -3 (red); a: 10/10, 10/12 = 2; b: 4
    assert '<span class="tag red" data-days="-3">-3</span>' in html
    assert '<span data-days="2">2</span>' in html
    assert '<span data-days="4">4</span>' in html
    with at(2026, 10, 12, 10):
        html = client.get("/desk/").content.decode()
    assert '<span class="tag warn" data-days="0">0</span>' in html  # a is due today
    # the other department's reviewer sees none of them and gets 404 on the case page
    client.force_login(w.police_reviewer)
    with at(2026, 10, 9, 10):
        html = client.get("/desk/").content.decode()
        assert a.number not in html and c.number not in html
        response = client.get(f"/cases/{a.number}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_desk_paginates_and_refuses_applicants(client, django_assert_max_num_queries):
    w = make_world()
    with at(2026, 3, 2, 9):
        for _ in range(27):
            services.perform(_file(w).number, "accept", w.clerk)
    client.force_login(w.reviewer)
    with at(2026, 3, 3, 9), django_assert_max_num_queries(12):
        html = client.get("/desk/").content.decode()
    assert html.count('href="/cases/') == 25 and "第 1 / 2 页" in html
    with at(2026, 3, 3, 9):
        assert client.get("/desk/?page=2").content.decode().count('href="/cases/') == 2
    client.force_login(w.citizen)
    assert client.get("/desk/").status_code == 403
    client.logout()
    assert client.get("/desk/").status_code == 302


# ---------------------------------------------------------------- the case page


@pytest.mark.django_db
def test_case_page_shows_only_allowed_actions(client):
    w = make_world()
    with at(2026, 3, 2, 9):
        case = _file(w)
    client.force_login(w.clerk)
    html = client.get(f"/cases/{case.number}/").content.decode()
    for action in ("notice", "accept", "reject", "withdraw"):
        assert f'/act/{action}/' in html
    for action in ("supplement", "review", "decide", "suspend", "resume", "extend", "deliver"):
        assert f'/act/{action}/' not in html
    assert "slip.pdf" not in html and "notice.pdf" not in html
    client.force_login(w.reviewer)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "/act/" not in html  # nothing for a reviewer before acceptance
    with at(2026, 3, 2, 10):
        services.perform(case.number, "accept", w.clerk)
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "/act/review/" in html and "/act/suspend/" in html
    assert "/act/decide/" not in html and "/act/extend/" not in html and "/act/accept/" not in html


@pytest.mark.django_db
def test_action_not_allowed_answers_409_and_changes_nothing(client):
    w = make_world()
    with at(2026, 3, 2, 9):
        case = _file(w)
    client.force_login(w.clerk)
    events = CaseEvent.objects.count()
    response = client.post(f"/cases/{case.number}/act/deliver/", {"method": "window"})
    assert response.status_code == 409
    assert "办件当前状态为“已提交”，不能执行“送达”" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "submitted" and case.delivery_method == "" and CaseEvent.objects.count() == events
    # a role outside the transition: 403; an unknown action: 404; someone else's case: 404
    client.force_login(w.reviewer)
    with at(2026, 3, 2, 10):
        services.perform(case.number, "accept", w.clerk)
    response = client.post(f"/cases/{case.number}/act/extend/", {"days": "2", "reason": "需要"})
    assert response.status_code == 403 and "当前角色不能执行“延期”" in response.content.decode()
    assert client.post(f"/cases/{case.number}/act/fly/", {}).status_code == 404
    client.force_login(w.police_reviewer)
    assert client.post(f"/cases/{case.number}/act/review/", {"opinion": "同意"}).status_code == 404
    case.refresh_from_db()
    assert case.state == "accepted" and case.extended_days == 0
    assert client.get(f"/cases/{case.number}/act/review/").status_code == 405


@pytest.mark.django_db
def test_notice_flow_through_the_pages(client):
    w = make_world()
    with at(2026, 3, 2, 9):
        case = _file(w, materials=("M01",))
    client.force_login(w.clerk)
    url = f"/cases/{case.number}/act/"
    # nothing ticked → 400 with the service's Chinese message
    with at(2026, 3, 2, 9, 30):
        response = client.post(url + "notice/", {"note": ""})
    assert response.status_code == 400 and "请列出缺少或需补正的材料" in response.content.decode()
    assert Notice.objects.count() == 0
    with at(2026, 3, 2, 10):
        response = client.post(url + "notice/", {"missing": ["M02", "M03"], "reason_M03": "平面图未标尺寸",
                                                 "note": "请一次补齐"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    notice = Notice.objects.get(case=case)
    assert [(i["code"], i["reason"]) for i in notice.items] == [("M02", "缺少该材料"), ("M03", "平面图未标尺寸")]
    page = client.get(f"/cases/{case.number}/")
    html = page.content.decode()
    assert "已完成：一次性告知" in [str(m) for m in get_messages(page.wsgi_request)] or "已完成" in html
    assert "平面图未标尺寸" in html and "notice.pdf" in html and "/act/supplement/" in html
    assert "/act/accept/" not in html
    # supplement M02, M03 → submitted again; accept → slip link
    with at(2026, 3, 3, 9):
        assert client.post(url + "supplement/", {"materials": ["M02", "M03"]}).status_code == 302
        # a second notice may not ask for anything new (M04 was not in the first)
        response = client.post(url + "notice/", {"missing": ["M04"]})
    assert response.status_code == 409 and "一次性告知不得新增要求" in response.content.decode()
    assert Notice.objects.count() == 1
    with at(2026, 3, 3, 10):
        assert client.post(url + "accept/", {}).status_code == 302
    case.refresh_from_db()
    assert case.state == "accepted" and str(case.due_date) == "2026-03-10"
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "slip.pdf" in html and "受理" in html and "缺少该材料" in html
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    assert actions == ["file", "notice", "supplement", "notice_refused", "accept"]


@pytest.mark.django_db
def test_review_decide_deliver_through_the_pages(client):
    w = make_world()
    case = _accepted(w, 2026, 3, 2)
    client.force_login(w.reviewer)
    url = f"/cases/{case.number}/act/"
    response = client.post(url + "review/", {"opinion": ""})
    assert response.status_code == 400
    with at(2026, 3, 3, 9):
        assert client.post(url + "review/", {"opinion": "材料齐全，同意"}).status_code == 302
    client.force_login(w.approver)
    with at(2026, 3, 4, 9):
        response = client.post(url + "decide/", {"result": "deny"})
        assert response.status_code == 400 and "决定理由必填" in response.content.decode()
        assert client.post(url + "decide/", {"result": "approve", "reason": ""}).status_code == 302
    client.force_login(w.clerk)
    with at(2026, 3, 5, 9):
        assert client.post(url + "deliver/", {"method": "window"}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.result, case.actual_workdays, case.delivery_method) == (
        "delivered", "approve", 2, "window")
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "材料齐全，同意" in html and "/act/" not in html


@pytest.mark.django_db
def test_window_queue_lists_waiting_cases_of_the_site(client):
    w = make_world()
    with at(2026, 3, 2, 9):
        waiting = _file(w)
        accepted = _file(w)
        services.perform(accepted.number, "accept", w.clerk)
        other_site = services.file_case(item=ITEM, applicant=person(), channel="window", actor=w.station_clerk)
    client.force_login(w.clerk)
    html = client.get("/window/").content.decode()
    assert waiting.number in html and accepted.number not in html and other_site.number not in html


@pytest.mark.django_db
def test_window_queue_puts_what_to_accept_before_old_results_to_deliver(client, monkeypatch):
    """With months of results waiting to be collected (the demo history), the morning's new application
    must still be on the workbench, first; the page says how many there are in all."""
    from onewindow.cases import views

    monkeypatch.setattr(views, "WORKBENCH_ROWS", 3)
    w = make_world()
    old = []
    for day in (2, 3, 4, 5):
        with at(2026, 3, day, 9):
            c = _file(w)
            services.perform(c.number, "accept", w.clerk)
        old.append(c)
    # concluded long ago, results still to deliver (as the generated history leaves many)
    Case.objects.filter(pk__in=[c.pk for c in old]).update(state="concluded", result="approve")
    with at(2026, 3, 9, 9):
        pending = _file(w)
        services.perform(pending.number, "notice", w.clerk, {"missing": ["M02"], "reasons": {}})
        new = _file(w)
    client.force_login(w.clerk)
    html = client.get("/window/").content.decode()
    listed = [n for n in (new.number, pending.number, *[c.number for c in old]) if n in html]
    assert listed[:2] == [new.number, pending.number]
    assert html.index(new.number) < html.index(pending.number) < html.index(old[0].number)
    assert "共 6 件" in html and old[-1].number not in html
