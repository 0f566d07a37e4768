"""PostHog's error envelope {type, code, detail, attr} for every API error (drf-exceptions-hog)."""

import logging

from django.http import JsonResponse
from exceptions_hog import exception_handler as hog_exception_handler
from rest_framework import exceptions, status

logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since it was fetched (If-Match does not match its ETag)."
    default_code = "precondition_failed"
    default_type = "invalid_request"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"
    default_type = "invalid_request"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "request_too_large"
    default_type = "invalid_request"


def exception_handler(exc, context):
    """drf-exceptions-hog, plus: 500s are logged and enveloped even in DEBUG, 401s carry WWW-Authenticate."""
    response = hog_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view", exc_info=exc)
        return None  # the middleware renders the 500 envelope
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = "Bearer"
    return response


def error_body(*, type: str, code: str, detail: str, attr: str | None = None) -> dict:
    return {"type": type, "code": code, "detail": detail, "attr": attr}


def error_response(status_code: int, *, type: str, code: str, detail: str, attr: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(type=type, code=code, detail=detail, attr=attr), status=status_code)


SERVER_ERROR_BODY = error_body(type="server_error", code="error", detail="A server error occurred.")
