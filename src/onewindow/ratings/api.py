"""好差评 API, mounted at /api/v1/cases beside the cases router: POST /cases/{number}/rating."""

from typing import Literal

from ninja import Field, Router, Schema

from onewindow.api.auth import bearer, session

from . import services
from .selectors import rating_dict

router = Router(auth=[bearer, session])


class RectificationOut(Schema):
    id: int
    status: str
    due_date: str


class RatingOut(Schema):
    case: str
    level: int
    label: str
    channel: str
    dimensions: dict[str, int] | None
    comment: str
    rated_at: str
    rectification: RectificationOut | None


class RatingIn(Schema):
    level: int
    comment: str = Field("", max_length=2000)
    dimensions: dict[str, int] | None = None
    channel: Literal["online", "window"] | None = None


@router.post("/{number}/rating", response={201: RatingOut}, summary="好差评：申请人评价已办结的办件",
             operation_id="rate_case")
def rate(request, number: str, payload: RatingIn):
    rating = services.rate_case(number, request.auth, payload.level, payload.dimensions, payload.comment,
                                payload.channel)
    return 201, rating_dict(rating)
