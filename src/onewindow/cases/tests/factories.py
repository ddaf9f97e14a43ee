"""A small hand-built world for case tests: one city, one centre, one department, three items."""

import contextlib
import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from onewindow.accounts.models import ApplicantKind as UserKind
from onewindow.accounts.models import Role, User
from onewindow.catalog.models import (
    Bundle,
    BundleItem,
    Department,
    ItemVersion,
    LicenceType,
    Material,
    ServiceItem,
)
from onewindow.regions.models import Hall, Region, Site, Window

SH = ZoneInfo("Asia/Shanghai")
VALID_ID = "110102199101010078"
VALID_ID_2 = "412723199010050012"
VALID_USCC = "91340600MA2PBM9HXD"


@contextlib.contextmanager
def at(year, month, day, hour=10, minute=0):
    """Run with the clock at that Asia/Shanghai time."""
    moment = datetime.datetime(year, month, day, hour, minute, tzinfo=SH)
    with mock.patch.object(timezone, "now", return_value=moment.astimezone(datetime.UTC)):
        yield moment


def make_item(code, dept, *, name, committed=5, statutory=20, extension=5, materials=None, licence_type=None,
              window_decides=False, window_reviews=False):
    item = ServiceItem.objects.create(code=code, department=dept)
    v = ItemVersion.objects.create(
        item=item, version=1, is_current=True, name=name, type="licensing", statutory_days=statutory,
        committed_days=committed, extension_days=extension, licence_type=licence_type,
        window_decides=window_decides, window_reviews=window_reviews,
    )
    for i, (mcode, mname, required, lt) in enumerate(materials or []):
        Material.objects.create(version=v, code=mcode, name=mname, required=required, licence_type=lt, order=i)
    return v


def make_world():
    w = type("World", (), {})()
    w.city = Region.objects.create(code="341300", name="宿州市", level="city")
    w.county = Region.objects.create(code="341302", name="埇桥区", level="county", parent=w.city)
    w.town = Region.objects.create(code="341302001", name="埇桥街道", level="town", parent=w.county)
    w.centre = Site.objects.create(code="SZ-CENTRE", name="宿州市政务服务中心", level="city", kind="centre", region=w.city)
    w.station = Site.objects.create(code="T-341302001", name="埇桥街道便民服务中心", level="town", kind="convenience",
                                    region=w.town, parent=w.centre)
    hall = Hall.objects.create(site=w.centre, name="审批服务大厅")
    w.window = Window.objects.create(hall=hall, number="01", name="综合受理", kind="comprehensive")
    w.dept = Department.objects.create(code="SZ-SCJG", name="市市场监督管理局", region=w.city)
    w.dept2 = Department.objects.create(code="SZ-GA", name="市公安局", region=w.city)
    w.id_card = LicenceType.objects.create(code="SFZ", name="居民身份证")
    w.food = LicenceType.objects.create(code="SPJY", name="食品经营许可证", department=w.dept, validity_years=5)
    w.item = make_item(
        "SCJG-XK-0001", w.dept, name="食品经营许可", committed=5, statutory=20, extension=5, licence_type=w.food,
        materials=[("M01", "食品经营许可申请书", True, None), ("M02", "申请人身份证明", True, w.id_card),
                   ("M03", "经营场所平面图", True, None), ("M04", "其他材料", False, None)],
    )
    w.instant = make_item("SCJG-QR-0002", w.dept, name="食品经营许可证补办", committed=0, statutory=5, extension=2,
                          materials=[("M01", "补办申请书", True, None)])
    w.police_item = make_item("GA-QR-0001", w.dept2, name="居民身份证换领", committed=10, statutory=60,
                              materials=[("M01", "户口簿", True, None)])
    pw = "demo12345"
    w.clerk = User.objects.create_user("clerk", password=pw, role=Role.CLERK, site=w.centre, window=w.window)
    w.clerk2 = User.objects.create_user("clerk2", password=pw, role=Role.CLERK, site=w.centre)
    w.station_clerk = User.objects.create_user("tclerk", password=pw, role=Role.CLERK, site=w.station)
    w.reviewer = User.objects.create_user("reviewer", password=pw, role=Role.REVIEWER, department=w.dept, site=w.centre)
    w.approver = User.objects.create_user("approver", password=pw, role=Role.APPROVER, department=w.dept, site=w.centre)
    w.police_reviewer = User.objects.create_user("previewer", password=pw, role=Role.REVIEWER, department=w.dept2)
    w.agent = User.objects.create_user("agent", password=pw, role=Role.AGENT, site=w.station)
    w.citizen = User.objects.create_user("citizen", password=pw, role=Role.APPLICANT, display_name="张三",
                                         applicant_kind=UserKind.PERSON, id_number=VALID_ID)
    w.citizen2 = User.objects.create_user("citizen2", password=pw, role=Role.APPLICANT, display_name="李四",
                                          applicant_kind=UserKind.PERSON, id_number=VALID_ID_2)
    w.supervisor = User.objects.create_user("sup", password=pw, role=Role.SUPERVISOR, region=w.city)
    return w


def person(id_number=VALID_ID, name="张三"):
    return {"kind": "person", "name": name, "id_number": id_number, "phone": "13800000001"}


def make_bundle(w, *, issues_uscc=True):
    b = Bundle.objects.create(code="KBQY", name="开办企业一件事", lead_department=w.dept, issues_uscc=issues_uscc)
    BundleItem.objects.create(bundle=b, item=w.item.item, order=1)
    BundleItem.objects.create(bundle=b, item=w.police_item.item, order=2)
    return b
