"""Demo cases, so that the window queue, the desk and the statistics are not empty.

Twelve cases filed at the city centre by `window1` for current items of 市市场监督管理局,
taken through the services to various states, plus one 开办企业 bundle filing. Demo cases
carry data={"demo": True}; when any exist, nothing is done (idempotent). Runs after the
accounts demo (it needs window1, reviewer1 and approver1); returns quietly when the
catalogue or the users are missing.
"""

from django.db import transaction

from onewindow.accounts.models import User
from onewindow.catalog.models import Bundle
from onewindow.core.errors import ServiceError

from . import services
from .filing import issues_business_licence
from .models import Case
from .page_selectors import current_versions

DEMO = {"demo": True}
APPLICANTS = [
    {"kind": "person", "name": "张三", "id_number": "110102199101010078", "phone": "13800000001"},
    {"kind": "person", "name": "李四", "id_number": "412723199010050012", "phone": "13800000002"},
]
# target state of each of the twelve cases
PLAN = ["submitted", "submitted", "pending_materials", "pending_materials", "accepted", "accepted", "accepted",
        "reviewed", "reviewed", "concluded", "delivered", "suspended"]


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text + "\n")


def _users():
    names = ("window1", "reviewer1", "approver1")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return None if len(users) < len(names) else (users["window1"], users["reviewer1"], users["approver1"])


def _take_to(case, target, materials, clerk, reviewer, approver):
    n = case.number
    if target == "submitted":
        return
    if target == "pending_materials":
        required = [m.code for m in materials if m.required] or [m.code for m in materials]
        services.perform(n, "notice", clerk, {"missing": required, "note": "请补齐后再次提交"})
        return
    services.perform(n, "accept", clerk)
    if target == "accepted":
        return
    if target == "suspended":
        services.perform(n, "suspend", reviewer, {"kind": "inspection", "reason": "需现场核查经营场所"})
        return
    services.perform(n, "review", reviewer, {"opinion": "材料齐全，符合法定形式，同意"})
    if target == "reviewed":
        return
    services.perform(n, "decide", approver, {"result": "approve", "reason": ""})
    if target == "delivered":
        services.perform(n, "deliver", clerk, {"method": "window"})


def load(stdout=None) -> int:
    """Create the demo cases once. Returns how many cases were created (0 when already there)."""
    if Case.objects.filter(data__demo=True).exists():
        _say(stdout, "  cases: demo cases already present")
        return 0
    users = _users()
    # the market-supervision department: reviewer1's department (名称 in the catalogue may carry 宿州)
    dept_id = users[1].department_id if users else None
    versions = list(current_versions().filter(item__department_id=dept_id).order_by("item__code")[:6])
    if users is None or not versions:
        _say(stdout, "  cases: no demo users or no market-supervision items; skipped")
        return 0
    clerk, reviewer, approver = users
    created = 0
    with transaction.atomic():
        for i, target in enumerate(PLAN):
            version = versions[i % len(versions)]
            materials = list(version.materials.all())
            provided = [] if target in ("submitted", "pending_materials") and i % 2 == 0 else [m.code for m in materials]
            if target == "pending_materials" and not materials:
                target = "submitted"
            data = dict(DEMO)
            if issues_business_licence(version):  # 企业设立登记: the licence goes to the enterprise named here
                data.update(enterprise_name=f"宿州市示范{'一二三四五六七八九十'[i % 10]}号商贸有限公司",
                            legal_representative=APPLICANTS[i % 2]["name"], registered_capital="50万元",
                            address="宿州市埇桥区汴河中路1号（演示地址）")
            case = services.file_case(item=version.item.code, applicant=APPLICANTS[i % 2], channel="window",
                                      materials=provided, actor=clerk, data=data)
            _take_to(case, target, materials, clerk, reviewer, approver)
            created += 1
        bundle = Bundle.objects.filter(name__contains="开办企业").order_by("code").first()
        if bundle is not None:
            try:
                with transaction.atomic():
                    keys = [e["key"] for e in services.bundle_materials(bundle) if not e["issued_in_bundle"]]
                    filing = services.file_bundle(
                        bundle=bundle.code, applicant=APPLICANTS[0], channel="window", materials=keys,
                        actor=clerk, data={**DEMO, "enterprise_name": "宿州市示范商贸有限公司",
                                           "legal_representative": "张三", "registered_capital": "100万元",
                                           "address": "宿州市埇桥区汴河中路1号（演示地址）"},
                    )
                created += filing.cases.count()
            except ServiceError as exc:  # an item of the bundle is missing from this catalogue
                _say(stdout, f"  cases: bundle demo skipped ({exc.message})")
    _say(stdout, f"  cases: {created} demo cases")
    return created
