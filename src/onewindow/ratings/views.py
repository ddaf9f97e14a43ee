"""好差评 pages: the applicant's rating form, the window evaluator, the rectification list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.access import has_role, require_role
from onewindow.accounts.models import Role
from onewindow.cases.selectors import get_case_for
from onewindow.core.errors import NotFound, ServiceError

from . import selectors, services
from .models import DIMENSIONS, Level, RatingChannel


def _rate_page(request, number, role, channel, template):
    if not has_role(request.user, role):
        raise PermissionDenied
    try:
        case = get_case_for(request.user, number)
    except NotFound:
        raise Http404 from None
    rating = selectors.rating_of(case)
    ctx = {"case": case, "rating": rating, "levels": Level.choices,
           "dimensions": list(DIMENSIONS[channel].items()), "errors": {}, "values": {}}
    if request.method == "POST" and rating is None:
        dims = {k: request.POST[k] for k in DIMENSIONS[channel] if request.POST.get(k)}
        try:
            services.rate_case(number, request.user, request.POST.get("level", ""), dims,
                               request.POST.get("comment", ""), channel)
        except ServiceError as exc:
            ctx.update(errors=exc.fields, message=exc.message, values=request.POST)
            return render(request, template, ctx, status=exc.status)
        messages.success(request, _("感谢您的评价"))
        return redirect(request.path)
    return render(request, template, ctx)


@login_required
def rate(request, number):
    return _rate_page(request, number, Role.APPLICANT, RatingChannel.ONLINE, "ratings/rate.html")


@login_required
def window_rate(request, number):
    return _rate_page(request, number, Role.CLERK, RatingChannel.WINDOW, "ratings/window.html")


@require_role(Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR, Role.ADMIN)
def rectifications(request):
    status = request.GET.get("status", "open")
    qs = selectors.rectifications_visible_to(request.user).prefetch_related("notes__author")
    if status in ("open", "rectified", "not_rectified"):
        qs = qs.filter(status=status)
    return render(request, "ratings/rectifications.html", {"rectifications": qs[:200], "status": status})


@require_POST
@login_required
def followup(request, pk):
    try:
        services.add_followup(pk, request.user, request.POST.get("text", ""))
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("ratings:rectifications")


@require_POST
@login_required
def close(request, pk):
    try:
        services.close_rectification(pk, request.user, request.POST.get("result", ""), request.POST.get("note", ""))
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("整改任务已办结"))
    return redirect("ratings:rectifications")
