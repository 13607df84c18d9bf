"""One error shape for every API refusal: ``{"error", "message", "clause", "fields"}``."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from custos.api.actions import ApiError


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and detail and all(isinstance(item, str) for item in detail):
        return {prefix or "non_field_errors": [str(item) for item in detail]}
    if isinstance(detail, list):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]} if detail else {}


def body(code: str, message: str, *, clause: str = "", fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "clause": clause, "fields": fields or {}}


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApiError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(body("refused", exc.message, clause=exc.clause, fields=fields), status=400)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), None)
        message = f"{first[0]}: {first[1][0]}" if first else "The request is not valid."
        response.data = body("invalid", f"The request is not valid. {message}", fields=fields)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else "The request was refused."
        response.data = body(getattr(detail, "code", None) or exc.default_code, message)
        if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
            response.data["message"] = "Too many requests for this token; wait a minute and try again."
    else:
        response.data = body("error", "The request was refused.")
    return response
