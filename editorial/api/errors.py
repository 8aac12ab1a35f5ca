"""One error format for every refusal the API gives: a code for programs, a Chinese message
for people, and the fields at fault — ``{"code": ..., "message": ..., "fields": {...}}``."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from editorial.services.articles import StaleEdit
from editorial.services.deliveries import DeliveryRefused


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "写操作须带 If-Match 请求头（读取时得到的 ETag）。"
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "内容已被他人修改（ETag 不符），请重新读取后再提交。"
    default_code = "precondition_failed"


class ErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """What every error response holds (documented on every operation)."""

    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、not_found、stale")
    message = serializers.CharField(help_text="给人看的中文说明")
    fields = serializers.DictField(  # type: ignore[assignment]  # the body's key, declared
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="出错的字段及其说明",
    )


def error(code: str, message: str, http_status: int, fields: Any = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return Response(body, status=http_status)


def _flatten(detail: Any) -> dict[str, list[str]] | list[str]:
    if isinstance(detail, dict):
        return {
            str(name): [str(m) for m in (value if isinstance(value, list) else [value])]
            for name, value in detail.items()
        }
    return [str(m) for m in (detail if isinstance(detail, list) else [detail])]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """A stale edit is a failed precondition (412, who and when); a rule the services refuse
    (a refused delivery action too) is a 400 with its reasons and code; everything DRF knows
    keeps its status."""
    if isinstance(exc, StaleEdit):
        return error("stale", exc.messages[0], status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, DeliveryRefused):
        return error("refused", str(exc), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        by_field = hasattr(exc, "error_dict")
        fields = {k: list(v) for k, v in exc.message_dict.items()} if by_field else None
        codes = [] if by_field else [e.code for e in exc.error_list]
        return error(
            next((c for c in codes if c), "invalid"),
            "；".join(exc.messages),
            status.HTTP_400_BAD_REQUEST,
            fields,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's message names the model, in English
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        if isinstance(detail, dict):
            messages = [f"{name}：{'；'.join(m)}" for name, m in detail.items()]
            body = error("invalid", "；".join(messages), response.status_code, detail)
        else:
            body = error("invalid", "；".join(detail), response.status_code)
    else:
        found = exc.get_codes()
        code = found if isinstance(found, str) else exc.default_code
        body = error(str(code), str(exc.detail), response.status_code)
    for name, value in response.headers.items():  # WWW-Authenticate, Retry-After, Allow
        if name.lower() not in ("content-type", "vary"):
            body[name] = value
    return body
