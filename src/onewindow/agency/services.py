"""Writes of the agency app: major projects, their agent and their linked cases (绿色通道).

Filing on a resident's behalf goes through cases.services.file_case(channel="agency", ...);
`file_for_resident` is a thin convenience that insists on the authorisation text.
"""

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.accounts.access import has_role, is_admin
from onewindow.accounts.models import Role, User
from onewindow.audit.services import record
from onewindow.cases.models import Case
from onewindow.cases.selectors import cases_visible_to
from onewindow.cases.services import file_case
from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError
from onewindow.regions.models import Region

from .models import PROJECT_CODE_RE, Project, ProjectCase, ProjectLevel


def _require(actor: User, *roles):
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("需要登录"))
    if not (actor.is_superuser or actor.role in roles):
        raise Forbidden(_("当前角色无权执行该操作"))


AUTHORISATION_CODE = "AUTH"  # the Upload.material_code of the 授权委托书 (not a material of the item)


@transaction.atomic
def file_for_resident(*, agent: User, item: str, applicant: dict, materials: list[str], authorisation: str,
                      data: dict | None = None, authorisation_file=None) -> Case:
    """An agent files at their station for a resident (全程代理). The authorisation text is required;
    the signed 授权委托书 (PDF or image), when given, is checked like any upload and kept with the case."""
    from onewindow.portal.services import inspect_file, store_uploads

    _require(agent, Role.AGENT)
    if not (authorisation or "").strip():
        raise ServiceError(_("代办须记录申请人的授权"), fields={"authorisation": _("必填")})
    checked = None
    if authorisation_file is not None:
        data_bytes, ctype, ext = inspect_file(authorisation_file, "authorisation_file")
        checked = [(AUTHORISATION_CODE, authorisation_file, data_bytes, ctype, ext)]
    case = file_case(item=item, applicant=applicant, channel="agency", materials=materials, actor=agent,
                     authorisation=authorisation.strip(), data=data)
    if checked:
        store_uploads(case, agent, checked)
    return case


def _snapshot(p: Project) -> dict:
    return {"code": p.code, "name": p.name, "investor": p.investor, "investment": str(p.investment),
            "level": p.level, "region": p.region_id, "agent": p.agent.username if p.agent_id else None}


def check_agent(agent: User | None) -> None:
    if agent is not None and agent.role != Role.AGENT:
        raise ServiceError(_("全程代办员须为代办员角色"), fields={"agent": _("须为代办员")})


def can_register_projects(user: User) -> bool:
    return has_role(user, Role.ADMIN, Role.SUPERVISOR)


def clean_project(*, code: str, name: str, investor: str, investment, level: str, region: str) -> dict:
    """The project's fields checked and cleaned; ServiceError naming every bad field. Writes nothing
    (the admin form runs it to show field errors before saving)."""
    fields = {}
    code = (code or "").strip()
    if not re.match(PROJECT_CODE_RE, code):
        fields["code"] = _("项目代码格式应为 2026-341300-xx-xx-xxxxxx")
    if not (name or "").strip():
        fields["name"] = _("必填")
    if not (investor or "").strip():
        fields["investor"] = _("必填")
    try:
        amount = Decimal(str(investment))
        if amount <= 0 or amount.as_tuple().exponent < -2:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        fields["investment"] = _("应为正数（万元，至多两位小数）")
        amount = None
    if level not in ProjectLevel.values:
        fields["level"] = _("应为 city 或 county")
    reg = Region.objects.filter(code=region).first()
    if reg is None:
        fields["region"] = _("未知区划")
    if fields:
        raise ServiceError(_("项目信息有误"), fields=fields)
    return {"code": code, "name": name.strip(), "investor": investor.strip(), "investment": amount,
            "level": level, "region": reg}


@transaction.atomic
def create_project(*, code: str, name: str, investor: str, investment, level: str, region: str, actor: User,
                   agent: User | None = None) -> Project:
    """Register a major project (administrators and supervisors)."""
    _require(actor, Role.ADMIN, Role.SUPERVISOR)
    values = clean_project(code=code, name=name, investor=investor, investment=investment, level=level,
                           region=region)
    code = values["code"]
    check_agent(agent)
    if Project.objects.filter(code=code).exists():
        raise Conflict(_("项目代码 %(code)s 已存在") % {"code": code}, fields={"code": _("已存在")})
    try:
        with transaction.atomic():
            p = Project.objects.create(**values, agent=agent)
    except IntegrityError:
        raise Conflict(_("项目代码 %(code)s 已存在") % {"code": code}, fields={"code": _("已存在")}) from None
    record(actor=actor, action="project.create", obj_type="project", obj_id=p.code, after=_snapshot(p))
    return p


@transaction.atomic
def assign_agent(project: Project | str, agent: User, actor: User) -> Project:
    """Name the project's full-service agent (全程代办员)."""
    _require(actor, Role.ADMIN, Role.SUPERVISOR)
    code = project.code if isinstance(project, Project) else project
    p = Project.objects.select_for_update().filter(code=code).first()
    if p is None:
        raise NotFound(_("项目 %(code)s 不存在") % {"code": code})
    check_agent(agent)
    before = _snapshot(p)
    p.agent = agent
    p.save(update_fields=["agent"])
    record(actor=actor, action="project.assign_agent", obj_type="project", obj_id=p.code, before=before,
           after=_snapshot(p))
    return p


@transaction.atomic
def link_case(project: Project | str, case_number: str, actor: User) -> ProjectCase:
    """Link a case of any department to the project and put it on the green channel. The project's
    agent links cases in their own scope (filed at their station); the administrator any case."""
    code = project.code if isinstance(project, Project) else project
    p = Project.objects.select_for_update().filter(code=code).first()
    if p is None:
        raise NotFound(_("项目 %(code)s 不存在") % {"code": code})
    if not (is_admin(actor) or (has_role(actor, Role.AGENT) and p.agent_id == actor.pk)):
        raise Forbidden(_("只有项目的全程代办员或管理员可以关联办件"))
    case = cases_visible_to(actor).select_for_update().filter(number=(case_number or "").strip()).first()
    if case is None:
        raise NotFound(_("办件 %(case_number)s 不存在") % {"case_number": case_number}, fields={"case": _("未知办件编号")})
    existing = ProjectCase.objects.filter(case=case).select_related("project").first()
    if existing is not None:
        raise Conflict(_("办件 %(number)s 已关联项目 %(code)s") % {"number": case.number, "code": existing.project.code}, fields={"case": _("已关联")})
    link = ProjectCase.objects.create(project=p, case=case, linked_by=actor)
    was = case.green_channel
    Case.objects.filter(pk=case.pk).update(green_channel=True)
    record(actor=actor, action="project.link_case", obj_type="project", obj_id=p.code,
           after={"case": case.number, "department": case.department_id})
    record(actor=actor, action="case.green_channel", obj_type="case", obj_id=case.number,
           before={"green_channel": was}, after={"green_channel": True, "project": p.code})
    return link
