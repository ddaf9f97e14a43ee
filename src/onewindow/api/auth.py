"""Bearer-token authentication for the API."""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from onewindow.accounts.models import ApiToken
from onewindow.core.errors import Forbidden


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
