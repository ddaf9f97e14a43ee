"""Agency demo: two cases filed by agent1 for residents, and one major project with agent1 as its
full-service agent, linked to two cases (green channel). Idempotent: nothing is done when the demo
project exists. Returns quietly when the demo users or demo cases are missing.
"""

from django.db import transaction

from onewindow.accounts.models import Role, User
from onewindow.cases.models import Case
from onewindow.core.errors import ServiceError

from . import services
from .models import Project

PROJECT_CODE = "2026-341300-44-01-000001"
RESIDENT = {"kind": "person", "name": "张三", "id_number": "110102199101010078", "phone": "13800000001"}
AUTHORISATION = "委托人张三（身份证号110102199101010078）于2026年9月1日书面委托本站代办{item}的申请、补正及领取结果。"


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text + "\n")


def load(stdout=None) -> int:
    if Project.objects.filter(code=PROJECT_CODE).exists():
        _say(stdout, "  agency: demo project already present")
        return 0
    agent = User.objects.filter(username="agent1", role=Role.AGENT).first()
    admin = User.objects.filter(username="admin").first()
    demo_cases = Case.objects.filter(data__demo=True).select_related("item_version").order_by("number")
    if agent is None or admin is None or agent.site_id is None or not demo_cases.exists():
        _say(stdout, "  agency: no demo users or demo cases; skipped")
        return 0
    try:
        with transaction.atomic():
            filed = []
            for case in demo_cases[:2]:
                codes = [m.code for m in case.item_version.materials.all()]
                filed.append(services.file_for_resident(
                    agent=agent, item=case.item.code, applicant=RESIDENT, materials=codes,
                    authorisation=AUTHORISATION.format(item=case.item_version.name), data={"demo_agency": True}))
            project = services.create_project(
                code=PROJECT_CODE, name="宿州高新区新能源电池材料产业园项目", investor="宿州示范新能源科技有限公司",
                investment="120000.00", level="city", region="341300", actor=admin, agent=agent)
            services.link_case(project, filed[0].number, agent)
            other = demo_cases.filter(state__in=["accepted", "reviewed"]).first()
            if other is not None:  # a case of the centre: outside the agent's station, linked by the administrator
                services.link_case(project, other.number, admin)
    except ServiceError as exc:
        _say(stdout, f"  agency: demo skipped ({exc.message})")
        return 0
    _say(stdout, f"  agency: {len(filed)} agency cases, project {PROJECT_CODE}")
    return 1
