"""Agency pages (/agency/): thin: check the role, call a selector or service, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.access import is_admin, require_role
from onewindow.accounts.models import Role
from onewindow.cases import page_selectors
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as case_services
from onewindow.core.errors import NotFound, ServiceError
from onewindow.portal.services import max_upload_bytes
from onewindow.portal.uploads import limits as upload_limits

from . import selectors, services
from .documents import receipt_pdf


@require_role(Role.AGENT)
def dashboard(request):
    """The station dashboard: our cases by state, results awaiting delivery."""
    return render(request, "agency/dashboard.html", selectors.station_dashboard(request.user))


@require_role(Role.AGENT)
def file(request):
    """Filing form: search an item, enter the resident, tick materials, record the authorisation."""
    q = request.GET.get("q", "")
    code = request.GET.get("item") or request.POST.get("item") or ""
    version = page_selectors.current_version(code)
    ctx = {"q": q, "results": page_selectors.search_catalogue(q)[0], "version": version, "errors": {},
           "values": {}, "provided": [], "max_mb": max_upload_bytes() // (1024 * 1024),
           "upload_limits": upload_limits()}
    if version is not None:
        ctx["materials"] = list(version.materials.all())
    if request.method == "POST":
        if version is None:
            ctx["errors"] = {"item": _("请先选择事项")}
        else:
            v = request.POST
            applicant = {"kind": v.get("kind", "person"), "name": v.get("name", ""), "phone": v.get("phone", "")}
            if applicant["kind"] == "org":
                applicant["uscc"] = v.get("id_number", "")
            else:
                applicant["id_number"] = v.get("id_number", "")
            provided = v.getlist("materials")
            try:
                auth_file = request.FILES.get("authorisation_file")
                if auth_file is None:
                    raise ServiceError(_("请上传申请人签署的授权委托书"),
                                       fields={"authorisation_file": _("授权委托书必传（PDF、JPG 或 PNG）")})
                case = services.file_for_resident(agent=request.user, item=version.item.code, applicant=applicant,
                                                  materials=provided, authorisation=v.get("authorisation", ""),
                                                  authorisation_file=auth_file)
            except ServiceError as exc:
                ctx.update(errors=exc.fields or {"__all__": exc.message}, message=exc.message, values=v,
                           provided=provided)
                return render(request, "agency/file.html", ctx, status=400)
            messages.success(request, _("已代为提交，办件编号 %(n)s，查询码 %(c)s；请打印代办回执交申请人") % {"n": case.number, "c": case.query_code})
            return redirect("agency:case", number=case.number)
    return render(request, "agency/file.html", ctx)


@require_role(Role.AGENT)
def case(request, number):
    """One case filed at the station: its number, query code, the 代办回执 to print."""
    try:
        c = case_selectors.get_case_for(request.user, number)
    except NotFound:
        raise Http404 from None
    return render(request, "agency/case.html", {"case": c})


@require_role(Role.AGENT)
def receipt(request, number):
    """The 代办回执 (PDF): number, query code, QR to the tracking page, what was handed in."""
    try:
        c = case_selectors.get_case_for(request.user, number)
    except NotFound:
        raise Http404 from None
    resp = HttpResponse(receipt_pdf(c), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="receipt-{c.number}.pdf"'
    return resp


@require_POST
@require_role(Role.AGENT)
def deliver(request, number):
    try:
        case_services.perform(number, "deliver", request.user, {"method": "window"})
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("办件 %(n)s 已送达申请人") % {"n": number})
    return redirect("agency:dashboard")


@require_role(Role.SUPERVISOR, Role.ADMIN)
def network(request):
    return render(request, "agency/network.html", selectors.network_volume(request.user))


@require_role(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
def projects(request):
    return render(request, "agency/projects.html", {"projects": selectors.projects_visible_to(request.user)})


@require_role(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
def project(request, code):
    try:
        p = selectors.get_project_for(request.user, code)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            services.link_case(p, request.POST.get("case", ""), request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已关联办件并纳入绿色通道"))
        return redirect("agency:project", code=p.code)
    can_link = is_admin(request.user) or p.agent_id == request.user.pk
    return render(request, "agency/project.html", {
        "project": p, "cases": selectors.project_cases(p), "timeline": selectors.timeline_rows(p),
        "can_link": can_link,
    })
