"""Demo users (password demo12345) and the city centre's department windows.

Runs after regions and catalog demo data. Users are matched by username: a missing one is created,
an existing one is left exactly as it is (an administrator's edit survives `onewindow demo`);
`load(reset=True)` (`onewindow demo --reset`) brings the demo users back to their demo values,
password included.

Staff for every journey: `window1`, `window2` (comprehensive windows 1 and 2 of the city centre's
审批服务大厅), `clerk_yq` (window 1 of 埇桥街道便民服务中心, agent1's town centre), `agent1`,
`supervisor1`, `supervisor_yq`, `reviewer1` / `approver1` (市市场监督管理局) and, for every department
that has demo items, `reviewer_<dept>` / `approver_<dept>` where <dept> is the department code without
"SZ-" in lower case (reviewer_gjj, approver_gjj for 市公积金管理中心).
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
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


def department_username(role: str, dept: Department) -> str:
    """reviewer_gjj for the reviewer of SZ-GJJ (the pattern of the department staff)."""
    return f"{role}_{dept.code.removeprefix('SZ-').lower().replace('-', '_')}"


def department_staff_specs(centre: Site) -> list[dict]:
    """A reviewer and an approver for every department that has current items."""
    depts = Department.objects.filter(items__versions__is_current=True).distinct().order_by("order", "code")
    specs = []
    for dept in depts:
        label = dept.short_name or dept.name
        for role, title in (("reviewer", "审核员"), ("approver", "审批员")):
            specs.append({"username": department_username(role, dept), "role": role,
                          "display_name": f"{label}{title}", "site": centre, "department": dept,
                          "is_staff": False, "is_superuser": False})
    return specs


def _window(site: Site, hall: str, number: str):
    return Window.objects.filter(hall__site=site, hall__name=hall, number=number,
                                 kind=WindowKind.COMPREHENSIVE).first()


def user_specs() -> list[dict]:
    centre = Site.objects.get(code=regions_demo.CENTRE_CODE)
    agent_site = Site.objects.get(code=regions_demo.town_centre_code(AGENT_TOWN))
    dept = _market_department()
    window1 = _window(centre, regions_demo.APPROVAL_HALL, "1")
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
            "username": "window2",
            "role": "clerk",
            "display_name": "综合窗口受理员二",
            "site": centre,
            "window": _window(centre, regions_demo.APPROVAL_HALL, "2"),
            **staff,
        },
        {
            "username": "clerk_yq",
            "role": "clerk",
            "display_name": "埇桥街道便民服务中心受理员",
            "site": agent_site,
            "window": _window(agent_site, regions_demo.TOWN_HALL, "1"),
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
        *department_staff_specs(centre),
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


def _ensure_user(spec: dict, *, reset: bool = False, password_hash: str | None = None):
    """Create the user of `spec` when missing; with `reset`, bring an existing one back to `spec`
    (password included). Otherwise an existing user is left untouched. Returns (user, changed)."""

    spec = {"is_active": True, "applicant_kind": "", "id_number": "", "phone": "", **spec}
    for f in SCOPE_FIELDS:
        spec.setdefault(f, None)
    user = User.objects.filter(username=spec["username"]).first()
    created = user is None
    if not created and not reset:
        return user, False
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
    if created or reset:
        # one hash for every demo user: hashing ~100 passwords one by one takes half a minute
        user.password = password_hash or make_password(PASSWORD)
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
def load(stdout=None, reset: bool = False):
    _market_department()
    stationed = list(Department.objects.filter(stationed=True).order_by("order", "code"))
    windows = region_services.ensure_department_windows(
        regions_demo.CENTRE_CODE, regions_demo.APPROVAL_HALL, stationed
    )
    n_users = 0
    password_hash = make_password(PASSWORD)
    for spec in user_specs():
        _, changed = _ensure_user(spec, reset=reset, password_hash=password_hash)
        n_users += changed
    if stdout is not None:
        stdout.write(f"  department windows +{windows.created}, users created/updated {n_users}")
