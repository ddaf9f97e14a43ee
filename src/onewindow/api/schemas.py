"""Schemas every operation shares: the contract's error shape."""

from ninja import Schema
from pydantic import BaseModel, ConfigDict


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    """{"error": {"code", "message", "fields"}}: every 4xx answer of the API."""

    error: ErrorDetail


class OpenSchema(BaseModel):
    """A typed answer that also carries keys it does not declare (documented as
    additionalProperties), so that typing an existing answer never drops a field. A plain pydantic
    model: ninja's Schema reads its input through an accessor that shows only the declared fields,
    which dropped the undeclared ones."""

    model_config = ConfigDict(extra="allow", from_attributes=True)
