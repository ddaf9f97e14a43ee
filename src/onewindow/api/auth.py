"""Bearer-token authentication for the API."""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from onewindow.accounts.models import ApiToken
from onewindow.core.errors import Forbidden
from onewindow.core.precompiled import Precompiled

# One indexed lookup of the digest with the user and what the scope rules and the audit read of
# them (site, window; department and region by id): compiled once (core.precompiled).
_TOKEN = Precompiled(ApiToken, lambda digest: ApiToken.objects.select_related("user", "user__site", "user__window")
                     .filter(digest=digest))
LAST_USED_EVERY = 300  # seconds: `last_used_at` is written at most this often per token, never per request


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        cached = getattr(request, "_bearer_auth", None)  # one lookup per request, however often asked
        if cached is not None and cached[0] == token:
            return cached[1]
        row = _TOKEN.first(ApiToken.hash(token))
        user = row.user if row is not None and row.user.is_active else None
        if user is not None:
            now = timezone.now()
            if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_EVERY:
                ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
            request.user = user
        request._bearer_auth = (token, user)
        return user


class OptionalBearer(BearerToken):
    """Authenticates when a token is given; lets anonymous requests through otherwise."""

    def __call__(self, request):
        user = super().__call__(request)
        return user if user is not None else True


bearer = BearerToken()


class Session(SessionAuth):
    """Django's session, for the browser's htmx calls. Anonymous → None without a CSRF check,
    so that an unauthenticated call of any method is a 401, not a 403 "CSRF check failed";
    a signed-in session must still carry the CSRF token on unsafe methods."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise Forbidden(_("页面已过期，请刷新后重试"), code="csrf_failed")
        return request.user


session = Session()
