"""Schemas every operation shares: the contract's error shape."""

from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    """{"error": {"code", "message", "fields"}}: every 4xx answer of the API."""

    error: ErrorDetail
