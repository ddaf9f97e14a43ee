"""The JSON API at /api/v1: one router per app, errors in the contract's shape."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .errors import ServiceError, error_body

api = NinjaAPI(
    title="OneWindow 一窗通办 API",
    version="1",
    description="政务服务平台接口。Errors: 4xx with {\"error\": {\"code\", \"message\", \"fields\"}}.",
    urls_namespace="api-v1",
)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields[".".join(loc) or "body"] = err.get("msg", "invalid")
    return api.create_response(request, error_body("invalid", _("请求参数有误"), fields), status=400)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, error_body("unauthorized", _("需要登录或有效的令牌")), status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", str(exc) or _("未找到")), status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, error_body("error", str(exc)), status=exc.status_code)


def _register_routers():
    import importlib

    for app, prefix in [
        ("catalog", "/items"),
        ("workdays", "/workdays"),
        ("cases", "/cases"),
        ("ratings", "/cases"),  # POST /cases/{number}/rating lives in the ratings app
        ("portal", "/track"),
        ("supervision", "/supervision"),
        ("stats", "/stats"),
        ("intake", "/cases"),  # the 承诺书 PDF, its signed scan, the intermediary a case engaged
        ("intermediaries", "/intermediaries"),
    ]:
        try:
            module = importlib.import_module(f"onewindow.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"onewindow.{app}.api":
                raise
            continue
        api.add_router(prefix, module.router, tags=[app])


_register_routers()
