"""Demo users (password demo12345) and the city centre's department windows.

Runs after regions and catalog demo data. Idempotent: users are matched by username and
only changed fields are written; a password already set is never reset.
"""

from __future__ import annotations

from django.db import transaction

from onewindow.audit.services import record
from onewindow.catalog.models import Department
from onewindow.regions import demo as regions_demo
from onewindow.regions import services as region_services
from onewindow.regions.models import Region, Site, Window, WindowKind

from .models import User

PASSWORD = "demo12345"
MARKET_DEPT_NAME = "市市场监督管理局"
MARKET_DEPT_CODE = "SZ-SCJG"
AGENT_TOWN = "341302001"  # 埇桥街道, the first town of 埇桥区


def _market_department() -> Department:
    dept = (
        Department.objects.filter(code=MARKET_DEPT_CODE).first()
        or Department.objects.filter(name__endswith=MARKET_DEPT_NAME).first()
    )
    if dept is None:
        dept = Department.objects.create(
            code=MARKET_DEPT_CODE, name=MARKET_DEPT_NAME, short_name="市场监管", region_id=regions_demo.CITY
        )
        record(
            actor=None,
            action="department.create",
            obj_type="department",
            obj_id=dept.code,
            after={"name": dept.name},
        )
    return dept


def user_specs() -> list[dict]:
    centre = Site.objects.get(code=regions_demo.CENTRE_CODE)
    agent_site = Site.objects.get(code=regions_demo.town_centre_code(AGENT_TOWN))
    dept = _market_department()
    window1 = Window.objects.filter(
        hall__site=centre, hall__name=regions_demo.APPROVAL_HALL, number="1", kind=WindowKind.COMPREHENSIVE
    ).first()
    city = Region.objects.get(code=regions_demo.CITY)
    yq = Region.objects.get(code="341302")
    staff = {"is_staff": False, "is_superuser": False}
    return [
        {
            "username": "admin",
            "role": "admin",
            "display_name": "中心管理员",
            "is_staff": True,
            "is_superuser": True,
            "site": centre,
            "region": city,
        },
        {
            "username": "window1",
            "role": "clerk",
            "display_name": "综合窗口受理员一",
            "site": centre,
            "window": window1,
            **staff,
        },
        {
            "username": "reviewer1",
            "role": "reviewer",
            "display_name": "市场监管审核员",
            "site": centre,
            "department": dept,
            **staff,
        },
        {
            "username": "approver1",
            "role": "approver",
            "display_name": "市场监管审批员",
            "site": centre,
            "department": dept,
            **staff,
        },
        {
            "username": "agent1",
            "role": "agent",
            "display_name": "埇桥街道代办员",
            "site": agent_site,
            **staff,
        },
        {
            "username": "supervisor1",
            "role": "supervisor",
            "display_name": "市电子监察员",
            "region": city,
            **staff,
        },
        {
            "username": "supervisor_yq",
            "role": "supervisor",
            "display_name": "埇桥区电子监察员",
            "region": yq,
            **staff,
        },
        {
            "username": "citizen1",
            "role": "applicant",
            "display_name": "张三",
            "applicant_kind": "person",
            "id_number": "110102199101010078",
            "phone": "13800000001",
            **staff,
        },
        {
            "username": "citizen2",
            "role": "applicant",
            "display_name": "李四",
            "applicant_kind": "person",
            "id_number": "412723199010050012",
            "phone": "13800000002",
            **staff,
        },
    ]


SCOPE_FIELDS = ("department", "site", "window", "region")
PLAIN_FIELDS = (
    "role",
    "display_name",
    "is_staff",
    "is_superuser",
    "applicant_kind",
    "id_number",
    "phone",
    "is_active",
)


def _ensure_user(spec: dict):
    spec = {"is_active": True, "applicant_kind": "", "id_number": "", "phone": "", **spec}
    for f in SCOPE_FIELDS:
        spec.setdefault(f, None)
    user = User.objects.filter(username=spec["username"]).first()
    created = user is None
    if created:
        user = User(username=spec["username"])
    before, changed = {}, []
    for f in PLAIN_FIELDS:
        if getattr(user, f) != spec[f]:
            before[f] = getattr(user, f)
            setattr(user, f, spec[f])
            changed.append(f)
    for f in SCOPE_FIELDS:
        value = spec[f]
        new_id = value.pk if value is not None else None
        if getattr(user, f"{f}_id") != new_id:
            before[f] = getattr(user, f"{f}_id")
            setattr(user, f, value)
            changed.append(f)
    if not user.has_usable_password() or created:
        user.set_password(PASSWORD)
        changed.append("password")
    if not changed:
        return user, False
    user.save()
    after = {
        f: (getattr(user, f"{f}_id") if f in SCOPE_FIELDS else getattr(user, f))
        for f in changed
        if f != "password"
    }
    record(
        actor=None,
        action="user.create" if created else "user.update",
        obj_type="user",
        obj_id=user.pk,
        before={k: v for k, v in before.items() if created is False},
        after={**after, "password_set": "password" in changed},
    )
    return user, True


@transaction.atomic
def load(stdout=None):
    _market_department()
    stationed = list(Department.objects.filter(stationed=True).order_by("order", "code"))
    windows = region_services.ensure_department_windows(
        regions_demo.CENTRE_CODE, regions_demo.APPROVAL_HALL, stationed
    )
    n_users = 0
    for spec in user_specs():
        _, changed = _ensure_user(spec)
        n_users += changed
    if stdout is not None:
        stdout.write(f"  department windows +{windows.created}, users created/updated {n_users}")
