"""The domain's errors. Services raise them; views and the API render them in the contract's shape."""


class ServiceError(Exception):
    """A business rule refused the request. Services raise it; views and the API render it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict | None = None, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}
