"""Who may see what: the one place that decides it, for pages, the API, services and the admin.

The scope rules, by role (a user whose scope field is unset sees nothing):

| role | sees |
|---|---|
| applicant | their own cases: filed from their account, or under their ID number / credit code |
| clerk | what was received at their site (cases, the site's halls and windows) |
| agent | what was received at their station (the site they sit at); the projects they follow |
| reviewer, approver | their department's cases, rectifications, the department itself |
| supervisor | everything received in their region and below it (region code prefix: a city sees its counties) |
| centre administrator, superuser | everything |

`SCOPES` writes these rules down once per model; `visible(user, qs)` narrows any queryset with them.
An object outside the scope is reported as not found (404), so that numbers cannot be probed; a
visible object the role may not act on is refused (403). Page guards (`require_role`), API guards
(`api_role`) and the Django admin (`ScopedAdminMixin`) are built on the same functions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from onewindow.core.errors import Forbidden, ServiceError
from onewindow.regions.selectors import region_prefix

from .models import STAFF_ROLES, Role

Rule = Callable[..., Q | None]  # user → the condition of what they see; None: nothing


# ---------------------------------------------------------------- who the user is

def signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def is_admin(user) -> bool:
    """The centre administrator: the admin role, or a superuser (who counts as one everywhere)."""
    return signed_in(user) and (user.is_superuser or user.role == Role.ADMIN)


def has_role(user, *roles) -> bool:
    """Signed in with one of `roles`; a superuser holds the admin role."""
    return signed_in(user) and (user.role in roles or (Role.ADMIN in roles and user.is_superuser))


def can_supervise(user) -> bool:
    """Supervisors with a region, and the administrator."""
    return is_admin(user) or (has_role(user, Role.SUPERVISOR) and bool(user.region_id))


def require_supervisor(user, message: str | None = None) -> None:
    if not can_supervise(user):
        raise Forbidden(message or _("仅电子监察员可以访问"))


def supervised_prefix(user) -> str:
    """The region-code prefix the user oversees ("" for the administrator); Forbidden for others."""
    require_supervisor(user)
    return "" if is_admin(user) else region_prefix(user.region_id)


# ---------------------------------------------------------------- the rules, once

def _own(path: str = "") -> Rule:
    """The applicant's own cases: filed from their account or under their ID number / credit code."""
    def rule(user):
        cond = Q(**{f"{path}applicant_user": user})
        for ident in (user.id_number, user.uscc):
            if ident:
                cond |= Q(**{f"{path}applicant_id": ident})
        return cond
    return rule


def _same(path: str, attr: str) -> Rule:
    def rule(user):
        value = getattr(user, attr)
        return Q(**{path: value}) if value else None
    return rule


def _site(path: str) -> Rule:
    return _same(path, "site_id")


def _department(path: str) -> Rule:
    return _same(path, "department_id")


def _region(path: str) -> Rule:
    """Below the user's region: `path` holds a region code."""
    def rule(user):
        return Q(**{f"{path}__startswith": region_prefix(user.region_id)}) if user.region_id else None
    return rule


def _either(*rules: Rule) -> Rule:
    """Any of `rules` (those that apply to the user)."""
    def rule(user):
        conds = [c for c in (r(user) for r in rules) if c is not None]
        if not conds:
            return None
        cond = conds[0]
        for c in conds[1:]:
            cond |= c
        return cond
    return rule


def _case_rules(path: str = "") -> dict[str, Rule]:
    """The case rules, for the case (`path` "") and for what hangs off one case (`path` "case__")."""
    return {
        Role.APPLICANT: _own(path),
        Role.CLERK: _site(f"{path}site_id"),
        Role.AGENT: _site(f"{path}site_id"),
        Role.REVIEWER: _department(f"{path}department_id"),
        Role.APPROVER: _department(f"{path}department_id"),
        Role.SUPERVISOR: _region(f"{path}region_code"),  # a case's region_code is its receiving site's region
    }


def _site_rules(site: str, region: str) -> dict[str, Rule]:
    return {Role.CLERK: _site(site), Role.AGENT: _site(site), Role.SUPERVISOR: _region(region)}


# model label → role → rule. A model or role not listed: only the administrator sees it.
SCOPES: dict[str, dict[str, Rule]] = {
    "cases.case": _case_rules(),
    "cases.caseevent": _case_rules("case__"),
    "cases.casematerial": _case_rules("case__"),
    "cases.notice": _case_rules("case__"),
    "portal.upload": _case_rules("case__"),
    "ratings.rating": _case_rules("case__"),
    "ratings.rectification": {
        Role.REVIEWER: _department("department_id"),
        Role.APPROVER: _department("department_id"),
        Role.SUPERVISOR: _region("rating__region_code"),
    },
    "agency.project": {Role.AGENT: _same("agent_id", "pk"), Role.SUPERVISOR: _region("region__code")},
    # through the alert's site (a copy of the case's): a join with the small site table, not cases_case;
    # 收受分离: also the alerts of cases handled by a department of the region (both sides watch them)
    "supervision.alert": {Role.SUPERVISOR: _either(_region("site__region__code"), _region("department__region__code"))},
    "supervision.card": {Role.SUPERVISOR: _region("region_code")},
    "regions.site": _site_rules("pk", "region__code"),
    "regions.hall": _site_rules("site_id", "site__region__code"),
    "regions.window": _site_rules("hall__site_id", "hall__site__region__code"),
    "catalog.department": {
        Role.REVIEWER: _department("pk"),
        Role.APPROVER: _department("pk"),
        Role.SUPERVISOR: _region("region__code"),
    },
}


def _condition(user, model) -> Q | None:
    rule = SCOPES.get(model._meta.label_lower, {}).get(user.role)
    return rule(user) if rule else None


def scope_condition(user, model) -> Q | None:
    """The condition of what `user` may see of `model` (the rules above): an empty Q for everything
    (the administrator), None for nothing (anonymous users, roles without a rule)."""
    if not signed_in(user):
        return None
    if is_admin(user):
        return Q()
    return _condition(user, model)


def visible(user, qs: QuerySet) -> QuerySet:
    """`qs` narrowed to what `user` may see (the rules above); nothing for anonymous users."""
    cond = scope_condition(user, qs.model)
    if cond is None:
        return qs.none()
    return qs.filter(cond) if cond else qs


def can_see(user, obj: Model) -> bool:
    return visible(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


# ---------------------------------------------------------------- statistics: a region, not a queryset

STATS_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def check_stats_reader(user) -> None:
    if not has_role(user, *STATS_ROLES):
        raise Forbidden(_("仅电子监察员和中心管理员可查看统计"))


def resolve_region(user, region: str | None) -> str | None:
    """The region statistics are read for: a supervisor defaults to, and may not leave, their own."""
    region = (region or "").strip() or None
    if region is not None and not (region.isdigit() and len(region) in (6, 9, 12)):
        raise ServiceError(_("区划代码无效"), fields={"region": _("应为 6、9 或 12 位数字区划代码")})
    if is_admin(user):
        return region
    own = user.region_id
    if not own:
        raise Forbidden(_("未配置监管区域"))
    if region is None:
        return own
    if not region.startswith(region_prefix(own)):
        raise Forbidden(_("所查区划超出监管范围"), fields={"region": _("仅限 %(own)s 辖区") % {"own": own}})
    return region


def within_region(qs: QuerySet, region: str | None, path: str = "region_code") -> QuerySet:
    """`qs` below `region` (a code already checked by resolve_region); all of it for None."""
    return qs.filter(**{f"{path}__startswith": region_prefix(str(region))}) if region else qs


# ---------------------------------------------------------------- guards for pages and API handlers

def require_role(*roles, check: Callable | None = None, template: str | None = None, message: str | None = None):
    """A page decorator: anonymous → the login page; signed in without one of `roles` (when given),
    or failing `check(user)`, → 403 (`template` rendered when given, else Django's 403 page)."""

    def deco(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not signed_in(user):
                return redirect_to_login(request.get_full_path())
            if (roles and not has_role(user, *roles)) or (check is not None and not check(user)):
                if template:
                    return render(request, template, status=403)
                raise PermissionDenied(message or "")
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def request_user(request):
    """The API caller: the token's user (request.auth) or the session's."""
    return request.auth if getattr(request.auth, "pk", None) else request.user


def api_role(*roles, check: Callable | None = None, message: str | None = None):
    """An API handler decorator: the router's auth answers 401 first; here a caller without one of
    `roles`, or failing `check(user)`, gets 403 in the contract's error shape."""

    def deco(handler):
        @functools.wraps(handler)
        def wrapper(request, *args, **kwargs):
            user = request_user(request)
            if (roles and not has_role(user, *roles)) or (check is not None and not check(user)):
                raise Forbidden(message or _("无权访问"))
            return handler(request, *args, **kwargs)

        return wrapper

    return deco


# ---------------------------------------------------------------- the Django admin

def admin_may(user, action: str, model, obj: Model | None = None) -> bool:
    """May `user` do `action` (view, add, change, delete) on `model` (or `obj`) in the Django admin?

    The admin flag (is_staff) opens the site. The administrator may do what each ModelAdmin allows;
    other staff with the flag may only view, and only the models and objects of their scope; Django's
    permission tables are not consulted (the role decides, here)."""
    if not (signed_in(user) and user.is_active and user.is_staff):
        return False
    if is_admin(user):
        return True
    if action != "view" or user.role not in STAFF_ROLES or _condition(user, model) is None:
        return False
    return obj is None or can_see(user, obj)


class ScopedAdminMixin:
    """ModelAdmin permissions and querysets from this module. Put it right above ModelAdmin (or
    UserAdmin) in the bases: a subclass override may narrow (return False, or `and super()...`)."""

    def has_module_permission(self, request):
        return admin_may(request.user, "view", self.model)

    def has_view_permission(self, request, obj=None):
        return admin_may(request.user, "view", self.model, obj)

    def has_add_permission(self, request, *args):
        return admin_may(request.user, "add", self.model)

    def has_change_permission(self, request, obj=None):
        return admin_may(request.user, "change", self.model, obj)

    def has_delete_permission(self, request, obj=None):
        return admin_may(request.user, "delete", self.model, obj)

    def get_queryset(self, request):
        return visible(request.user, super().get_queryset(request))

    def _in_scope_or_404(self, request, object_id):
        """An object the user may not see answers 404, as on every other page (Django would redirect)."""
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404(_("对象不存在或无权查看"))

    def change_view(self, request, object_id, *args, **kwargs):
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, *args, **kwargs)

    def delete_view(self, request, object_id, *args, **kwargs):
        self._in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, *args, **kwargs)

    def history_view(self, request, object_id, *args, **kwargs):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, *args, **kwargs)


class ScopedInlineMixin:
    """Inline permissions from this module (`obj` is the parent, already checked by its ModelAdmin)."""

    def has_view_permission(self, request, obj=None):
        return admin_may(request.user, "view", self.model)

    def has_add_permission(self, request, obj=None):
        return admin_may(request.user, "add", self.model)

    def has_change_permission(self, request, obj=None):
        return admin_may(request.user, "change", self.model)

    def has_delete_permission(self, request, obj=None):
        return admin_may(request.user, "delete", self.model)

    def get_queryset(self, request):
        return visible(request.user, super().get_queryset(request))


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ScopedReadOnlyAdmin(ScopedModelAdmin):
    """Records written only by a service (events, mode records, engagements): viewed here, never edited."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    pass
