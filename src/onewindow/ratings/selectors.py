"""Reads of 好差评 and rectifications, scoped to the reader."""

from django.db.models import QuerySet

from onewindow.accounts.access import visible

from .models import Rating, Rectification


def rectifications_visible_to(user) -> QuerySet:
    """Reviewers and approvers: their department's; supervisors: their region's; admins: all."""
    return visible(user, Rectification.objects.select_related("rating__case", "department"))


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
