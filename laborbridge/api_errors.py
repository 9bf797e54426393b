"""One error body for the whole API, and the exceptions API views raise.

Every error response of ``/api/v1/`` has the same JSON body::

    {"code": "invalid", "message": "…", "fields": {"seed": ["…"]}}

``code`` is a stable machine word (``invalid``, ``not_authenticated``, ``permission_denied``,
``not_found``, ``method_not_allowed``, ``conflict``, ``throttled``, ``service_unavailable`` …),
``message`` a sentence in the reader's language (the request's active language) and ``fields``
maps a field name (dotted for nested input: ``items.0.name``) to its messages; it is ``{}``
when the error is not about one field.

API views do not convert errors themselves:

- a service's ``django.core.exceptions.ValidationError`` → 400 (field errors kept by field),
- ``django.core.exceptions.PermissionDenied`` → 403, ``Http404`` → 404,
- a request beyond Django's parsing limits (``TooManyFieldsSent`` of a long query string or
  form body, ``TooManyFilesSent``, ``RequestDataTooBig``) → 400 naming the limit, raised
  wherever the request is first read (content negotiation reads the query string);
- ``raise Conflict(_("…"))`` → 409 when the request clashes with the current state
  (a round already queued, an import already running),
- ``raise Gone(_("…"))`` → 410 when the content was deleted by retention,
- ``raise ServiceUnavailable(_("…"), retry_after=30)`` → 503 with ``Retry-After`` when a
  dependency (broker, cache) is down and the request can be retried.

``api_exception_handler`` is installed as DRF's ``EXCEPTION_HANDLER``; ``api_not_found`` is the
project's ``handler404`` so that URLs under ``/api/`` that match no route (``/trips/abc/``)
answer with the same body instead of an HTML page; ``api_bad_request`` is ``handler400`` for
the same reason (a request limit hit before a DRF view runs).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from laborbridge.tasking import RETRY_AFTER_SECONDS, EnqueueFailed

API_PREFIX = "/api/"


class Conflict(exceptions.APIException):
    """409: the request is valid but clashes with the current state of the data."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("请求与当前数据状态冲突，请刷新后重试。")
    default_code = "conflict"


class Gone(exceptions.APIException):
    """410: the resource existed but its content is no longer kept."""

    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy("该内容已不再保存。")
    default_code = "gone"


class ServiceUnavailable(exceptions.APIException):
    """503: a dependency is down; ``retry_after`` (seconds) becomes the Retry-After header."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("服务暂时不可用，请稍后重试。")
    default_code = "service_unavailable"

    def __init__(self, detail=None, code=None, *, retry_after: int | None = None):
        super().__init__(detail, code)
        self.retry_after = retry_after


def _flatten(detail, prefix: str, fields: dict[str, list[str]]) -> None:
    """Collect DRF error details into ``{"dotted.path": [messages]}``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), fields)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            fields.setdefault(prefix, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    _flatten(item, f"{prefix}.{index}" if prefix else str(index), fields)
    else:
        fields.setdefault(prefix, []).append(str(detail))


def _first_code(detail) -> str | None:
    if isinstance(detail, dict):
        detail = next(iter(detail.values()), None)
    if isinstance(detail, list):
        detail = detail[0] if detail else None
    if isinstance(detail, (dict, list)):
        return _first_code(detail)
    return getattr(detail, "code", None)


def error_body(exc: exceptions.APIException) -> dict:
    """Return ``{"code", "message", "fields"}`` for a DRF exception."""
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        fields: dict[str, list[str]] = {}
        _flatten(detail, "", fields)
        general = fields.pop("", []) + fields.pop(NON_FIELD_ERRORS, [])
        general += fields.pop("non_field_errors", []) + fields.pop("detail", [])
        if general:
            message = " ".join(general)
        else:
            message = _("请求数据有误，请修改：") + " ".join(
                f"{name}：{''.join(messages)}" for name, messages in fields.items()
            )
        return {"code": "invalid", "message": message, "fields": fields}
    if isinstance(detail, (dict, list)):
        fields = {}
        _flatten(detail, "", fields)
        message = " ".join(message for messages in fields.values() for message in messages)
        return {"code": _first_code(detail) or exc.default_code, "message": message, "fields": {}}
    return {
        "code": getattr(detail, "code", None) or exc.default_code,
        "message": str(detail),
        "fields": {},
    }


def _request_limit_message(exc: Exception) -> str | None:
    """Return the sentence for a request beyond Django's parsing limits, else None."""
    if isinstance(exc, TooManyFieldsSent):
        return _("请求的参数太多：查询字符串和表单合计最多 %(limit)s 个字段。") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    if isinstance(exc, TooManyFilesSent):
        return _("一次上传的文件太多：最多 %(limit)s 个。") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    if isinstance(exc, RequestDataTooBig):
        return _("请求数据太大：最多 %(limit)s 字节。") % {
            "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
    return None


def _as_drf(exc: Exception) -> Exception:
    """Return the DRF form of the Django exceptions services raise."""
    limit_message = _request_limit_message(exc)
    if limit_message:
        return exceptions.ValidationError({NON_FIELD_ERRORS: [limit_message]})
    if isinstance(exc, DjangoValidationError):
        if getattr(exc, "code", None) == "conflict":  # e.g. background.RunBusy
            return Conflict(" ".join(exc.messages))
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({NON_FIELD_ERRORS: exc.messages})
    if isinstance(exc, EnqueueFailed):
        # The broker is down: the run was recorded and marked failed with this reason.
        return ServiceUnavailable(exc.message, retry_after=RETRY_AFTER_SECONDS)
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc)
        return exceptions.PermissionDenied(message or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def api_exception_handler(exc: Exception, context: dict):
    """Render every handled API error with the one body (DRF's ``EXCEPTION_HANDLER``)."""
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a real server error, left to Django (500, logged)
    response.data = error_body(exc)
    request = context.get("request")
    if getattr(getattr(request, "accepted_renderer", None), "render_style", "") == "binary":
        request.accepted_renderer = JSONRenderer()  # an error of an .xlsx download is JSON
        request.accepted_media_type = JSONRenderer.media_type
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response


def api_not_found(request, exception=None):
    """Answer an unrouted URL with the API body under ``/api/``, else Django's 404 page."""
    if request.path.startswith(API_PREFIX):
        body = error_body(
            exceptions.NotFound(_("没有这个地址：请检查路径和编号（编号是正整数）。"))
        )
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def api_bad_request(request, exception=None):
    """Answer a refused request with the API body under ``/api/``, else Django's 400 page."""
    if request.path.startswith(API_PREFIX):
        message = _request_limit_message(exception) if exception else None
        error = exceptions.ValidationError(
            {NON_FIELD_ERRORS: [message or _("请求无法解析，请检查参数。")]}
        )
        return JsonResponse(error_body(error), status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


# ----------------------------------------------------------------------- OpenAPI schema

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(help_text="stable machine word, e.g. invalid, not_found"),
        "message": serializers.CharField(help_text="a sentence in the reader's language"),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="field name (dotted when nested) → messages; empty when not about a field",
        ),
    },
)

ERROR_DESCRIPTIONS = {
    400: "invalid input (`code` = invalid; `fields` names the fields)",
    401: "not signed in (`code` = not_authenticated / authentication_failed)",
    403: "signed in but not allowed (`code` = permission_denied)",
    404: "no such resource in the user's scope (`code` = not_found)",
    405: "method not allowed on this resource",
    409: "clashes with the current state (`code` = conflict)",
    410: "no longer kept (`code` = gone)",
    415: "the request body's Content-Type is not accepted (`code` = unsupported_media_type)",
    429: "too many requests (`code` = throttled; see Retry-After)",
    503: "a dependency is down, retry later (`code` = service_unavailable; see Retry-After)",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Return OpenAPI responses with the error body for ``codes``."""
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


class ApiAutoSchema(AutoSchema):
    """drf-spectacular schema that documents the error responses of every operation."""

    def _error_codes(self) -> list[int]:
        codes = [400, 403, 404, 429]
        if not all(
            isinstance(permission, permissions.AllowAny)
            for permission in self.view.get_permissions()
        ):
            codes.append(401)
        if self.method not in permissions.SAFE_METHODS:
            codes += [409, 415, 503]
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, ERROR_DESCRIPTIONS[code]),
                    str(code),
                    ["application/json"],
                    direction,
                ),
            )
        return responses
