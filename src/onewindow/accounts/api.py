"""`GET /api/v1/me`: who the token (or session) belongs to."""

from ninja import Router, Schema
from ninja.security import django_auth

from onewindow.api.auth import bearer

from .models import Role

router = Router(auth=[bearer, django_auth])


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict


class ErrorOut(Schema):
    error: ErrorDetail


class MeOut(Schema):
    username: str
    role: str
    role_label: str
    name: str
    site: str | None = None  # staff: the code of the service site they sit at
    site_name: str | None = None
    window: str | None = None  # staff at a window: its number in its hall (窗口号)
    window_id: int | None = None
    window_name: str | None = None
    department: str | None = None  # reviewers and approvers: their department's code
    region: str | None = None  # supervisors: the region code they oversee
    kind: str | None = None  # applicants: person or org
    id_number: str | None = None  # applicants who are persons
    uscc: str | None = None  # applicants that are organisations


def me_of(user) -> dict:
    out = {"username": user.username, "role": user.role, "role_label": str(Role(user.role).label),
           "name": user.display_name or user.get_full_name() or user.username}
    if user.role == Role.APPLICANT:
        out["kind"] = user.applicant_kind or "person"
        if out["kind"] == "org":
            out["uscc"] = user.uscc
        else:
            out["id_number"] = user.id_number
        return out
    site, window = user.site, user.window
    out.update(
        site=site.code if site else None,
        site_name=site.name if site else None,
        window=window.number if window else None,
        window_id=window.pk if window else None,
        window_name=window.name if window else None,
        department=user.department.code if user.department_id else None,
        region=user.region_id,
    )
    return out


@router.get("", response={200: MeOut, 401: ErrorOut}, summary="Who am I (the signed-in user)")
def me(request):
    """The signed-in user: `username`, `role`, `name`; for staff their `site` and `window` (codes) and
    department or region; for applicants `kind` and `id_number` (persons) or `uscc` (organisations)."""
    return me_of(request.user)
