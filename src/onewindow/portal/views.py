"""Portal pages: the front page, the online service hall (applicants) and public tracking."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from onewindow.accounts.access import require_role
from onewindow.accounts.models import Role
from onewindow.cases import selectors as case_selectors
from onewindow.cases.documents import inline_file
from onewindow.cases.intake_presenters import filing_choices, page_context
from onewindow.cases.models import DONE_STATES, NoticeKind, State
from onewindow.catalog import selectors as catalog_selectors
from onewindow.core.clients import client_address
from onewindow.core.errors import NotFound, ServiceError
from onewindow.core.pagination import paginate
from onewindow.ratings.selectors import rating_of

from . import selectors, services, staging, tracking
from .uploads import limits as upload_limits


def home(request):
    """The centre's front page: figures computed from the data, search, entry points."""
    context = {
        "figures": catalog_selectors.centre_figures(),
        "departments": catalog_selectors.departments(),
        "theme_groups": catalog_selectors.theme_groups(),
    }
    return render(request, "portal/home.html", context)


# ---------------------------------------------------------------- online service hall and tracking






# Anonymous → login page; staff → 403; applicants pass.
applicant_required = require_role(Role.APPLICANT, message=_l("网上办事大厅仅供申请人使用"))


def _files(request, codes) -> dict:
    return {code: request.FILES.getlist(f"m_{code}") for code in codes if request.FILES.getlist(f"m_{code}")}


def _page(qs, number, size):
    """One page of `qs`; a page number that is not one gives the first page."""
    try:
        return paginate(qs, number, page_size=size)
    except ServiceError:
        return paginate(qs, 1, page_size=size)


@applicant_required
def hall(request):
    user = request.user
    q = request.GET.get("q", "")
    holder = user.uscc if user.applicant_kind == "org" else user.id_number
    items = _page(selectors.online_items(q, limit=None), request.GET.get("page"), 10)
    cases = _page(selectors.my_cases(user), request.GET.get("cases"), 10)
    context = {
        "q": q,
        "query": urlencode({"q": q, "cases": cases.page} if q else {"cases": cases.page}),
        "cases_query": urlencode({"q": q, "page": items.page} if q else {"page": items.page}),
        "items": items,
        "cases": cases,
        "licences": selectors.my_licences(user, holder),
    }
    return render(request, "portal/hall.html", context)


ENTERPRISE_KEYS = ("enterprise_name", "enterprise_type", "legal_representative", "registered_capital", "address")


@applicant_required
def apply(request, code):
    """The online application form: each material uploaded, or 免提交 when the applicant holds the
    e-licence that covers it. A refused file returns the form with the files that passed kept."""
    try:
        version = selectors.online_item(code)
    except NotFound:
        raise Http404 from None
    user = request.user
    materials = selectors.apply_materials(version, user)
    codes = {m.code for m in materials}
    error = None
    phone = request.POST.get("phone", user.phone) if request.method == "POST" else user.phone
    enterprise = version.licence_type_id is not None and version.licence_type.code == "YYZZ"
    kept = staging.kept(request.session, request.POST.getlist("kept"), codes) if request.method == "POST" else []
    if request.method == "POST":
        new = _files(request, codes)
        # a new upload for a material replaces what was kept for it
        replaced = [k["token"] for k in kept if k["code"] in new]
        kept = [k for k in kept if k["code"] not in new]
        good, refused = services.sort_files(new)
        data = {"note": request.POST.get("note", "")[:500]}
        if enterprise:
            data.update({k: request.POST.get(k, "").strip() for k in ENTERPRISE_KEYS})
        try:
            if refused:
                raise ServiceError(_("有文件未通过检查，请重新选择标出的文件；其他文件已保留"), fields=refused)
            files = staging.as_files(kept)
            for c, f, *_rest in good:
                files.setdefault(c, []).append(f)
            for fs in files.values():
                for f in fs:
                    f.seek(0)
            case = services.apply_online(user=user, item=code, files=files, phone=phone, data=data,
                                         **filing_choices(request.POST))
        except ServiceError as exc:
            error = exc
            staging.discard(request.session, replaced)
            kept = kept + staging.stage(request.session, good)
        else:
            staging.discard(request.session, [k["token"] for k in kept] + replaced)
            messages.success(request, _("申请已提交，办件编号 %(n)s，查询码 %(c)s") % {"n": case.number, "c": case.query_code})
            return redirect("hall-case", number=case.number)
    kept_codes = {k["code"] for k in kept}
    for m in materials:
        m.kept = [k for k in kept if k["code"] == m.code]
        m.error = (error.fields.get(f"m_{m.code}") if error else None)
    context = {"version": version, "materials": materials, "phone": phone, "error": error, "enterprise": enterprise,
               "post": request.POST if request.method == "POST" else {}, "kept_codes": kept_codes,
               "max_mb": services.max_upload_bytes() // (1024 * 1024), "upload_limits": upload_limits()}
    return render(request, "portal/apply.html", context, status=400 if error else 200)


def _case_or_404(user, number):
    try:
        return case_selectors.get_case_for(user, number)
    except NotFound:
        raise Http404 from None


@applicant_required
def case_detail(request, number, error=None, status=200):
    case = _case_or_404(request.user, number)
    notice = case.notices.order_by("-issued_at", "-id").first()
    one_time = case.notices.filter(kind=NoticeKind.NOTICE).order_by("-seq").first()
    noticed = [i.get("code") for i in (one_time.items if one_time else [])]
    by_code = {m.code: m for m in case.materials.all()}
    reasons = {i.get("code"): i.get("reason", "") for i in (one_time.items if one_time else [])}
    rating = rating_of(case)
    context = {
        "case": case,
        "events": case_selectors.case_events(case),
        "materials": case.materials.all(),
        "notice": notice,
        "uploads": selectors.uploads_named(case, by_code),
        "licences": selectors.case_licences(case) if case.state in DONE_STATES else [],
        "can_supplement": case.state == State.PENDING_MATERIALS,
        "can_withdraw": case.is_open,
        # upload fields for the materials of the latest one-time notice (告知事项), in its order
        "missing": [{"code": c, "name": by_code[c].name, "note": reasons.get(c, "")} for c in noticed if c in by_code],
        "rating": rating,
        "can_rate": rating is None and case.state in DONE_STATES,
        "error": error,
        "max_mb": services.max_upload_bytes() // (1024 * 1024),
        "upload_limits": upload_limits(),
        "intake": page_context(case),
    }
    return render(request, "portal/case.html", context, status=status)


@require_POST
@applicant_required
def supplement(request, number):
    case = _case_or_404(request.user, number)
    try:
        services.supplement_online(user=request.user, number=case.number,
                                   files=_files(request, [m.code for m in case.materials.all()]))
    except ServiceError as exc:
        return case_detail(request, number, error=exc, status=exc.status)
    messages.success(request, _("补正材料已提交"))
    return redirect("hall-case", number=case.number)


@require_POST
@applicant_required
def withdraw(request, number):
    case = _case_or_404(request.user, number)
    try:
        services.withdraw_online(user=request.user, number=case.number, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        return case_detail(request, number, error=exc, status=exc.status)
    messages.success(request, _("申请已撤回"))
    return redirect("hall-case", number=case.number)


@login_required
def download(request, upload_id):
    """An uploaded file, byte for byte and inline; only for the owner and staff in scope (else 404)."""
    try:
        up = selectors.visible_upload(request.user, upload_id)
    except NotFound:
        raise Http404 from None
    return inline_file(up)


def _for_people(result: dict) -> dict:
    """The tracking result with its ISO times and dates as datetime/date objects, so the template
    shows them in local time, formatted for people (Y-m-d H:i), not as `2026-12-02T11:55+08:00`."""
    import copy
    from datetime import date, datetime

    result = copy.deepcopy(result)  # the answer may be the cached one: never change it in place

    def when(value, kind):
        return kind.fromisoformat(value) if value else None

    for part in [result, *result["cases"]]:
        for step in part["steps"]:
            step["at"] = when(step["at"], datetime)
        part["due_date"] = when(part.get("due_date"), date)
        part["concluded_on"] = when(part.get("concluded_on"), date)
    return result


def track_page(request):
    number = request.GET.get("number", "").strip()
    code = request.GET.get("code", "").strip()
    result, error, status = None, None, 200
    if number or code:
        try:
            result = _for_people(tracking.lookup(number, code, client_address(request)))
        except ServiceError as exc:
            error, status = exc.message, exc.status
    return render(request, "portal/track.html",
                  {"number": number, "code": code, "result": result, "error": error}, status=status)
