"""Portal pages: the front page, the online service hall (applicants) and public tracking."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import Role
from onewindow.cases import selectors as case_selectors
from onewindow.cases.intake_presenters import filing_choices, page_context
from onewindow.cases.models import DONE_STATES, NoticeKind, State
from onewindow.catalog import selectors as catalog_selectors
from onewindow.core.clients import client_address
from onewindow.core.errors import NotFound, ServiceError
from onewindow.licences.selectors import licences_of_holder
from onewindow.ratings.selectors import rating_of

from . import selectors, services, tracking


def home(request):
    """The centre's front page: figures computed from the data, search, entry points."""
    context = {
        "figures": catalog_selectors.centre_figures(),
        "departments": catalog_selectors.departments(),
    }
    return render(request, "portal/home.html", context)


# ---------------------------------------------------------------- online service hall and tracking






def applicant_required(view):
    """Anonymous → login page; staff → 403; applicants pass."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role != Role.APPLICANT:
            raise PermissionDenied(_("网上办事大厅仅供申请人使用"))
        return view(request, *args, **kwargs)

    return wrapper


def _files(request, codes) -> dict:
    return {code: request.FILES.getlist(f"m_{code}") for code in codes if request.FILES.getlist(f"m_{code}")}


@applicant_required
def hall(request):
    user = request.user
    q = request.GET.get("q", "")
    holder = user.uscc if user.applicant_kind == "org" else user.id_number
    context = {
        "q": q,
        "items": selectors.online_items(q),
        "cases": selectors.my_cases(user)[:100],
        "licences": licences_of_holder(holder).select_related("licence_type") if holder else [],
    }
    return render(request, "portal/hall.html", context)


@applicant_required
def apply(request, code):
    try:
        version = selectors.online_item(code)
    except NotFound:
        raise Http404 from None
    materials = list(version.materials.all())
    user = request.user
    error = None
    phone = request.POST.get("phone", user.phone) if request.method == "POST" else user.phone
    if request.method == "POST":
        try:
            case = services.apply_online(user=user, item=code, files=_files(request, [m.code for m in materials]),
                                         phone=phone, data={"note": request.POST.get("note", "")[:500]},
                                         **filing_choices(request.POST))
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, _("申请已提交，办件编号 %(n)s，查询码 %(c)s") % {"n": case.number, "c": case.query_code})
            return redirect("hall-case", number=case.number)
    context = {"version": version, "materials": materials, "phone": phone, "error": error,
               "max_mb": services.max_upload_bytes() // (1024 * 1024)}
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
        "uploads": selectors.uploads_of(case),
        "can_supplement": case.state == State.PENDING_MATERIALS,
        "can_withdraw": case.is_open,
        # upload fields for the materials of the latest one-time notice (告知事项), in its order
        "missing": [{"code": c, "name": by_code[c].name, "note": reasons.get(c, "")} for c in noticed if c in by_code],
        "rating": rating,
        "can_rate": rating is None and case.state in DONE_STATES,
        "error": error,
        "max_mb": services.max_upload_bytes() // (1024 * 1024),
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
    """An uploaded file, byte for byte; only for the owner and staff in scope (else 404)."""
    try:
        up = selectors.visible_upload(request.user, upload_id)
    except NotFound:
        raise Http404 from None
    return FileResponse(up.file.open("rb"), as_attachment=True, filename=up.original_name,
                        content_type=up.content_type)


def track_page(request):
    number = request.GET.get("number", "").strip()
    code = request.GET.get("code", "").strip()
    result, error, status = None, None, 200
    if number or code:
        try:
            result = tracking.lookup(number, code, client_address(request))
        except ServiceError as exc:
            error, status = exc.message, exc.status
    return render(request, "portal/track.html",
                  {"number": number, "code": code, "result": result, "error": error}, status=status)
