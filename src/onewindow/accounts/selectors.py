"""Reads on users and their scope."""

from __future__ import annotations

from django.conf import settings

from onewindow.regions.selectors import region_prefix

from .models import Role, User


def city_code() -> str:
    return settings.ONEWINDOW.get("CITY_REGION", "341300")


def user_site_region_code(user) -> str:
    """The 6-digit county (or city) code of the user's site; the city code when there is none.

    This is the region part of a case number filed at that user's site.
    """
    site = getattr(user, "site", None) if getattr(user, "site_id", None) else None
    if site is not None and site.region_id:
        return site.region_id[:6]
    return city_code()


def scope_region_code(user) -> str:
    """The region a user oversees: their `region`, else their site's region, else the city."""
    if getattr(user, "region_id", None):
        return user.region_id
    if getattr(user, "site_id", None):
        return user.site.region_id
    return city_code()


def scope_region_prefix(user) -> str:
    """Code prefix covering the user's scope (341300 → "3413", 341302 → "341302").

    Filter region-coded rows with `region_code__startswith=scope_region_prefix(user)`.
    """
    return region_prefix(scope_region_code(user))


def users_with_role(role: str | Role):
    return User.objects.filter(role=role, is_active=True).order_by("username")
