"""The input gate: every request's text checked once, before any view or database sees it.

Query parameters, the path, form fields and JSON bodies are refused with a 400 naming the
field when they hold control characters (NUL included: PostgreSQL cannot store it) or lone
surrogates, and JSON bodies when they hold NaN or Infinity. Under /api/ a body must be JSON
(415 otherwise; the few file uploads in API_UPLOADS take multipart/form-data, checked like a form)
and an oversized body is a JSON 413. Refusals are the contract's error shape
in the API and a Chinese message page in the UI.
"""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import error_body
from .text import text_problem

API_PREFIX = "/api/"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_JSON_DEPTH = 32
# API endpoints that receive a file (multipart/form-data): the signed, scanned 承诺书 (intake.api)
API_UPLOADS = re.compile(r"^/api/v1/cases/[^/]+/commitment-scan$")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def _bad_constant(name):
    raise Refused(400, "invalid", _("请求体含有非有限数值"), {"body": _("不允许 %(c)s") % {"c": name}})


def loads_strict(raw: bytes | str):
    """json.loads that refuses NaN, Infinity and -Infinity (Refused 400)."""
    try:
        return json.loads(raw, parse_constant=_bad_constant)
    except (ValueError, RecursionError):
        raise Refused(400, "invalid", _("请求体不是有效的 JSON"), {"body": _("无法解析")}) from None


def _walk(value, path: str, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise Refused(400, "invalid", _("请求体层级过深"), {path or "body": _("层级过深")})
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            problem = text_problem(k)
            if problem:
                raise Refused(400, "invalid", _("请求参数有误"), {path or "body": problem})
            _walk(v, sub, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, f"{path}.{i}" if path else str(i), depth + 1)
    elif isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise Refused(400, "invalid", _("请求参数有误"), {path or "body": problem})


def _check_pairs(pairs, prefix: str = "") -> None:
    for key, values in pairs:
        for v in [key, *values]:
            problem = text_problem(v)
            if problem:
                raise Refused(400, "invalid", _("请求参数有误"), {f"{prefix}{key}" if key else "query": problem})


def check_request(request) -> None:
    """Raise Refused when anything the request carries is not acceptable text."""
    problem = text_problem(request.path_info)
    if problem:
        raise Refused(400, "invalid", _("地址含有无效字符"), {"path": problem})
    _check_pairs(request.GET.lists())
    is_api = request.path_info.startswith(API_PREFIX)
    if request.method not in BODY_METHODS:
        return
    ctype = (request.content_type or "").lower()
    if is_api:
        try:
            body = request.body
        except RequestDataTooBig:
            raise Refused(413, "too_large", _("请求体过大"),
                          {"body": _("不超过 %(n)s 字节") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}}) from None
        if not body:
            return
        if ctype == "multipart/form-data" and API_UPLOADS.match(request.path_info):
            _check_pairs(request.POST.lists())
            return
        if ctype != "application/json":
            raise Refused(415, "unsupported_media_type", _("请求体须为 JSON（Content-Type: application/json）"),
                          {"body": _("不支持的类型 %(t)s") % {"t": ctype or "-"}})
        _walk(loads_strict(body), "")
        return
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            _check_pairs(request.POST.lists())
        except (RequestDataTooBig, TooManyFieldsSent):
            raise Refused(413, "too_large", _("提交的内容过大")) from None


class InputGateMiddleware:
    """Runs check_request on every request; answers the refusal itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except Refused as exc:
            return refusal_response(request, exc)
        response = self.get_response(request)
        if response.status_code == 405 and request.path_info.startswith(API_PREFIX) \
                and "json" not in response.get("Content-Type", ""):
            return _not_allowed(request, response)
        return response


def _not_allowed(request, response):
    """django-ninja answers a method an operation lacks with a plain-text 405: the contract's shape
    instead, with the same Allow header."""
    allowed = response.get("Allow", "")
    out = JsonResponse(error_body("method_not_allowed", _("不支持 %(method)s 请求") % {"method": request.method},
                                  {"method": _("可用：%(allowed)s") % {"allowed": allowed}}), status=405)
    out["Allow"] = allowed
    return out


def refusal_response(request, exc: Refused):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    return render(request, "core/bad_input.html", {"message": exc.message, "fields": exc.fields}, status=exc.status)
