"""Reads of the agency app: the station dashboard, network volume, projects."""

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from onewindow.accounts.access import can_supervise, visible
from onewindow.cases.models import DONE_STATES, OPEN_STATES, Case, CaseEvent, Channel, State
from onewindow.cases.selectors import cases_visible_to
from onewindow.core.errors import NotFound
from onewindow.regions.models import Region, Site

from .models import Project

DASHBOARD_ROWS = 50  # rows per list on the station dashboard; the headings give the full counts


def station_dashboard(agent) -> dict:
    """The station's cases by state (green channel first, then due date) and the results awaiting
    delivery (longest waiting first), each list cut at DASHBOARD_ROWS."""
    qs = cases_visible_to(agent).select_related("department", "item_version")
    counts = dict(qs.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    by_state = []
    for s in State:
        if s == State.CONCLUDED:
            continue
        rows = list(qs.filter(state=s).order_by("-green_channel", F("due_date").asc(nulls_last=True),
                                                "-submitted_at")[:DASHBOARD_ROWS])
        if rows:
            by_state.append({"state": s.value, "label": s.label, "count": counts.get(s.value, 0), "cases": rows})
    awaiting = list(qs.filter(state=State.CONCLUDED).order_by("concluded_at", "number")[:DASHBOARD_ROWS])
    return {"by_state": by_state, "awaiting_delivery": awaiting,
            "awaiting_count": counts.get(State.CONCLUDED.value, 0)}


def network_volume(user) -> dict:
    """Agency-channel cases counted by county (first six digits of the receiving region) and by station.

    Scoped to the supervisor's region; administrators see the whole network.
    """
    if not can_supervise(user):
        return {"counties": [], "stations": [], "total": 0}
    qs = visible(user, Case.objects.filter(channel=Channel.AGENCY))
    by_county = list(
        qs.annotate(county=Substr("region_code", 1, 6)).values("county")
        .annotate(total=Count("id"), open=Count("id", filter=Q(state__in=OPEN_STATES)),
                  concluded=Count("id", filter=Q(state__in=DONE_STATES)))
        .order_by("county")
    )
    names = dict(Region.objects.filter(code__in=[r["county"] for r in by_county]).values_list("code", "name"))
    for r in by_county:
        r["name"] = names.get(r["county"], r["county"])
    by_station = list(
        qs.values("site_id").annotate(total=Count("id"), concluded=Count(
            "id", filter=Q(state__in=DONE_STATES))).order_by("-total", "site_id")
    )
    sites = {s.pk: s for s in Site.objects.filter(pk__in=[r["site_id"] for r in by_station])}
    for r in by_station:
        s = sites.get(r["site_id"])
        r["code"] = s.code if s else ""
        r["name"] = s.name if s else ""
    return {"counties": by_county, "stations": by_station, "total": sum(r["total"] for r in by_county)}


def projects_visible_to(user) -> QuerySet:
    """Agents: the projects they follow; supervisors: their region's; the administrator: all."""
    return visible(user, Project.objects.select_related("region", "agent"))


def get_project_for(user, code: str) -> Project:
    p = projects_visible_to(user).filter(code=code).first()
    if p is None:
        raise NotFound(_("项目 %(code)s 不存在或无权查看") % {"code": code})
    return p


def project_cases(project: Project) -> QuerySet:
    return (Case.objects.filter(project_link__project=project)
            .select_related("department", "item_version", "site").order_by("submitted_at", "number"))


def project_timeline(project: Project) -> QuerySet:
    """All events of all linked cases, in time order (one combined timeline)."""
    return (CaseEvent.objects.filter(case__project_link__project=project)
            .select_related("case", "case__department").order_by("at", "case__number", "seq"))


def timeline_rows(project: Project) -> list[dict]:
    """The combined timeline with readable action and state labels, for the project page."""
    from onewindow.cases.transitions import TRANSITIONS

    states = dict(State.choices)
    extra = {"file": "提交申请"}
    rows = []
    for e in project_timeline(project):
        t = TRANSITIONS.get(e.action)
        rows.append({"at": e.at, "case": e.case, "action": e.action,
                     "action_label": t.label if t else extra.get(e.action, e.action),
                     "to_state": states.get(e.to_state, e.to_state), "actor_name": e.actor_name, "note": e.note})
    return rows
