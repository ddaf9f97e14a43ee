"""Writes on users and tokens."""

from django.db import transaction

from onewindow.audit.services import record

from .models import ApiToken, User


@transaction.atomic
def issue_token(user: User, label: str = "") -> str:
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=user, digest=ApiToken.hash(raw), label=label)
    record(actor=user, action="token.issue", obj_type="user", obj_id=user.pk, after={"label": label})
    return raw
