"""Reads of the hall: the kiosk's services, the board, the live window status, one ticket. Each a few queries."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.cases.models import Case
from onewindow.catalog.models import ItemVersion
from onewindow.core.errors import Forbidden
from onewindow.regions.models import Site, Window
from onewindow.regions.selectors import region_prefix

from .models import (
    HELD_STATES,
    Queue,
    Ticket,
    TicketEvent,
    TicketState,
    WindowQueue,
    WindowState,
    WindowStatus,
)
from .stats import avg_wait_by_queue
from .tickets import get_site

MONITOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def queues_of(site) -> list[dict]:
    today = timezone.localdate()
    rows = (Queue.objects.filter(site=site, active=True)
            .annotate(waiting=Count("tickets", filter=Q(tickets__day=today, tickets__state=TicketState.WAITING)))
            .order_by("order", "code"))
    return [{"code": q.code, "name": q.name, "prefix": q.prefix, "waiting": q.waiting} for q in rows]


def services(site_code: str) -> list[dict]:
    return queues_of(get_site(site_code))


def board(site_code: str, *, last: int = 8) -> dict:
    site = get_site(site_code)
    today = timezone.localdate()
    now = timezone.now()
    calling = list(Ticket.objects.filter(site=site, day=today, state=TicketState.CALLED).select_related("window")
                   .order_by("-called_at")[:20])
    recent = list(TicketEvent.objects.filter(ticket__site=site, ticket__day=today, action__in=("call", "recall"))
                  .select_related("ticket", "window").order_by("-at", "-id")[:last])
    avg = avg_wait_by_queue([site.pk], today, today)
    queues = [{**q, "avg_wait_minutes": avg.get(q["code"])} for q in queues_of(site)]
    return {
        "site": site.code, "name": site.name, "at": now.isoformat(),
        "calling": [{"number": t.number, "window": t.window.number if t.window else "", "ticket": t.pk,
                     "called_at": t.called_at.isoformat(), "recalls": t.recalls} for t in calling],
        "recent": [{"number": e.ticket.number, "window": e.window.number if e.window else "",
                    "at": e.at.isoformat(), "event": e.pk} for e in recent],
        "queues": queues,
    }


def check_monitor(user) -> None:
    if not (user.is_superuser or getattr(user, "role", None) in MONITOR_ROLES):
        raise Forbidden(_("仅电子监察员和中心管理员可查看窗口监控"))


def site_in_scope(user, site) -> bool:
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return bool(user.region_id) and site.region_id.startswith(region_prefix(user.region_id))


def window_status(user, site_code: str) -> list[dict]:
    """Every window of the site: serving / idle / paused / closed, clerk, ticket held, served today."""
    check_monitor(user)
    site = get_site(site_code)
    if not site_in_scope(user, site):
        raise Forbidden(_("该服务场所不在您的监管范围"))
    return windows_of([site.pk])


def windows_of(site_ids: list[int]) -> list[dict]:
    today = timezone.localdate()
    windows = list(Window.objects.filter(hall__site_id__in=site_ids, queue_links__isnull=False).distinct()
                   .select_related("hall__site").order_by("hall__site__code", "hall_id", "number"))
    ids = [w.pk for w in windows]
    statuses = {s.window_id: s for s in WindowStatus.objects.filter(window_id__in=ids).select_related("clerk")}
    held = {t.window_id: t for t in Ticket.objects.filter(window_id__in=ids, state__in=HELD_STATES)}
    served = dict(Ticket.objects.filter(window_id__in=ids, day=today, state=TicketState.DONE)
                  .values("window_id").annotate(n=Count("id")).values_list("window_id", "n"))
    out = []
    for w in windows:
        st = statuses.get(w.pk)
        t = held.get(w.pk)
        if st is None or st.state == WindowState.CLOSED:
            state = "closed"
        elif t is not None:
            state = "serving"
        elif st.state == WindowState.PAUSED:
            state = "paused"
        else:
            state = "idle"
        out.append({"id": w.pk, "code": w.number, "name": w.name, "site": w.hall.site.code,
                    "site_name": w.hall.site.name, "hall": w.hall.name,
                    "state": state, "ticket": t.number if t else None,
                    "clerk": (str(st.clerk) if st and st.clerk else None), "served_today": served.get(w.pk, 0),
                    "since": st.since.isoformat() if st else None})
    return out


def queue_load(site_ids: list[int]) -> list[dict]:
    """Each queue's waiting count and longest current wait (minutes), one query."""
    today = timezone.localdate()
    now = timezone.now()
    rows = (Queue.objects.filter(site_id__in=site_ids, active=True).select_related("site")
            .annotate(waiting=Count("tickets", filter=Q(tickets__day=today, tickets__state=TicketState.WAITING)),
                      oldest=Min("tickets__queued_at", filter=Q(tickets__day=today,
                                                                tickets__state=TicketState.WAITING)))
            .order_by("site__code", "order", "code"))
    return [{"site": q.site.code, "site_name": q.site.name, "code": q.code, "name": q.name, "waiting": q.waiting,
             "longest_wait_minutes": int((now - q.oldest).total_seconds() // 60) if q.oldest else 0} for q in rows]


def ticket_for_window(user) -> Ticket | None:
    """The ticket the clerk's window holds now (called or serving)."""
    if not getattr(user, "window_id", None):
        return None
    return Ticket.objects.filter(window_id=user.window_id, state__in=HELD_STATES).select_related("queue").first()


def last_done_for_window(user, within=datetime.timedelta(minutes=30)) -> Ticket | None:
    if not getattr(user, "window_id", None):
        return None
    return (Ticket.objects.filter(window_id=user.window_id, state=TicketState.DONE,
                                  ended_at__gte=timezone.now() - within)
            .select_related("case", "queue").order_by("-ended_at").first())


def window_queues(window_id) -> list[WindowQueue]:
    return list(WindowQueue.objects.filter(window_id=window_id).select_related("queue").order_by("priority"))


def latest_call(site) -> int:
    return TicketEvent.objects.filter(ticket__site=site, action__in=("call", "recall")).aggregate(m=Max("id"))["m"] or 0


def status_of(window_id):
    return WindowStatus.objects.filter(window_id=window_id).select_related("clerk").first() if window_id else None


def transfer_targets(ticket) -> list[Queue]:
    return list(Queue.objects.filter(site_id=ticket.site_id, active=True).exclude(pk=ticket.queue_id)
                .order_by("order", "code"))


def waiting_for_window(window_id) -> int:
    return Ticket.objects.filter(queue__window_links__window_id=window_id, day=timezone.localdate(),
                                 state=TicketState.WAITING).count()


def filing_url(ticket) -> str:
    """The /window/ workbench with the ticket's applicant carried over."""
    params = {"ticket": ticket.pk}
    if ticket.id_number:
        params["ident"] = ticket.id_number
    if ticket.phone:
        params["phone"] = ticket.phone
    return reverse("cases:window") + "?" + urlencode(params)


def case_filed_for(ticket, clerk):
    """The case this clerk filed since calling the ticket (the applicant's, when the ticket has an ID number)."""
    if ticket.case_id:
        return ticket.case
    if not ticket.called_at:
        return None
    qs = Case.objects.filter(filed_by=clerk, submitted_at__gte=ticket.called_at)
    if ticket.id_number:
        qs = qs.filter(applicant_id=ticket.id_number)
    return qs.order_by("-submitted_at").first()


def queues_for_item(site, q: str) -> list[dict]:
    """Queues of the site serving an item whose name or code matches (the kiosk's item search)."""
    q = q.strip()[:50]
    item_ids = ItemVersion.objects.filter(is_current=True).filter(Q(name__icontains=q) | Q(item__code__iexact=q)) \
        .values("item_id")
    rows = Queue.objects.filter(site=site, active=True, items__in=item_ids).distinct().order_by("order", "code")[:10]
    return [{"code": x.code, "name": x.name, "prefix": x.prefix} for x in rows]


def sites_in_scope(user) -> list:
    qs = Site.objects.filter(queues__isnull=False).distinct()
    if not (user.is_superuser or user.role == Role.ADMIN):
        if not user.region_id:
            return []
        qs = qs.filter(region__code__startswith=region_prefix(user.region_id))
    return list(qs.order_by("level", "code")[:500])
