"""全程代理, the station dashboard, network volume and major projects."""

import datetime
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from onewindow.accounts.models import Role, User
from onewindow.agency import selectors, services
from onewindow.agency.models import Project
from onewindow.audit.models import AuditEntry
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.selectors import cases_visible_to
from onewindow.cases.tests.factories import VALID_ID_2, at, make_world, person
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.regions.models import Region, Site

pytestmark = pytest.mark.django_db

AUTH = "委托人张三（身份证号110102199101010078）于2026年3月1日授权本站代办食品经营许可申请及领取结果"


def _file(w, agent=None, item=None, who=None, auth=AUTH):
    return services.file_for_resident(agent=agent or w.agent, item=item or w.item.item.code,
                                      applicant=who or person(), materials=["M01", "M02", "M03"], authorisation=auth)


def _second_county(w):
    """A village agency point in 砀山县 (341321) with its own agent."""
    county = Region.objects.create(code="341321", name="砀山县", level="county", parent=w.city)
    town = Region.objects.create(code="341321100", name="砀城镇", level="town", parent=county)
    point = Site.objects.create(code="DB-341321100-01", name="砀城镇某村代办点", level="village", kind="agency_point",
                                region=town)
    agent = User.objects.create_user("agent_ds", password="x", role=Role.AGENT, site=point)
    return point, agent


def test_agent_files_for_resident_number_routing_and_authorisation():
    w = make_world()
    with at(2026, 3, 2, 10):
        case = _file(w)
    # the station lies in 埇桥街道 341302001 → county 341302; filed 2026-03-02, first of the day.
    assert case.number == "34130220260302000001"
    assert case.channel == "agency"
    assert case.site == w.station
    assert case.department == w.dept
    assert case.authorisation == AUTH
    assert case.filed_by == w.agent
    assert cases_visible_to(w.reviewer).filter(number=case.number).exists()
    assert cases_visible_to(w.agent).filter(number=case.number).exists()
    assert not cases_visible_to(w.police_reviewer).filter(number=case.number).exists()


@pytest.mark.parametrize("auth", ["", "   "])
def test_missing_authorisation_refused(auth):
    w = make_world()
    with pytest.raises(ServiceError) as exc:
        _file(w, auth=auth)
    assert "authorisation" in exc.value.fields
    assert Case.objects.count() == 0


def test_only_agents_file_for_residents():
    w = make_world()
    with pytest.raises(Forbidden):
        _file(w, agent=w.clerk)


def test_dashboard_roles(client):
    w = make_world()
    assert client.get("/agency/").status_code == 302  # to the login page
    for u in (w.clerk, w.reviewer, w.citizen, w.supervisor):
        client.force_login(u)
        assert client.get("/agency/").status_code == 403, u.username
        assert client.get("/agency/file/").status_code == 403, u.username
    client.force_login(w.agent)
    assert client.get("/agency/").status_code == 200


def test_dashboard_lists_by_state_and_delivers(client):
    w = make_world()
    with at(2026, 3, 2):
        a = _file(w)
        b = _file(w, who=person(VALID_ID_2, "李四"))
    Case.objects.filter(pk=b.pk).update(state="concluded", concluded_on=datetime.date(2026, 3, 5), result="approve")
    dash = selectors.station_dashboard(w.agent)
    assert [c.number for c in dash["awaiting_delivery"]] == [b.number]
    assert [(g["state"], [c.number for c in g["cases"]]) for g in dash["by_state"]] == [("submitted", [a.number])]
    client.force_login(w.agent)
    page = client.get("/agency/").content.decode()
    assert b.number in page and a.number in page
    resp = client.post(f"/agency/deliver/{b.number}/")
    assert resp.status_code == 302
    b.refresh_from_db()
    assert b.state == "delivered" and b.delivery_method == "window"
    assert client.get("/agency/deliver/x/").status_code == 405


def test_dashboard_lists_are_bounded_and_counted(client, monkeypatch):
    """The delivery list shows the longest-waiting results only; its heading counts them all."""
    monkeypatch.setattr(selectors, "DASHBOARD_ROWS", 1)
    w = make_world()
    with at(2026, 3, 2):
        a = _file(w)
        b = _file(w, who=person(VALID_ID_2, "李四"))
    Case.objects.filter(pk=a.pk).update(state="concluded", concluded_at=datetime.datetime(2026, 3, 6, 9, tzinfo=datetime.UTC),
                                        concluded_on=datetime.date(2026, 3, 6), result="approve")
    Case.objects.filter(pk=b.pk).update(state="concluded", concluded_at=datetime.datetime(2026, 3, 5, 9, tzinfo=datetime.UTC),
                                        concluded_on=datetime.date(2026, 3, 5), result="approve")
    dash = selectors.station_dashboard(w.agent)
    assert [c.number for c in dash["awaiting_delivery"]] == [b.number] and dash["awaiting_count"] == 2
    client.force_login(w.agent)
    page = client.get("/agency/").content.decode()
    assert "结果已返回，待送达（2）" in page and "列出等待最久的 1 件。" in page
    assert b.number in page and a.number not in page


def test_filing_form(client):
    w = make_world()
    client.force_login(w.agent)
    page = client.get("/agency/file/?q=食品经营").content.decode()
    assert "SCJG-XK-0001" in page
    form = {"item": "SCJG-XK-0001", "kind": "person", "name": "张三", "id_number": "110102199101010078",
            "phone": "13800000001", "materials": ["M01", "M03"], "authorisation": ""}
    resp = client.post("/agency/file/", form)
    assert resp.status_code == 400 and Case.objects.count() == 0
    form["authorisation"] = AUTH
    resp = client.post("/agency/file/", form)  # the signed 委托书 is required as an upload
    assert resp.status_code == 400 and Case.objects.count() == 0 and "授权委托书" in resp.content.decode()
    assert "authorisation_file：" not in resp.content.decode()  # the message, never the field's key
    signed = _pdf()
    form["authorisation_file"] = SimpleUploadedFile("委托书.pdf", signed, content_type="application/pdf")
    resp = client.post("/agency/file/", form)
    assert resp.status_code == 302
    case = Case.objects.get()
    assert resp["Location"] == f"/agency/cases/{case.number}/"
    assert case.authorisation == AUTH and case.channel == "agency"
    assert sorted(case.materials.filter(status="provided").values_list("code", flat=True)) == ["M01", "M03"]
    up = case.uploads.get()
    assert (up.material_code, up.original_name, up.sha256) == ("AUTH", "委托书.pdf", hashlib.sha256(signed).hexdigest())
    page = client.get(resp["Location"]).content.decode()
    assert case.query_code in page and f"/agency/cases/{case.number}/receipt.pdf" in page
    r = client.get(f"/agency/cases/{case.number}/receipt.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).replace(" ", "")
    assert "代办回执" in text and case.number in text and case.query_code in text
    assert f"/track/?number={case.number}&code={case.query_code}" in text  # the QR's target, also printed
    # an agent of another site: 404
    other = User.objects.create_user("agent_x", password="x", role=Role.AGENT, site=w.centre)
    client.force_login(other)
    assert client.get(f"/agency/cases/{case.number}/receipt.pdf").status_code == 404


def _pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_network_volume_counts_by_county_and_station(client):
    w = make_world()
    point, agent2 = _second_county(w)
    supervisor_yq = User.objects.create_user("sup_yq", password="x", role=Role.SUPERVISOR, region=w.county)
    with at(2026, 3, 2):
        _file(w)
        _file(w)
        _file(w, agent=agent2)
        # a window case is not an agency case
        case_services.file_case(item=w.item.item.code, applicant=person(), channel="window", materials=[],
                                actor=w.clerk)
    # by hand: 341302 has 2 (both at the 埇桥街道 station), 341321 has 1 (the 砀山 point); 3 in all.
    vol = selectors.network_volume(w.supervisor)
    assert vol["total"] == 3
    assert [(r["county"], r["name"], r["total"]) for r in vol["counties"]] == [("341302", "埇桥区", 2),
                                                                            ("341321", "砀山县", 1)]
    assert [(r["code"], r["total"]) for r in vol["stations"]] == [("T-341302001", 2), ("DB-341321100-01", 1)]
    vol = selectors.network_volume(supervisor_yq)
    assert vol["total"] == 2 and [r["county"] for r in vol["counties"]] == ["341302"]
    assert selectors.network_volume(w.agent)["total"] == 0
    client.force_login(w.supervisor)
    page = client.get("/agency/network/").content.decode()
    assert "砀山县" in page and "砀城镇某村代办点" in page and "DB-341321100-01" not in page  # names, not codes
    client.force_login(w.agent)
    assert client.get("/agency/network/").status_code == 403


def _admin():
    return User.objects.create_user("admin_t", password="x", role=Role.ADMIN)


def _project(w, admin, agent=None):
    return services.create_project(code="2026-341300-44-01-000123", name="宿州某新能源产业园", investor="某新能源有限公司",
                                   investment="85000.50", level="city", region="341300", actor=admin, agent=agent)


def test_project_create_validation():
    w = make_world()
    admin = _admin()
    with pytest.raises(ServiceError) as exc:
        services.create_project(code="2026-34", name="", investor="x", investment="-1", level="town",
                                region="999999", actor=admin)
    assert set(exc.value.fields) == {"code", "name", "investment", "level", "region"}
    with pytest.raises(Forbidden):
        _project(w, w.agent)
    p = _project(w, admin)
    assert str(p.investment) == "85000.50"
    with pytest.raises(Conflict):
        _project(w, admin)
    with pytest.raises(ServiceError):
        services.assign_agent(p, w.clerk, admin)
    assert services.assign_agent(p.code, w.agent, admin).agent == w.agent


def test_agent_links_only_cases_of_their_station():
    """A case filed at the city centre is outside the agent's scope: it reads as unknown to them and
    stays off the green channel; the administrator may link it."""
    w = make_world()
    admin = _admin()
    p = _project(w, admin, agent=w.agent)
    with at(2026, 3, 2, 10):
        centre_case = case_services.file_case(item=w.item.item.code, applicant=person(), channel="window",
                                              materials=["M01", "M02", "M03"], actor=w.clerk)
    with pytest.raises(NotFound):
        services.link_case(p, centre_case.number, w.agent)
    centre_case.refresh_from_db()
    assert not centre_case.green_channel and not selectors.project_cases(p).exists()
    services.link_case(p, centre_case.number, admin)
    assert [c.number for c in selectors.project_cases(p)] == [centre_case.number]


def test_project_links_cases_green_channel_and_merged_timeline(client):
    w = make_world()
    admin = _admin()
    p = _project(w, admin, agent=w.agent)
    with at(2026, 3, 2, 10):
        a = _file(w)
    with at(2026, 3, 2, 11):
        b = services.file_for_resident(agent=w.agent, item=w.police_item.item.code, applicant=person(),
                                       materials=["M01"], authorisation=AUTH)
    with at(2026, 3, 2, 15):
        case_services.perform(a.number, "accept", w.station_clerk, {})
    assert a.department != b.department
    with pytest.raises(Forbidden):
        services.link_case(p, a.number, w.clerk)
    services.link_case(p, a.number, w.agent)
    services.link_case(p.code, b.number, admin)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.green_channel and b.green_channel
    assert AuditEntry.objects.filter(action="case.green_channel", object_id=a.number).count() == 1
    with pytest.raises(Conflict):
        services.link_case(p, a.number, w.agent)
    with pytest.raises(NotFound):
        services.link_case(p, "34130220260302999999", w.agent)
    # time order across the two cases: A filed 10:00, B filed 11:00, A accepted 15:00
    timeline = [(e.case.number, e.action) for e in selectors.project_timeline(p)]
    assert timeline == [(a.number, "file"), (b.number, "file"), (a.number, "accept")]
    assert [c.number for c in selectors.project_cases(p)] == [a.number, b.number]

    client.force_login(w.agent)
    page = client.get(f"/agency/projects/{p.code}/").content.decode()
    assert a.number in page and b.number in page and "市公安局" in page
    client.force_login(w.supervisor)
    assert client.get(f"/agency/projects/{p.code}/").status_code == 200
    _, agent2 = _second_county(w)
    client.force_login(agent2)
    assert client.get(f"/agency/projects/{p.code}/").status_code == 404
    client.force_login(w.reviewer)
    assert client.get(f"/agency/projects/{p.code}/").status_code == 403
    assert Project.objects.count() == 1


def test_admin_adds_project_through_the_service(client):
    w = make_world()
    admin = User.objects.create_superuser("root", password="x", role=Role.ADMIN)
    client.force_login(admin)
    form = {"code": "2026-341302-44-01-000777", "name": "埇桥区物流园", "investor": "某物流公司", "investment": "5000",
            "level": "county", "region": "341302", "agent": w.clerk.pk,
            "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0"}
    resp = client.post("/admin/agency/project/add/", form)
    assert resp.status_code == 200 and not Project.objects.exists()  # a clerk cannot be the agent
    form["agent"] = w.agent.pk
    resp = client.post("/admin/agency/project/add/", form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    p = Project.objects.get()
    assert (p.code, p.agent, str(p.investment)) == ("2026-341302-44-01-000777", w.agent, "5000.00")
    assert AuditEntry.objects.filter(action="project.create", object_id=p.code).count() == 1


def test_admin_form_shows_the_service_checks_as_field_errors(client):
    """An investment the service refuses (0) is a field error on the form, not a 500; a staff account
    without the administrator or supervisor role may not add projects."""
    w = make_world()
    client.force_login(User.objects.create_superuser("root", password="x", role=Role.ADMIN))
    form = {"code": "2026-341302-44-01-000778", "name": "埇桥区冷链中心", "investor": "某冷链公司", "investment": "0",
            "level": "county", "region": "341302", "agent": w.agent.pk,
            "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0"}
    resp = client.post("/admin/agency/project/add/", form)
    assert resp.status_code == 200 and not Project.objects.exists()
    assert resp.context["adminform"].form.errors["investment"] == ["应为正数（万元，至多两位小数）"]
    staff_clerk = User.objects.create_user("staffclerk", password="x", role=Role.CLERK, is_staff=True)
    from django.contrib.auth.models import Permission

    staff_clerk.user_permissions.add(*Permission.objects.filter(codename__in=["add_project", "change_project",
                                                                             "view_project"]))
    client.force_login(staff_clerk)
    assert client.post("/admin/agency/project/add/", {**form, "investment": "10"}).status_code == 403
    assert not Project.objects.exists()


def test_demo_is_idempotent():
    from onewindow.accounts import demo as accounts_demo
    from onewindow.agency import demo as agency_demo
    from onewindow.cases import demo as cases_demo
    from onewindow.catalog import demo as catalog_demo
    from onewindow.ratings import demo as ratings_demo
    from onewindow.ratings.models import Rating
    from onewindow.regions import demo as regions_demo

    assert agency_demo.load() == 0  # no users, no cases: quietly nothing
    for m in (regions_demo, catalog_demo, accounts_demo, cases_demo):
        m.load()
    assert agency_demo.load() == 1
    p = Project.objects.get(code=agency_demo.PROJECT_CODE)
    assert p.agent.username == "agent1"
    assert Case.objects.filter(channel="agency").count() == 2
    assert all(c.green_channel for c in selectors.project_cases(p))
    rated = ratings_demo.load()
    assert rated == Case.objects.filter(data__demo=True, state__in=["concluded", "delivered"]).count() > 0
    counts = (Project.objects.count(), Case.objects.count(), Rating.objects.count(), AuditEntry.objects.count())
    assert agency_demo.load() == 0 and ratings_demo.load() == 0
    assert counts == (Project.objects.count(), Case.objects.count(), Rating.objects.count(), AuditEntry.objects.count())
