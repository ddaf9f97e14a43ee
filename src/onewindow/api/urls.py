"""The JSON API at /api/v1: one router per app, errors in the contract's shape."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.constants import NOT_SET
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from onewindow.core.gate import Refused, loads_strict

from .docs import OfflineSwagger
from .errors import ServiceError, error_body
from .schemas import ErrorOut


class StrictJSON(Parser):
    """The body parser: NaN and Infinity refused (the input gate has already checked the text)."""

    def parse_body(self, request):
        return loads_strict(request.body)


# The input gate's rule (core.gate) as the contract states it: request text holds no control
# characters other than tab, newline and carriage return.
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def _constrain_text(node):
    if isinstance(node, dict):
        if node.get("type") == "string" and not ({"pattern", "enum", "format", "const"} & node.keys()):
            node["pattern"] = TEXT_PATTERN
        for value in node.values():
            _constrain_text(value)
    elif isinstance(node, list):
        for value in node:
            _constrain_text(value)


class OneWindowAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        doc = super().get_openapi_schema(*args, **kwargs)
        for path in doc.get("paths", {}).values():
            for op in path.values():
                _constrain_text(op.get("parameters", []))
        for name, component in doc.get("components", {}).get("schemas", {}).items():
            if name.endswith("In"):
                _constrain_text(component)
        return doc


api = OneWindowAPI(
    parser=StrictJSON(),
    title="OneWindow 一窗通办 API",
    version="1",
    description="政务服务平台接口。Errors: 4xx with {\"error\": {\"code\", \"message\", \"fields\"}}.",
    urls_namespace="api-v1",
    docs=OfflineSwagger(),
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


@api.exception_handler(Refused)
def _refused(request, exc: Refused):
    return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    response = api.create_response(request, error_body("unauthorized", _("需要登录或有效的令牌")), status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, error_body("not_found", str(exc) or _("未找到")), status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, error_body("error", str(exc)), status=exc.status_code)


def _register_routers():
    import importlib

    for app, prefix, *attr in [
        ("catalog", "/items"),
        ("workdays", "/workdays"),
        ("cases", "/cases"),
        ("ratings", "/cases"),  # POST /cases/{number}/rating lives in the ratings app
        ("portal", "/track"),
        ("supervision", "/supervision"),
        ("stats", "/stats"),
        ("queue", "/queue"),
        ("queue", "/appointments", "appointments_router"),
        ("accounts", "/me"),
        ("intake", "/cases"),  # the 承诺书 PDF, its signed scan, the intermediary a case engaged
        ("intermediaries", "/intermediaries"),
    ]:
        try:
            module = importlib.import_module(f"onewindow.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"onewindow.{app}.api":
                raise
            continue
        api.add_router(prefix, getattr(module, attr[0] if attr else "router"), tags=[app])


# What any operation may answer besides its own 2xx, in the error shape: bad input, too large,
# not JSON, too many requests; with authentication also 401 and 403; with a path parameter 404;
# a write may conflict (409).
COMMON_ERRORS = (400, 413, 415, 429)


def _document_errors():
    for router in {r for _prefix, r in api._routers}:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                codes = set(COMMON_ERRORS)
                auth = op.auth_param if op.auth_param is not NOT_SET else router.auth
                if auth not in (None, NOT_SET):
                    codes |= {401, 403}
                if "{" in path:
                    codes.add(404)
                if set(op.methods) & {"POST", "PUT", "PATCH", "DELETE"}:
                    codes |= {403, 404, 409}
                for code in sorted(codes):
                    if code not in op.response_models:
                        op.response_models[code] = op._create_response_model(ErrorOut)


_register_routers()
_document_errors()
