"""Supervision room (/supervision/): live board via htmx polling, alert lists, cards. Thin views."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from onewindow.accounts.access import can_supervise, require_role
from onewindow.core.errors import ServiceError

from . import selectors, services
from .models import CardColour, CardTarget, Level
from .rules import rule_label

PAGE_SIZE = 20


supervisor_required = require_role(check=can_supervise, message=_l("仅电子监察员可以访问"))


class _CountedPaginator(Paginator):
    """A paginator told its count (the board has just counted the open alerts per level)."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def _alert_page(request, level: str, count: int | None = None):
    qs = selectors.open_alerts(request.user, level)
    paginator = Paginator(qs, PAGE_SIZE) if count is None else _CountedPaginator(qs, PAGE_SIZE, count)
    page = paginator.get_page(request.GET.get(f"{level}_page") or request.GET.get("page"))
    for a in page.object_list:
        a.rule_label = rule_label(a.rule)
    return page


def _board_context(request):
    counts = selectors.board_counts(request.user)
    return {
        "counts": counts,
        "events": selectors.latest_events(request.user),
        **{level: _alert_page(request, level, counts["by_level"][level]) for level in Level.values},
    }


@supervisor_required
def room(request):
    ctx = _board_context(request)
    ctx.update(
        cards=selectors.cards(request.user)[:50],
        targets=selectors.card_targets(request.user),
        colours=CardColour.choices,
        target_kinds=CardTarget.choices,
    )
    return render(request, "supervision/room.html", ctx)


def _partial(request, template: str, ctx: dict):
    """The room polls its board and alert lists with htmx, which receive the bare fragment. Opened
    on their own (a bookmark, a shared link, a phone) they come inside the site's layout, so the
    page has its header, its language and a phone viewport."""
    if request.headers.get("HX-Request") == "true":
        return render(request, template, ctx)
    return render(request, "supervision/partial_page.html", {**ctx, "partial": template})


@supervisor_required
def board(request):
    return _partial(request, "supervision/_board.html", _board_context(request))


@supervisor_required
def alert_list(request, level):
    if level not in Level.values:
        raise Http404("unknown alert level")
    return _partial(request, "supervision/_alerts.html",
                    {"page": _alert_page(request, level), "level": level, "heading": Level(level).label})


@supervisor_required
@require_POST
def card_issue(request):
    kind = request.POST.get("target_kind", "")
    target = request.POST.get("window") if kind == CardTarget.WINDOW else request.POST.get("department")
    try:
        services.issue_card(actor=request.user, target_kind=kind, target_id=target,
                            colour=request.POST.get("colour", ""), reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        detail = _("；").join(f"{v}" for v in exc.fields.values())
        messages.error(request, exc.message + (_("：") + detail if detail else ""))
    else:
        messages.success(request, _("已亮牌"))
    return redirect("supervision:room")


@supervisor_required
@require_POST
def card_revoke(request, pk):
    try:
        services.revoke_card(actor=request.user, card_id=pk, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销亮牌"))
    return redirect("supervision:room")
