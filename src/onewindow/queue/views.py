"""The hall's pages: kiosk, display board, follow-on-phone, window terminal, on-site rating,
appointments and the window monitor. Thin: parse, call a service or selector, render.
Service errors become a Chinese message with the matching status, never a 500."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import Role
from onewindow.cases.documents import public_url, qr_data_uri
from onewindow.cases.views import staff_page
from onewindow.core.errors import NotFound, ServiceError
from onewindow.ratings.models import WINDOW_DIMENSIONS, Level
from onewindow.ratings.services import rate_case
from onewindow.regions.models import Site

from . import appointments as appt
from . import rules, selectors, services
from .models import Appointment, Priority, Ticket, TicketState
from .tickets import get_site, waiting_before

SALT = "onewindow.queue.follow"
WINDOW_OPS = {"pause": "paused", "resume": "open", "close": "closed", "open": "open"}


def _site_or_404(code):
    try:
        return get_site(code)
    except NotFound:
        raise Http404 from None


def follow_token(ticket) -> str:
    return signing.dumps(ticket.pk, salt=SALT)


def _ticket_by_token(token) -> Ticket:
    try:
        pk = signing.loads(token, salt=SALT, max_age=60 * 60 * 24 * 2)
    except signing.BadSignature:
        raise Http404 from None
    ticket = Ticket.objects.select_related("queue", "site", "window").filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


# ---------------------------------------------------------------- kiosk


def kiosk(request, site):
    site_obj = _site_or_404(site)
    q = (request.GET.get("q") or "").strip()
    context = {"site": site_obj, "queues": selectors.queues_of(site_obj), "q": q,
               "matches": selectors.queues_for_item(site_obj, q) if q else [],
               "priorities": [(Priority.ELDERLY, Priority.ELDERLY.label), (Priority.DISABLED, Priority.DISABLED.label),
                              (Priority.GREEN, Priority.GREEN.label)]}
    if request.method != "POST":
        return render(request, "queue/kiosk.html", context)
    actor = request.user if request.user.is_authenticated else None
    try:
        if request.POST.get("appointment"):
            ticket = services.check_in(site=site_obj.code, code=request.POST["appointment"], actor=actor)
        else:
            ticket = services.issue(site=site_obj.code, queue=request.POST.get("queue", ""),
                                    id_number=request.POST.get("id_number"), phone=request.POST.get("phone"),
                                    priority=request.POST.get("priority") or None, actor=actor)
    except ServiceError as exc:
        messages.error(request, exc.message)
        context["errors"] = exc.fields
        return render(request, "queue/kiosk.html", context, status=exc.status)
    return redirect("queue:kiosk_ticket", site=site_obj.code, token=follow_token(ticket))


def kiosk_ticket(request, site, token):
    ticket = _ticket_by_token(token)
    if ticket.site.code != site:
        raise Http404
    follow = public_url() + reverse("queue:follow", args=[token])
    return render(request, "queue/ticket_print.html", {
        "ticket": ticket, "ahead": waiting_before(ticket), "qr": qr_data_uri(follow), "follow": follow,
        "issued": timezone.localtime(ticket.issued_at)})


def follow(request, token):
    ticket = _ticket_by_token(token)
    ahead = waiting_before(ticket) if ticket.state == TicketState.WAITING else None
    template = "queue/_follow.html" if request.htmx else "queue/follow.html"
    return render(request, template, {"ticket": ticket, "ahead": ahead, "token": token})


# ---------------------------------------------------------------- board


def board(request, site):
    site_obj = _site_or_404(site)
    return render(request, "queue/board.html", {"site": site_obj, "board": selectors.board(site_obj.code)})


def board_live(request, site):
    site_obj = _site_or_404(site)
    return render(request, "queue/_board.html", {"site": site_obj, "board": selectors.board(site_obj.code)})


# ---------------------------------------------------------------- window terminal


def _terminal_context(request):
    user = request.user
    ticket = selectors.ticket_for_window(user)
    return {
        "window": user.window, "status": selectors.status_of(user.window_id),
        "ticket": ticket, "links": selectors.window_queues(user.window_id) if user.window_id else [],
        "other_queues": selectors.transfer_targets(ticket) if ticket else [],
        "allowed": services.allowed_actions(ticket.state) if ticket else [],
        "filing_url": selectors.filing_url(ticket) if ticket else "",
        "case": selectors.case_filed_for(ticket, user) if ticket else None,
        "waiting": selectors.waiting_for_window(user.window_id) if user.window_id else 0,
    }


@staff_page(Role.CLERK)
def terminal(request):
    if not request.user.window_id:
        messages.error(request, _("您尚未分配窗口，请联系中心管理员"))
    return render(request, "queue/terminal.html", _terminal_context(request))


@staff_page(Role.CLERK)
@require_POST
def terminal_act(request):
    op = request.POST.get("op", "")
    user = request.user
    try:
        if op == "call":
            ticket = services.call_next(user.window_id or 0, user)
            if ticket is None:
                messages.info(request, _("当前没有等候的号码"))
            else:
                messages.success(request, _("已呼叫 %(number)s") % {"number": ticket.number})
        elif op in WINDOW_OPS:
            services.change_window(user, WINDOW_OPS[op])
        else:
            payload = {k: request.POST.get(k) for k in ("case", "queue") if request.POST.get(k)}
            ticket = services.perform(request.POST.get("ticket", ""), op, user, payload)
            if op == "finish":
                return redirect("queue:terminal")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return render(request, "queue/terminal.html", _terminal_context(request), status=exc.status)
    return redirect("queue:terminal")


@staff_page(Role.CLERK)
def rating(request):
    """The small screen facing the applicant: rates the case of the ticket this window just finished."""
    ticket = selectors.last_done_for_window(request.user)
    context = {"ticket": ticket, "levels": Level.choices, "dimensions": list(WINDOW_DIMENSIONS.items())}
    if request.method == "POST":
        if ticket is None or ticket.case is None:
            messages.error(request, _("没有可评价的办件"))
            return render(request, "queue/rating.html", context, status=409)
        dims = {k: request.POST.get(k) for k in WINDOW_DIMENSIONS if request.POST.get(k)}
        try:
            rate_case(ticket.case.number, request.user, request.POST.get("level"), dims or None,
                      request.POST.get("comment", ""), channel="window")
        except ServiceError as exc:
            messages.error(request, exc.message)
            return render(request, "queue/rating.html", context, status=exc.status)
        context["thanks"] = True
    context["rated"] = bool(ticket and ticket.case_id and hasattr(ticket.case, "rating"))
    return render(request, "queue/rating.html", context)


# ---------------------------------------------------------------- appointments


def appointments_page(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    sites = Site.objects.filter(queues__slot_capacity__gt=0).distinct().order_by("level", "code")[:200]
    site_code = request.GET.get("site") or (sites[0].code if sites else "")
    context = {"sites": sites, "site": site_code, "queue": request.GET.get("queue", ""),
               "date": request.GET.get("date", ""), "mine": [], "slots": None}
    status = 200
    try:
        if site_code:
            context["queues"] = selectors.queues_of(get_site(site_code))
        if request.method == "POST":
            if request.POST.get("cancel"):
                services.cancel(request.user, request.POST["cancel"])
                messages.success(request, _("预约已取消"))
            else:
                a = services.book(request.user, site=request.POST.get("site", ""), queue=request.POST.get("queue", ""),
                                  date=request.POST.get("date", ""), start=request.POST.get("start", ""),
                                  item=request.POST.get("item") or None)
                messages.success(request, _("预约成功，预约码 %(code)s") % {"code": a.code})
            return redirect(request.get_full_path())
        if site_code and context["queue"] and context["date"]:
            context["slots"] = appt.slots(site_code, context["queue"], context["date"])["slots"]
    except ServiceError as exc:
        messages.error(request, exc.message)
        status = exc.status
    if request.user.role == Role.APPLICANT:
        context["mine"] = Appointment.objects.filter(user=request.user).select_related("queue", "site") \
            .order_by("-date", "-start")[:20]
    return render(request, "queue/appointments.html", context, status=status)


# ---------------------------------------------------------------- window monitor (窗口监控)


@staff_page(Role.SUPERVISOR, Role.ADMIN)
def monitor(request):
    sites = selectors.sites_in_scope(request.user)
    ids = [s.pk for s in sites]
    context = {"windows": selectors.windows_of(ids), "queues": selectors.queue_load(ids),
               "alerts": rules.open_alerts(ids), "now": timezone.localtime()}
    template = "queue/_monitor.html" if request.htmx else "queue/monitor.html"
    return render(request, template, context)
