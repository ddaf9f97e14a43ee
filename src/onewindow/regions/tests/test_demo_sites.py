import datetime

import pytest

from onewindow.audit.models import AuditEntry
from onewindow.catalog.models import Department
from onewindow.core.errors import ServiceError
from onewindow.regions import demo, services
from onewindow.regions.models import Hall, Region, Site, Window

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    demo.load()


def test_site_counts(network):
    assert Site.objects.filter(level="city", kind="centre").count() == 1
    centre = Site.objects.get(code="SZ-CENTRE")
    assert (centre.name, centre.region_id, centre.parent_id) == ("宿州市政务服务中心", "341300", None)

    subs = Site.objects.filter(kind="sub_centre")
    assert sorted(subs.values_list("name", flat=True)) == sorted(
        f"宿州市政务服务中心{n}" for n in ["人社分中心", "房管分中心", "公积金分中心", "不动产分中心"]
    )
    assert set(subs.values_list("parent_id", flat=True)) == {centre.pk}

    county_centres = Site.objects.filter(level="county", kind="centre")
    assert county_centres.count() == 7  # 5 districts/counties + 2 zones
    assert county_centres.filter(name="埇桥区政务服务中心", region_id="341302").exists()
    assert county_centres.filter(name="砀山县政务服务中心", region_id="341321").exists()
    assert set(county_centres.values_list("parent_id", flat=True)) == {centre.pk}

    conv = Site.objects.filter(kind="convenience", level="town")
    assert conv.count() == 122
    assert conv.filter(region__parent__level="county").count() == 120
    bianhe = Site.objects.get(name="汴河街道便民服务中心")
    assert bianhe.region_id == "341302009"
    assert bianhe.parent.code == "ZW-341302"

    points = Site.objects.filter(kind="agency_point")
    assert points.count() >= 110
    assert points.count() == 122
    assert not points.exclude(level="village").exists()
    assert not points.filter(is_demo=False).exists()
    assert not points.exclude(region__level="town").exists()  # attached to the town row
    assert Region.objects.filter(level="village").count() == 0  # no pseudo villages
    p = Site.objects.get(code="DB-341302011-01")
    assert p.name == "城东街道第一社区代办点" and p.parent.code == "BM-341302011"
    assert Site.objects.get(code="DB-341302100-01").name == "符离镇第一村代办点"


def test_halls_and_windows(network):
    centre = Site.objects.get(code="SZ-CENTRE")
    assert sorted(centre.halls.values_list("name", flat=True)) == ["公共服务大厅", "审批服务大厅"]
    hall = Hall.objects.get(site=centre, name="审批服务大厅")
    comp = hall.windows.filter(kind="comprehensive")
    assert sorted(int(n) for n in comp.values_list("number", flat=True)) == list(range(1, 13))
    assert hall.windows.filter(kind="delivery", name="出件窗口").count() == 1
    assert not hall.windows.filter(kind="department").exists()  # made by accounts.demo
    # every town centre has a hall with two comprehensive windows
    assert Window.objects.filter(hall__site__kind="convenience", kind="comprehensive").count() == 244


def test_opening_hours(network):
    s = Site.objects.get(code="BM-341302009")
    assert (s.morning_open, s.morning_close) == (datetime.time(8, 30), datetime.time(12, 0))
    assert (s.afternoon_open, s.afternoon_close) == (datetime.time(14, 30), datetime.time(17, 30))
    assert s.is_open_at(datetime.time(9, 0))
    assert not s.is_open_at(datetime.time(13, 0))


def test_demo_is_idempotent(network):
    counts = (Region.objects.count(), Site.objects.count(), Hall.objects.count(), Window.objects.count())
    audits = AuditEntry.objects.count()
    demo.load()
    assert (
        Region.objects.count(),
        Site.objects.count(),
        Hall.objects.count(),
        Window.objects.count(),
    ) == counts
    assert AuditEntry.objects.count() == audits


def test_demo_keeps_an_edited_site_and_reset_repairs_it(network):
    Site.objects.filter(code="BM-341302009").update(name="x")
    Window.objects.filter(hall__site__code="BM-341302009", number="1").update(name="y")
    demo.load()
    assert Site.objects.get(code="BM-341302009").name == "x"  # an administrator's edit stays
    Window.objects.filter(hall__site__code="BM-341302009").delete()
    demo.load()  # … and what is missing comes back
    assert Window.objects.filter(hall__site__code="BM-341302009").count() == 2
    demo.load(reset=True)
    assert Site.objects.get(code="BM-341302009").name == "汴河街道便民服务中心"


def _spec(**kw):
    base = {"code": "T-1", "name": "测试中心", "level": "county", "kind": "centre", "region": "341302"}
    return {**base, **kw}


@pytest.mark.parametrize(
    "spec",
    [
        _spec(region="999999"),
        _spec(parent="NO-SUCH"),
        _spec(level="planet"),
        _spec(kind="shop"),
        _spec(code=""),
        _spec(name=""),
        _spec(morning_open="12:30", morning_close="12:00"),
    ],
)
def test_sync_sites_refuses_bad_specs(network, spec):
    before = Site.objects.count()
    with pytest.raises(ServiceError):
        services.sync_sites([spec])
    assert Site.objects.count() == before


def test_sync_sites_refuses_duplicates_and_creates_parent_first(network):
    with pytest.raises(ServiceError):
        services.sync_sites([_spec(), _spec()])
    result = services.sync_sites(
        [
            _spec(code="T-CHILD", level="town", kind="convenience", parent="T-1"),
            _spec(code="T-1", parent="SZ-CENTRE"),
        ]
    )
    assert result.created == 2
    assert Site.objects.get(code="T-CHILD").parent.code == "T-1"


def test_sync_windows_rules(network):
    with pytest.raises(ServiceError):  # department window without a department
        services.sync_windows(
            [{"site": "SZ-CENTRE", "hall": "审批服务大厅", "number": "90", "kind": "department"}]
        )
    with pytest.raises(ServiceError):  # no such hall
        services.sync_windows(
            [{"site": "SZ-CENTRE", "hall": "无此大厅", "number": "1", "kind": "comprehensive"}]
        )
    with pytest.raises(ServiceError):  # unknown kind
        services.sync_windows([{"site": "SZ-CENTRE", "hall": "审批服务大厅", "number": "91", "kind": "vip"}])
    with pytest.raises(ServiceError):  # number twice in one call
        services.sync_windows(
            [{"site": "SZ-CENTRE", "hall": "审批服务大厅", "number": "92", "kind": "comprehensive"}] * 2
        )
    with pytest.raises(ServiceError):
        services.sync_halls([{"site": "NO-SUCH", "name": "大厅"}])


def test_department_windows_numbering(network):
    a = Department.objects.create(code="D-A", name="市甲局", region_id="341300")
    b = Department.objects.create(code="D-B", name="市乙局", short_name="乙局", region_id="341300")
    r = services.ensure_department_windows("SZ-CENTRE", "审批服务大厅", [a, b])
    assert r.created == 2
    hall = Hall.objects.get(site__code="SZ-CENTRE", name="审批服务大厅")
    assert hall.windows.get(department=a).number == "21"
    assert hall.windows.get(department=b).number == "22"
    assert hall.windows.get(department=b).name == "乙局窗口"
    again = services.ensure_department_windows("SZ-CENTRE", "审批服务大厅", [b, a])
    assert again.created == 0
    c = Department.objects.create(code="D-C", name="市丙局", region_id="341300")
    services.ensure_department_windows("SZ-CENTRE", "审批服务大厅", [a, b, c])
    assert hall.windows.get(department=c).number == "23"
    with pytest.raises(ServiceError):
        services.ensure_department_windows("SZ-CENTRE", "无此大厅", [a])
