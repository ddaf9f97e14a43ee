"""Agency pages (/agency/): thin: check the role, call a selector or service, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.access import is_admin, require_role
from onewindow.accounts.models import Role
from onewindow.cases import page_selectors
from onewindow.cases import services as case_services
from onewindow.core.errors import NotFound, ServiceError

from . import selectors, services


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
           "values": {}, "provided": []}
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
                case = services.file_for_resident(agent=request.user, item=version.item.code, applicant=applicant,
                                                  materials=provided, authorisation=v.get("authorisation", ""))
            except ServiceError as exc:
                ctx.update(errors=exc.fields or {"__all__": exc.message}, message=exc.message, values=v,
                           provided=provided)
                return render(request, "agency/file.html", ctx, status=400)
            messages.success(request, _("已代为提交，办件编号 %(n)s，查询码 %(c)s") % {"n": case.number, "c": case.query_code})
            return redirect("agency:dashboard")
    return render(request, "agency/file.html", ctx)


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
