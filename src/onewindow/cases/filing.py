"""Filing: one case of one item, or a bundle (一件事) of several, with the applicant checked, the
receiving site chosen, the number drawn and the materials listed. One transaction each."""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import Role, User
from onewindow.audit.services import record
from onewindow.catalog.models import Bundle, ItemVersion, Material, VersionStatus
from onewindow.catalog.selectors import current_versions
from onewindow.core.errors import Forbidden, NotFound, ServiceError
from onewindow.core.precompiled import Precompiled, insert
from onewindow.core.text import check_data, strip_invisible, text_problem
from onewindow.licences import services as licences
from onewindow.licences.identifiers import validate_id_number, validate_uscc
from onewindow.licences.models import EnterpriseType
from onewindow.licences.selectors import licences_held
from onewindow.regions.models import Site, SiteKind, SiteLevel

from . import intake_modes, numbering
from .models import (
    ApplicantKind,
    BundleFiling,
    Case,
    CaseMaterial,
    Channel,
    MaterialStatus,
    State,
)
from .recording import announce, append_event, snapshot

BUSINESS_LICENCE = "YYZZ"  # 营业执照: issued by 企业设立登记 (五证合一) to the enterprise it registers
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def _validate_applicant(applicant: dict) -> dict:
    if not isinstance(applicant, dict):
        raise ServiceError(_("申请人信息缺失"), fields={"applicant": _("必填")})
    kind = applicant.get("kind")
    name = strip_invisible(str(applicant.get("name") or ""))
    phone = str(applicant.get("phone") or "").strip()
    fields = {}
    if kind not in ApplicantKind.values:
        fields["applicant.kind"] = _("应为 person（自然人）或 org（法人）")
    if not name:
        fields["applicant.name"] = _("申请人名称必填")
    elif len(name) > 100:
        fields["applicant.name"] = _("申请人名称过长")
    elif text_problem(name):
        fields["applicant.name"] = text_problem(name)
    if phone and not PHONE_RE.match(phone):
        fields["applicant.phone"] = _("联系电话格式不正确")
    if fields:
        raise ServiceError(_("申请人信息有误"), fields=fields)
    try:
        if kind == ApplicantKind.PERSON:
            ident = validate_id_number(applicant.get("id_number") or "")
        else:
            ident = validate_uscc(applicant.get("uscc") or "")
    except ServiceError as exc:
        raise ServiceError(exc.message, fields={f"applicant.{k}": v for k, v in exc.fields.items()}) from None
    return {"kind": kind, "name": name, "id": ident, "phone": phone}


def _check_self_filing(actor: User, person: dict) -> None:
    """An applicant files online only in their own name (their ID number or credit code)."""
    if getattr(actor, "role", None) != Role.APPLICANT:
        return
    own = actor.id_number if person["kind"] == ApplicantKind.PERSON else actor.uscc
    if not own or own.upper() != person["id"]:
        raise Forbidden(_("网上申请只能以本人（本单位）名义提交；代他人办理请到窗口或代办点"),
                        fields={"applicant.id_number" if person["kind"] == ApplicantKind.PERSON else "applicant.uscc":
                                _("与登录账号的证件号码不一致")})


def _receiving_site(actor: User, channel: str, version: ItemVersion, site: Site | None) -> Site:
    if channel in (Channel.WINDOW, Channel.AGENCY):
        s = site or getattr(actor, "site", None)
        if s is None:
            raise ServiceError(_("当前用户未配置服务场所，无法受理"), fields={"site": _("必填")})
        return s
    dept_region = version.item.department.region_id
    s = (
        Site.objects.filter(kind=SiteKind.CENTRE, region_id=dept_region).first()
        or Site.objects.filter(kind=SiteKind.CENTRE, level=SiteLevel.CITY).first()
    )
    if s is None:
        raise ServiceError(_("未配置政务服务中心，无法接收网上申请"), code="not_configured")
    return s


def _check_channel(actor: User, channel: str) -> None:
    if channel not in Channel.values:
        raise ServiceError(_("申请渠道无效"), fields={"channel": _("应为 window、online 或 agency")})
    allowed = {Role.APPLICANT: {Channel.ONLINE}, Role.CLERK: {Channel.WINDOW}, Role.AGENT: {Channel.AGENCY}}
    role = getattr(actor, "role", None)
    if role not in allowed:
        raise Forbidden(_("当前角色不能提交申请"))
    if channel not in allowed[role]:
        raise ServiceError(_("当前角色不能使用该渠道提交"), fields={"channel": _("应为 %(channel)s") % {"channel": next(iter(allowed[role]))}})


# The two catalogue reads of every filing, compiled once (core.precompiled): the item's current
# published version (with item, department, licence type) and its materials.
_VERSION = Precompiled(ItemVersion)
_MATERIALS = Precompiled(Material, lambda version_id: Material.objects.filter(version_id=version_id)
                         .select_related("licence_type"))


def _resolve_version(item_code: str) -> ItemVersion:
    rows = _VERSION.run((), [VersionStatus.PUBLISHED, item_code],
                        lambda: current_versions().filter(item__code=item_code)[:1])
    version = rows[0] if rows else None
    if version is None:
        raise NotFound(_("事项 %(item_code)s 不存在或未发布") % {"item_code": item_code}, fields={"item": _("未知事项编码")})
    return version


def _require_complete(rows: list[CaseMaterial], waived=frozenset()) -> None:
    """Online, as at the window: every required material uploaded, covered by the applicant's
    e-licence (免提交), issued by the bundle itself or replaced by a commitment (告知承诺, `waived`);
    otherwise nothing is filed."""
    lacking = [r for r in rows if r.required and r.status == MaterialStatus.MISSING and r.code not in waived]
    if lacking:
        raise ServiceError(
            _("申请材料不齐全，请上传：%(materials)s") % {"materials": _("、").join(r.name for r in lacking)},
            code="materials_incomplete",
            fields={f"m_{r.code}": _("必要材料，请上传") for r in lacking},
        )


def _material_rows(version: ItemVersion, provided: list[str], holder_id: str,
                   awaiting=frozenset()) -> list[CaseMaterial]:
    """One row per material of the item: provided, covered by a licence the holder has (免提交),
    awaiting a licence type in `awaiting` (issued by another part of the same bundle), or missing."""

    if provided is None:
        provided = []
    if not isinstance(provided, list | tuple) or not all(isinstance(c, str) for c in provided):
        raise ServiceError(_("材料列表格式有误"), fields={"materials": _("应为材料编码列表")})
    materials = _MATERIALS.all(version.pk)
    known = {m.code for m in materials}
    unknown = sorted(set(provided) - known)
    if unknown:
        raise ServiceError(
            _("未知材料编码：%(unknown)s") % {"unknown": _("、").join(unknown)}, fields={"materials": _("事项没有这些材料：%(unknown)s") % {"unknown": ', '.join(unknown)}}
        )
    held = {}
    if any(m.licence_type_id for m in materials):
        for lic in licences_held(holder_id):
            held.setdefault(lic.licence_type.code, lic.number)
    rows = []
    for m in materials:
        if m.code in provided:
            status, number = MaterialStatus.PROVIDED, ""
        elif m.licence_type_id and m.licence_type.code in held:
            status, number = MaterialStatus.LICENCE, held[m.licence_type.code]
        elif m.licence_type_id and m.licence_type.code in awaiting:
            status, number = MaterialStatus.AWAITING, ""
        else:
            status, number = MaterialStatus.MISSING, ""
        rows.append(CaseMaterial(code=m.code, name=m.name, required=m.required, status=status, licence_number=number))
    return rows




def _create_case(*, version, applicant, channel, materials, actor: User, site, data, authorisation, green_channel,
                 bundle_filing=None, number=None, now=None, awaiting=frozenset(), waived=frozenset()) -> Case:
    now = now or timezone.now()
    rows = _material_rows(version, materials, applicant["id"], awaiting=awaiting)
    if channel == Channel.ONLINE:
        _require_complete(rows, waived)
    # The number is drawn after the case, its materials and its first event are written (under a
    # placeholder no one outside this transaction sees), so the (region, day) sequence row stays locked
    # for the fewest statements: the number, the announcement, the audit entry, the commit.
    draw = number is None
    user = actor if getattr(actor, "role", None) == Role.APPLICANT else None
    case = Case(
        number=numbering.placeholder() if draw else number,
        query_code=numbering.new_query_code(),
        item=version.item,
        item_version=version,
        department=version.item.department,
        bundle_filing=bundle_filing,
        applicant_kind=applicant["kind"],
        applicant_name=applicant["name"],
        applicant_id=applicant["id"],
        applicant_phone=applicant["phone"],
        applicant_user=user,
        channel=channel,
        site=site,
        region_code=site.region_id,
        window=getattr(actor, "window", None) if channel == Channel.WINDOW else None,
        filed_by=actor if getattr(actor, "pk", None) else None,
        authorisation=authorisation or "",
        green_channel=green_channel,
        state=State.SUBMITTED,
        submitted_at=now,
        committed_days=version.committed_days,
        statutory_days=version.statutory_days,
        data=data or {},
    )
    insert([case])  # Case.objects.create with the INSERT compiled once (core.precompiled)
    for r in rows:
        r.case = case
    insert(rows, signals=False)  # bulk_create: one multi-row INSERT
    append_event(
        case, "file", actor, to_state=State.SUBMITTED, first=True,
        data={"channel": channel, "provided": sorted(materials or []),
              "licence": sorted(r.code for r in rows if r.status == MaterialStatus.LICENCE)},
    )
    if draw:
        case.number = numbering.number_case(case.pk, site.region_id, timezone.localtime(now).date())
    announce(case, "file", actor)  # before the audit entry: the chain's head stays locked for fewer statements
    record(actor=actor, action="case.file", obj_type="case", obj_id=case.number, after=snapshot(case),
           site_code=site.code)
    return case


@transaction.atomic
def file_case(*, item: str, applicant: dict, channel: str, materials: list[str] | None = None, actor: User,
              site: Site | None = None, data: dict | None = None, authorisation: str = "",
              green_channel: bool = False, commitment: bool = False, delivery: dict | None = None) -> Case:
    """File one application (一号申请). Bad input raises before anything is written.

    `commitment` files under 告知承诺制 (the item must allow it); `delivery` is the result delivery the
    applicant chooses ({"method", "address", …}; see cases.intake_modes)."""
    _check_channel(actor, channel)
    if channel == Channel.AGENCY and not (authorisation or "").strip():
        raise ServiceError(_("代办须记录申请人的授权"), fields={"authorisation": _("必填")})
    data = check_data(data)
    version = _resolve_version(item)
    person = _validate_applicant(applicant)
    _check_self_filing(actor, person)
    if issues_business_licence(version):
        data = _enterprise_data(data)  # the licence goes to the enterprise named here, not the applicant
    intake_modes.check_filing(version, person["id"], commitment=commitment, delivery=delivery)
    recv = _receiving_site(actor, channel, version, site)
    case = _create_case(version=version, applicant=person, channel=channel, materials=materials or [],
                        actor=actor, site=recv, data=data, authorisation=authorisation, green_channel=green_channel,
                        waived=intake_modes.commitment_codes(version) if commitment else frozenset())
    intake_modes.on_filed(case, version, commitment=commitment, delivery=delivery)
    return case


def issues_business_licence(version: ItemVersion) -> bool:
    return bool(version.licence_type_id) and version.licence_type.code == BUSINESS_LICENCE


def bundle_products(versions, bundle: Bundle) -> set[str]:
    """Licence types the bundle itself issues, new to the applicant: its items' results (and the
    营业执照 of 五证合一), except a type the issuing item itself asks for — 不动产转移登记 asks for the
    existing 不动产权证书 and issues a new one, so the parts that need the certificate need the old one."""
    produced = {v.pk: v.licence_type.code for v in versions if v.licence_type_id}
    consumed = set(Material.objects.filter(version_id__in=produced, licence_type__isnull=False)
                   .values_list("version_id", "licence_type__code"))
    products = {code for pk, code in produced.items() if (pk, code) not in consumed}
    if bundle.issues_uscc:
        products.add(BUSINESS_LICENCE)
    return products


def bundle_materials(bundle: Bundle) -> list[dict]:
    """The bundle's materials asked once: the same licence type or the same name is one material.
    A licence the bundle itself issues (出生医学证明 for 出生登记, 营业执照 for 印章刻制 …) is not asked
    from the applicant: its entry says `issued_in_bundle` and is not required.

    Returns [{"key", "name", "required", "issued_in_bundle", "items": [(item code, material code), …]}].
    """
    shared: dict[str, dict] = {}
    versions = []
    for bi in bundle.bundle_items.select_related("item").order_by("order"):
        version = bi.item.versions.filter(is_current=True).select_related("licence_type").first()
        if version is None:
            continue
        versions.append(version)
        for m in version.materials.select_related("licence_type"):
            key = f"L:{m.licence_type.code}" if m.licence_type_id else f"N:{m.name.strip()}"
            entry = shared.setdefault(key, {"key": key, "name": m.name, "required": False, "items": []})
            entry["required"] = entry["required"] or m.required
            entry["items"].append((bi.item.code, m.code))
    products = bundle_products(versions, bundle)
    for entry in shared.values():
        entry["issued_in_bundle"] = entry["key"].startswith("L:") and entry["key"][2:] in products
        if entry["issued_in_bundle"]:
            entry["required"] = False
    return list(shared.values())


ENTERPRISE_FIELDS = {
    "enterprise_name": gettext_lazy("企业名称"),
    "legal_representative": gettext_lazy("法定代表人"),
    "registered_capital": gettext_lazy("注册资本（万元）"),
    "address": gettext_lazy("住所"),
}


def _enterprise_data(data) -> dict:
    """The registration data a 五证合一 bundle needs, checked at filing rather than at conclusion."""
    data = dict(data or {})
    fields = {f"data.{k}": _("%(label)s必填") % {"label": label} for k, label in ENTERPRISE_FIELDS.items() if not str(data.get(k) or "").strip()}
    # Checked and stored the way licences.register_enterprise reads them at conclusion, so a filed
    # bundle can always be concluded.
    for key, parse in (("registered_capital", licences.parse_capital), ("enterprise_type", licences.enterprise_type_of)):
        if f"data.{key}" in fields:
            continue
        try:
            data[key] = str(parse(data.get(key) or (EnterpriseType.LLC if key == "enterprise_type" else "")))
        except ServiceError as exc:
            fields[f"data.{key}"] = exc.fields[key]
    if fields:
        raise ServiceError(_("开办企业须填写企业登记信息"), fields=fields)
    return data


@transaction.atomic
def file_bundle(*, bundle: str, applicant: dict, channel: str, materials: list[str] | None = None, actor: User,
                site: Site | None = None, data: dict | None = None, authorisation: str = "") -> BundleFiling:
    """File a 一件事: one child case per item, shared materials given once (keys of bundle_materials)."""
    _check_channel(actor, channel)
    b = Bundle.objects.filter(code=bundle).select_related("lead_department").first()
    if b is None:
        raise NotFound(_("一件事 %(bundle)s 不存在") % {"bundle": bundle}, fields={"bundle": _("未知编码")})
    data = check_data(data)
    person = _validate_applicant(applicant)
    _check_self_filing(actor, person)
    shared = bundle_materials(b)
    keys = {e["key"] for e in shared}
    given = set(materials or [])
    unknown = sorted(given - keys)
    if unknown:
        raise ServiceError(_("未知材料：%(unknown)s") % {"unknown": _("、").join(unknown)}, fields={"materials": _("不属于该一件事")})
    # what the bundle itself issues cannot be handed in: it is awaited (a tick for it is not a licence)
    given -= {e["key"] for e in shared if e["issued_in_bundle"]}
    if b.issues_uscc:
        data = _enterprise_data(data)
    versions = []
    for bi in b.bundle_items.select_related("item").order_by("order"):
        versions.append(_resolve_version(bi.item.code))
    lead = versions[0]
    recv = _receiving_site(actor, channel, lead, site)
    now = timezone.now()
    filing = BundleFiling.objects.create(
        number=numbering.next_number(recv.region_id, timezone.localtime(now).date()),
        query_code=numbering.new_query_code(),
        bundle=b, applicant_kind=person["kind"], applicant_name=person["name"], applicant_id=person["id"],
        applicant_phone=person["phone"], applicant_user=actor if actor.role == Role.APPLICANT else None,
        channel=channel, site=recv, data=data or {},
    )
    provided_by_item: dict[str, list[str]] = {}
    for e in shared:
        if e["key"] in given:
            for item_code, mat_code in e["items"]:
                provided_by_item.setdefault(item_code, []).append(mat_code)
    products = bundle_products(versions, b)
    for v in versions:
        own = {v.licence_type.code} if v.licence_type_id else set()
        _create_case(version=v, applicant=person, channel=channel, materials=provided_by_item.get(v.item.code, []),
                     actor=actor, site=recv, data=data, authorisation=authorisation, green_channel=False,
                     bundle_filing=filing, now=now, awaiting=frozenset(products - own))
    record(actor=actor, action="bundle.file", obj_type="bundle_filing", obj_id=filing.number,
           after={"bundle": b.code, "cases": len(versions)}, site_code=recv.code)
    return filing
