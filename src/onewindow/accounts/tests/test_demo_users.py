import pytest
from stdnum.cn import ric

from onewindow.accounts import demo as accounts_demo
from onewindow.accounts.models import ApiToken, User
from onewindow.audit.models import AuditEntry
from onewindow.catalog.models import Department
from onewindow.regions import demo as regions_demo
from onewindow.regions.models import Window

pytestmark = pytest.mark.django_db

USERNAMES = [
    "admin",
    "window1",
    "reviewer1",
    "approver1",
    "agent1",
    "supervisor1",
    "supervisor_yq",
    "citizen1",
    "citizen2",
]


@pytest.fixture
def demo():
    regions_demo.load()
    accounts_demo.load()


def test_users_roles_and_scopes(demo):
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    assert set(users) == set(USERNAMES)
    roles = {name: u.role for name, u in users.items()}
    assert roles == {
        "admin": "admin",
        "window1": "clerk",
        "reviewer1": "reviewer",
        "approver1": "approver",
        "agent1": "agent",
        "supervisor1": "supervisor",
        "supervisor_yq": "supervisor",
        "citizen1": "applicant",
        "citizen2": "applicant",
    }
    admin = users["admin"]
    assert admin.is_staff and admin.is_superuser
    assert not any(u.is_superuser or u.is_staff for n, u in users.items() if n != "admin")

    w1 = users["window1"]
    assert w1.site.code == "SZ-CENTRE" and w1.site.name == "宿州市政务服务中心"
    assert (w1.window.number, w1.window.kind, w1.window.hall.name) == ("1", "comprehensive", "审批服务大厅")

    for name in ("reviewer1", "approver1"):
        assert users[name].department.name == "市市场监督管理局"
        assert users[name].site.code == "SZ-CENTRE"
    # no catalogue loaded: the fallback department was created once
    assert Department.objects.get(name="市市场监督管理局").code == "SZ-SCJG"

    agent = users["agent1"]
    assert (agent.site.code, agent.site.kind, agent.site.region_id) == (
        "BM-341302001",
        "convenience",
        "341302001",
    )
    assert agent.site.name == "埇桥街道便民服务中心"

    assert users["supervisor1"].region_id == "341300"
    assert users["supervisor_yq"].region_id == "341302"

    c1, c2 = users["citizen1"], users["citizen2"]
    assert (c1.display_name, c1.applicant_kind, c1.id_number, c1.phone) == (
        "张三",
        "person",
        "110102199101010078",
        "13800000001",
    )
    assert (c2.display_name, c2.id_number) == ("李四", "412723199010050012")
    assert ric.is_valid(c1.id_number) and ric.is_valid(c2.id_number)


def test_everyone_can_log_in(client, demo):
    for name in USERNAMES:
        assert client.login(username=name, password="demo12345"), name
        client.logout()
    assert not client.login(username="citizen1", password="wrong-password")


def test_rerun_creates_nothing_and_keeps_changed_passwords(client, demo):
    citizen = User.objects.get(username="citizen1")
    citizen.set_password("my-own-secret")
    citizen.save()
    users, windows, audits = User.objects.count(), Window.objects.count(), AuditEntry.objects.count()
    regions_demo.load()
    accounts_demo.load()
    assert (User.objects.count(), Window.objects.count(), AuditEntry.objects.count()) == (
        users,
        windows,
        audits,
    )
    assert Department.objects.filter(name="市市场监督管理局").count() == 1
    assert client.login(username="citizen1", password="my-own-secret")
    assert not client.login(username="citizen1", password="demo12345")


def test_rerun_keeps_an_edited_user_and_reset_restores_it(client, demo):
    agent = User.objects.get(username="agent1")
    agent.set_unusable_password()
    agent.role = "applicant"
    agent.site = None
    agent.save()
    accounts_demo.load()
    agent.refresh_from_db()
    assert agent.role == "applicant" and agent.site is None  # an administrator's change stays
    accounts_demo.load(reset=True)
    agent.refresh_from_db()
    assert agent.role == "agent" and agent.site.code == "BM-341302001"
    assert client.login(username="agent1", password="demo12345")


def test_uses_an_existing_department_and_makes_department_windows():
    regions_demo.load()
    market = Department.objects.create(
        code="SCJG-X", name="市市场监督管理局", short_name="市场监管", region_id="341300"
    )
    Department.objects.create(code="SZ-RS", name="市人力资源和社会保障局", region_id="341300", order=1)
    Department.objects.create(code="SZ-OUT", name="市某非进驻单位", region_id="341300", stationed=False)
    accounts_demo.load()
    assert User.objects.get(username="reviewer1").department_id == market.pk
    assert not Department.objects.filter(code="SZ-SCJG").exists()
    dept_windows = Window.objects.filter(
        hall__site__code="SZ-CENTRE", hall__name="审批服务大厅", kind="department"
    )
    # stationed departments only, ordered by (order, code): 市场监管 (order 0) then 人社 (order 1)
    assert dict(dept_windows.values_list("department__code", "number")) == {"SCJG-X": "21", "SZ-RS": "22"}


def test_admin_pages(client, demo):
    assert client.login(username="admin", password="demo12345")
    agent = User.objects.get(username="agent1")
    ApiToken.objects.create(user=agent, digest="x" * 64, label="t")
    token = ApiToken.objects.get()
    for url in [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/?role__exact=agent",
        f"/admin/accounts/user/{agent.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/regions/region/?q=汴河",
        "/admin/regions/region/?level__exact=town",
        "/admin/regions/site/",
        "/admin/regions/site/?q=埇桥",
        f"/admin/regions/site/{agent.site.pk}/change/",
        "/admin/regions/hall/",
        f"/admin/regions/hall/{agent.site.halls.get().pk}/change/",
        "/admin/regions/window/",
        "/admin/accounts/apitoken/",
        f"/admin/accounts/apitoken/{token.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    page = client.get("/admin/accounts/user/?role__exact=agent").content.decode()
    assert "agent1" in page and "citizen1" not in page


def test_admin_closed_to_non_staff(client, demo):
    assert client.login(username="window1", password="demo12345")
    r = client.get("/admin/regions/site/")
    assert r.status_code == 302


def test_admin_adds_a_user_with_role_and_site(client, demo):
    from onewindow.regions.models import Site

    assert client.login(username="admin", password="demo12345")
    site = Site.objects.get(code="BM-341302009")
    r = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "agent9",
            "password1": "long-enough-pass-9",
            "password2": "long-enough-pass-9",
            "role": "agent",
            "display_name": "汴河代办员",
            "site": site.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    u = User.objects.get(username="agent9")
    assert (u.role, u.site_id, u.display_name) == ("agent", site.pk, "汴河代办员")
    client.logout()
    assert client.login(username="agent9", password="long-enough-pass-9")
