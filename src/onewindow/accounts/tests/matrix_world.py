"""The world behind the permission matrix: every role, four cases, a bundle, a project, alerts, a card.

Case scope, by the rules (applicants: their own; clerks and agents: their site; reviewers and
approvers: their department; supervisors: their region; the administrator: all):

- A: filed online by citizen (张三) for the food licence (市市场监督管理局) → received at SZ-CENTRE (341300);
  accepted, reviewed, decided (concluded), then rated 1 star by citizen → a rectification for 市场监管.
- B: filed at the window by clerk for citizen2 (李四), 市场监管 item, SZ-CENTRE; left submitted.
- C: filed by the agent at the town station (341302001) for a third person, police item (市公安局);
  the station clerk issued a one-time notice (pending materials), so notice.pdf exists.
- D: filed at the window by clerk for citizen (by ID number), concluded, not yet rated.
- BUNDLE: 开办企业一件事 filed online by citizen: one 市场监管 case and one 公安 case, both at SZ-CENTRE.
"""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.accounts.services import issue_token
from onewindow.agency import services as agency_services
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at, make_bundle, make_world, person
from onewindow.catalog.models import ItemVersion
from onewindow.portal.models import Upload
from onewindow.ratings import services as rating_services
from onewindow.ratings.models import Rectification
from onewindow.regions.models import Region
from onewindow.supervision import services as supervision_services
from onewindow.supervision.models import Alert

ANON = "anonymous"
ROLES = [ANON, "citizen", "citizen2", "clerk", "station_clerk", "reviewer", "police_reviewer", "approver", "agent",
         "supervisor", "county_supervisor", "admin"]
STAFF = [r for r in ROLES if r not in (ANON, "citizen", "citizen2")]
APPLICANTS = ["citizen", "citizen2"]
SUPERVISORS = ["supervisor", "county_supervisor", "admin"]

# Who sees which case, straight from the rules above (not from the code).
VISIBLE = {
    "A": {"citizen", "clerk", "reviewer", "approver", "supervisor", "admin"},
    "B": {"citizen2", "clerk", "reviewer", "approver", "supervisor", "admin"},
    "C": {"station_clerk", "agent", "police_reviewer", "supervisor", "county_supervisor", "admin"},
    "D": {"citizen", "clerk", "reviewer", "approver", "supervisor", "admin"},
    "BUNDLE": {"citizen", "clerk", "reviewer", "approver", "police_reviewer", "supervisor", "admin"},
}
PROJECT_CODE = "2026-341300-44-01-000123"


def id_number(body17: str) -> str:
    """A resident ID number with its ISO 7064 MOD 11-2 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body17, weights, strict=True))
    return body17 + "10X98765432"[total % 11]


def build():
    w = make_world()
    ItemVersion.objects.filter(pk=w.item.pk).update(online_depth="full")
    w.county_supervisor = User.objects.create_user("sup_yq", password="x", role=Role.SUPERVISOR,
                                                   region=Region.objects.get(code="341302"))
    w.admin = User.objects.create_user("centre_admin", password="x", role=Role.ADMIN, is_staff=True)
    w.users = {r: getattr(w, r) for r in ROLES if r != ANON}
    w.tokens = {r: issue_token(u, "matrix") for r, u in w.users.items()}
    third = id_number("34130219850101001")
    with at(2026, 9, 1, 9):
        a = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="online",
                               materials=["M01", "M02", "M03"], actor=w.citizen)
        b = services.file_case(item="SCJG-XK-0001", applicant=person(w.citizen2.id_number, "李四"), channel="window",
                               materials=["M01", "M02", "M03"], actor=w.clerk)
        c = services.file_case(item="GA-QR-0001", applicant=person(third, "王五"), channel="agency", materials=[],
                               actor=w.agent, authorisation="申请人王五书面委托代办")
        d = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                               materials=["M01", "M02", "M03"], actor=w.clerk)
        e = services.file_case(item="GA-QR-0001", applicant=person(third, "王五"), channel="agency", materials=[],
                               actor=w.agent, authorisation="申请人王五书面委托代办")
        bundle = make_bundle(w, issues_uscc=False)
        keys = [m["key"] for m in services.bundle_materials(bundle)]
        filing = services.file_bundle(bundle=bundle.code, applicant=person(), channel="online", materials=keys,
                                      actor=w.citizen)
    with at(2026, 9, 1, 10):
        services.perform(a.number, "accept", w.clerk, {})
        services.perform(c.number, "notice", w.station_clerk, {"missing": ["M01"]})
    with at(2026, 9, 2, 10):
        services.perform(a.number, "review", w.reviewer, {"opinion": "材料真实，同意"})
    with at(2026, 9, 3, 10):
        services.perform(a.number, "decide", w.approver, {"result": "approve", "reason": ""})
    for done in (d, e):  # results waiting at the window (D) and at the agency station (E)
        Case.objects.filter(pk=done.pk).update(state="concluded", accepted_on=datetime.date(2026, 9, 1),
                                               concluded_on=datetime.date(2026, 9, 3), result="approve")
    with at(2026, 9, 4, 10):
        rating_services.rate_case(a.number, w.citizen, 1, None, "等候太久")
    w.rect = Rectification.objects.get(rating__case__number=a.number)
    data = b"%PDF-1.4 matrix test material"
    w.upload = Upload(case=a, material_code="M03", original_name="plan.pdf", content_type="application/pdf",
                      size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by=w.citizen)
    w.upload.file.save("plan.pdf", ContentFile(data), save=True)
    now = timezone.now()
    Alert.objects.create(case=a, level="yellow", rule="due_soon", since=now, department=w.dept, site=w.centre)
    Alert.objects.create(case=Case.objects.get(pk=c.pk), level="red", rule="overdue", since=now,
                         department=w.dept2, site=w.station)
    w.project = agency_services.create_project(
        code=PROJECT_CODE, name="宿州某新能源产业园", investor="某新能源有限公司", investment="85000.50",
        level="city", region="341300", actor=w.admin, agent=w.agent)
    w.card = supervision_services.issue_card(actor=w.supervisor, target_kind="window", target_id=w.window.pk,
                                             colour="yellow", reason="窗口脱岗")
    w.refs = {
        "A": a.number, "B": b.number, "C": c.number, "D": d.number, "E": e.number, "BUNDLE": filing.number,
        "A_CODE": Case.objects.get(pk=a.pk).query_code, "UPLOAD": w.upload.pk, "RECT": w.rect.pk,
        "CARD": w.card.pk, "PROJECT": PROJECT_CODE, "WINDOW": w.window.pk, "DEPT": w.dept.pk,
        # primary keys for the admin's change pages
        "SITE": w.centre.pk, "STATION": w.station.pk, "A_PK": a.pk, "C_PK": c.pk, "CLERK_PK": w.clerk.pk,
        "PROJECT_PK": w.project.pk,
    }
    return w
