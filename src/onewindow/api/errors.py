"""Errors in the contract's shape: {"error": {"code", "message", "fields"}} (defined on the ground floor)."""

from onewindow.core.errors import Conflict, Forbidden, NotFound, ServiceError, error_body

__all__ = ["Conflict", "Forbidden", "NotFound", "ServiceError", "error_body"]
