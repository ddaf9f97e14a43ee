"""Reads of 好差评 and rectifications, scoped to the reader."""

from django.db.models import QuerySet

from onewindow.accounts.models import Role
from onewindow.regions.selectors import region_prefix

from .models import Rating, Rectification


def rectifications_visible_to(user) -> QuerySet:
    """Reviewers and approvers: their department's; supervisors: their region's; admins: all."""
    qs = Rectification.objects.select_related("rating__case", "department")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return qs
    if user.role in (Role.REVIEWER, Role.APPROVER):
        return qs.filter(department_id=user.department_id) if user.department_id else qs.none()
    if user.role == Role.SUPERVISOR and user.region_id:
        return qs.filter(rating__region_code__startswith=region_prefix(user.region_id))
    return qs.none()


def rating_of(case) -> Rating | None:
    return Rating.objects.filter(case=case).first()


def rating_dict(r: Rating) -> dict:
    rect = getattr(r, "rectification", None)
    return {
        "case": r.case.number,
        "level": r.level,
        "label": str(r.get_level_display()),
        "channel": r.channel,
        "dimensions": r.dimensions,
        "comment": r.comment,
        "rated_at": r.rated_at.isoformat(),
        "rectification": (
            {"id": rect.pk, "status": rect.status, "due_date": rect.due_date.isoformat()} if rect else None
        ),
    }
