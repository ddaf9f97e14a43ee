"""Staff pages of the case lifecycle: the intake workbench (/window/), the desk (/desk/),
the case page with its action forms, and the bundle page. Thin: parse, call
`cases.services` or a selector, render. Service errors become a Chinese message on the
page with the matching HTTP status, never a 500."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.access import require_role
from onewindow.accounts.models import Role
from onewindow.core.errors import NotFound, ServiceError
from onewindow.licences.documents import licence_pdf

from . import intake_presenters, services
from . import page_selectors as ps
from .documents import bundle_slip_pdf, inline_file
from .filing import ENTERPRISE_FIELDS, issues_business_licence
from .forms import ACTION_FORMS, ApplicantForm, payload_for
from .models import MaterialStatus, State
from .presenters import bundle_dict, event_label
from .rules import offered_actions
from .selectors import get_bundle_for, get_case_for
from .transitions import TRANSITIONS

STATE_LABELS = dict(State.choices)


def staff_page(*roles):
    """Anonymous → the login page; a role outside `roles` (when given) → 403 (accounts.access)."""
    return require_role(*roles, template="cases/forbidden.html")


# ---------------------------------------------------------------- the window


def _selection(request_data):
    item_code = (request_data.get("item") or "").strip()
    bundle_code = (request_data.get("bundle") or "").strip()
    version = ps.current_version(item_code) if item_code else None
    bundle = ps.bundle_by_code(bundle_code) if bundle_code and not version else None
    return version, bundle


def _checklist(version, bundle, held):
    if version is not None:
        return ps.item_checklist(version, held)
    if bundle is not None:
        return ps.bundle_checklist(bundle, held)
    return []


WORKBENCH_ROWS = 100


def _workbench(request, *, form, version, bundle, provided=(), lookup=None, status=200):
    lookup = lookup or ps.applicant_lookup(form["ident"].value() if form.is_bound else "")
    held = ps.held_licences(lookup["licences"])
    context = {
        "form": form,
        "version": version,
        "bundle": bundle,
        "lookup": lookup,
        "checklist": _checklist(version, bundle, held),
        "provided": set(provided),
        "queue": list(ps.window_queue(request.user)[:WORKBENCH_ROWS]),
        "queue_total": ps.window_queue(request.user).count(),
        "queue_rows": WORKBENCH_ROWS,
        "q": request.GET.get("q", ""),
    }
    context["search_items"], context["search_bundles"] = ps.search_catalogue(context["q"])
    return render(request, "cases/window.html", context, status=status)


def _carried_applicant(request) -> dict:
    """The applicant of the ticket called at the window (queue terminal → /window/?ident=…&phone=…), kept
    in the session while the clerk picks the item."""
    carried = {k: request.GET[k].strip()[:18] for k in ("ident", "phone") if request.GET.get(k)}
    if carried:
        request.session["window_applicant"] = carried
    return request.session.get("window_applicant", {})


@staff_page(Role.CLERK)
def window(request):
    if request.method != "POST":
        version, bundle = _selection(request.GET)
        if (request.GET.get("item") or request.GET.get("bundle")) and not (version or bundle):
            messages.error(request, _("未找到该事项或一件事，请重新检索"))
        return _workbench(request, form=ApplicantForm(initial=_carried_applicant(request)), version=version,
                          bundle=bundle)

    version, bundle = _selection(request.POST)
    form = ApplicantForm(request.POST)
    provided = request.POST.getlist("materials")
    if version is None and bundle is None:
        messages.error(request, _("请先选择办理的事项"))
        return _workbench(request, form=form, version=None, bundle=None, provided=provided, status=400)
    if not form.is_valid():
        messages.error(request, _("申请人信息有误，请检查标红的项目"))
        return _workbench(request, form=form, version=version, bundle=bundle, provided=provided, status=400)
    try:
        data = None
        if (bundle is not None and bundle.issues_uscc) or (version is not None and issues_business_licence(version)):
            data = {k: request.POST.get(k, "").strip() for k in [*ENTERPRISE_FIELDS, "enterprise_type"]}
        if version is not None:
            case = services.file_case(item=version.item.code, applicant=form.applicant(), channel="window",
                                      materials=provided, actor=request.user, data=data,
                                      **intake_presenters.filing_choices(request.POST))
        else:
            filing = services.file_bundle(bundle=bundle.code, applicant=form.applicant(), channel="window",
                                          materials=provided, actor=request.user, data=data)
    except ServiceError as exc:
        form.add_service_errors(exc.fields)
        messages.error(request, exc.message)
        return _workbench(request, form=form, version=version, bundle=bundle, provided=provided, status=exc.status)
    request.session.pop("window_applicant", None)
    if version is not None:
        messages.success(request, _("已登记办件 %(number)s") % {"number": case.number})
        return redirect("cases:case", number=case.number)
    messages.success(request, _("已登记一件事申请 %(number)s") % {"number": filing.number})
    return redirect("cases:bundle", number=filing.number)


@staff_page(Role.CLERK)
def window_search(request):
    items, bundles = ps.search_catalogue(request.GET.get("q", ""))
    return render(request, "cases/_search_results.html",
                  {"items": items, "bundles": bundles, "q": request.GET.get("q", "")})


@staff_page(Role.CLERK)
def window_checklist(request):
    """htmx: the applicant look-up and the refreshed checklist for the ID number entered."""
    version, bundle = _selection(request.GET)
    ident = (request.GET.get("ident") or "").strip()
    lookup = ps.applicant_lookup(ident)
    held = ps.held_licences(lookup["licences"])
    context = {
        "lookup": lookup,
        "ident": ident,
        "name": request.GET.get("name", ""),
        "version": version,
        "bundle": bundle,
        "checklist": _checklist(version, bundle, held),
        "provided": set(request.GET.getlist("materials")),
        "oob": True,
    }
    return render(request, "cases/_checklist.html", context)


# ---------------------------------------------------------------- the desk


@staff_page(Role.REVIEWER, Role.APPROVER, Role.AGENT, Role.CLERK)
def desk(request):
    paginator = Paginator(ps.desk_list(request.user), 25)
    page = paginator.get_page(request.GET.get("page"))
    try:
        rows = ps.days_left(list(page.object_list))
    except ServiceError as exc:  # today outside the stored calendar
        messages.error(request, exc.message)
        rows = list(page.object_list)
    return render(request, "cases/desk.html", {"page": page, "rows": rows,
                                               "intake_tasks": intake_presenters.desk_tasks(request.user)})


# ---------------------------------------------------------------- the case page


def _visible_actions(case, user) -> list[str]:
    return offered_actions(case, user)


def _case_context(request, case, bound=None):
    parts = ps.case_for_page(case)
    events = parts["events"]
    for e in events:
        e.label = event_label(e.action)
        e.from_label = STATE_LABELS.get(e.from_state, e.from_state)
        e.to_label = STATE_LABELS.get(e.to_state, e.to_state)
    actions = []
    for a in _visible_actions(case, request.user):
        form = bound[1] if bound and bound[0] == a else ACTION_FORMS[a](prefix=None)
        actions.append({"action": a, "label": _(TRANSITIONS[a].label), "form": form})
    return {
        "case": case,
        "materials": parts["materials"],
        "authorisation_files": parts["authorisation_files"],
        "notices": parts["notices"],
        "events": events,
        "actions": actions,
        "lacking": [m for m in parts["materials"] if m.status in (MaterialStatus.MISSING, MaterialStatus.FAULTY)],
        "has_slip": case.accepted_on is not None,
        "has_notice": bool(parts["notices"]),
        "licences": ps.bundle_licences(case.bundle_filing, [case]) if case.bundle_filing_id
        else ps.case_licences(case),
        "intake": intake_presenters.page_context(case),
    }


def _not_found(request, message):
    return render(request, "cases/not_found.html", {"message": message}, status=404)


@staff_page()
def case_page(request, number):
    try:
        case = get_case_for(request.user, number)
    except NotFound as exc:
        return _not_found(request, exc.message)
    return render(request, "cases/case.html", _case_context(request, case))


@staff_page()
def case_file(request, number, upload_id):
    """An uploaded material, inline (PDF or image) for staff in scope; anyone else 404."""
    try:
        case = get_case_for(request.user, number)
    except NotFound as exc:
        return _not_found(request, exc.message)
    up = case.uploads.filter(pk=upload_id).first()
    if up is None:
        return _not_found(request, _("文件不存在或无权查看"))
    return inline_file(up)


@require_POST
@staff_page()
def case_act(request, number, action):
    try:
        case = get_case_for(request.user, number)
    except NotFound as exc:
        return _not_found(request, exc.message)
    if action not in TRANSITIONS:
        return _not_found(request, _("未知操作：%(action)s") % {"action": action})
    form = ACTION_FORMS[action](request.POST)
    valid = form.is_valid()
    if not valid and action in _visible_actions(case, request.user):
        messages.error(request, _("请检查“%(label)s”表单中标红的项目") % {"label": _(TRANSITIONS[action].label)})
        return render(request, "cases/case.html", _case_context(request, case, (action, form)), status=400)
    try:
        services.perform(case.number, action, request.user, payload_for(action, form, request.POST))
    except ServiceError as exc:
        messages.error(request, exc.message)
        case = get_case_for(request.user, number)
        return render(request, "cases/case.html", _case_context(request, case, (action, form)), status=exc.status)
    messages.success(request, _("已完成：%(label)s") % {"label": _(TRANSITIONS[action].label)})
    return redirect(reverse("cases:case", args=[case.number]))


# ---------------------------------------------------------------- bundles


def _bundle_context(request, filing):
    b = bundle_dict(filing, request.user)
    parts = ps.bundle_parts(filing)
    return {"filing": filing, "b": b, "can_accept": ps.bundle_acceptable(parts, request.user),
            "has_slip": any(c.accepted_on for c in parts), "licences": ps.bundle_licences(filing, parts)}


@staff_page()
def bundle_page(request, number):
    try:
        filing = get_bundle_for(request.user, number)
    except NotFound as exc:
        return _not_found(request, exc.message)
    return render(request, "cases/bundle.html", _bundle_context(request, filing))


@require_POST
@staff_page(Role.CLERK)
def bundle_accept(request, number):
    try:
        filing = services.accept_bundle(number, request.user)
    except NotFound as exc:
        return _not_found(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        filing = get_bundle_for(request.user, number)
        return render(request, "cases/bundle.html", _bundle_context(request, filing), status=exc.status)
    messages.success(request, _("已受理一件事 %(number)s，各部门并联办理") % {"number": filing.number})
    return redirect("cases:bundle", number=filing.number)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


@staff_page()
def bundle_slip(request, number):
    try:
        filing = get_bundle_for(request.user, number)
        return _pdf_response(bundle_slip_pdf(filing), f"slip-{filing.number}.pdf")
    except NotFound as exc:
        return _not_found(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("cases:bundle", number=number)


@staff_page()
def licence_file(request, number, licence_id):
    """A licence issued by this case or bundle, as a PDF, for whoever may see the case or bundle."""
    try:
        try:
            source = get_case_for(request.user, number)
            parts = [source]
            if source.bundle_filing_id:  # the 营业执照 of 五证合一 carries the bundle's number
                number = source.bundle_filing.number
        except NotFound:
            source = get_bundle_for(request.user, number)
            parts = ps.bundle_parts(source)
    except NotFound as exc:
        return _not_found(request, exc.message)
    lic = ps.licence_of(licence_id, [number, *(c.number for c in parts)])
    if lic is None:
        return _not_found(request, _("证照不存在或无权查看"))
    return _pdf_response(licence_pdf(lic), f"{lic.number}.pdf")
