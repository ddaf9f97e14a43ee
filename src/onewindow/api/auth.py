"""Bearer-token authentication for the API."""

from django.utils import timezone
from ninja.security import HttpBearer

from onewindow.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        try:
            row = ApiToken.objects.select_related("user", "user__site", "user__window").get(digest=ApiToken.hash(token))
        except ApiToken.DoesNotExist:
            return None
        if not row.user.is_active:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class OptionalBearer(BearerToken):
    """Authenticates when a token is given; lets anonymous requests through otherwise."""

    def __call__(self, request):
        user = super().__call__(request)
        return user if user is not None else True


bearer = BearerToken()
