"""The site's own error pages (403, 404, 500) and the favicon.

403 and 404 are rendered in the site's layout, in the visitor's language; under /api/ they answer
in the API's JSON error shape instead. The 500 page is rendered without the request's context
(no session, no user, no database): whatever broke, it can still be shown.
"""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import requires_csrf_token

from .errors import error_body

FAVICON = Path(settings.PACKAGE_DIR) / "static" / "onewindow" / "favicon.ico"


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _message(exception) -> str:
    """The refusal's own sentence when the view gave one (PermissionDenied("…")), else ''."""
    text = str(exception or "")
    return "" if not text or text.startswith(("{", "[")) else text


@requires_csrf_token
def permission_denied(request, exception=None):
    message = _message(exception) or _("您没有权限访问这个页面。")
    if _is_api(request):
        return JsonResponse(error_body("forbidden", message), status=403)
    return render(request, "403.html", {"message": message}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("未找到")), status=404)
    return render(request, "404.html", {"path": request.path}, status=404)


@requires_csrf_token
def server_error(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("服务器出错了，请稍后再试")), status=500)
    return HttpResponseServerError(loader.get_template("500.html").render({}))


@cache_control(max_age=86400, public=True)
def favicon(request):
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
