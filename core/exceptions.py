"""PostHog's error envelope {type, code, detail, attr} for every API error (drf-exceptions-hog)."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from exceptions_hog import exception_handler as hog_exception_handler
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from core.errors import DomainError, InvalidInput

logger = logging.getLogger(__name__)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "request_too_large"
    default_type = "invalid_request"


# Errors meaning "the database cannot be reached right now" (server down, connection refused or lost):
# a 503 the client may retry, not a 500. Django reconnects on the next request by itself.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def api_exception_of(error: DomainError) -> exceptions.APIException:
    """The DRF exception whose envelope states `error` (so drf-exceptions-hog renders domain and DRF
    errors alike)."""
    detail = ErrorDetail(error.detail, code=error.code)
    if isinstance(error, InvalidInput):
        return exceptions.ValidationError({error.attr: [detail]} if error.attr else [detail])
    api_error = exceptions.APIException(detail=detail)
    api_error.status_code = error.status_code
    api_error.default_type = error.type  # type: ignore[attr-defined]  # read by drf-exceptions-hog
    return api_error


def exception_handler(exc, context):
    """drf-exceptions-hog, plus: domain errors (core.errors) in the same envelope, 500s logged and
    enveloped even in DEBUG, 401s carrying WWW-Authenticate, an unreachable database a 503."""
    if isinstance(exc, DomainError):
        exc = api_exception_of(exc)
    if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        database_unavailable_log(exc)
        return Response(DATABASE_UNAVAILABLE_BODY, status=status.HTTP_503_SERVICE_UNAVAILABLE)
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
    """The envelope outside DRF's views, written compactly as DRF's renderer writes it."""
    body = error_body(type=type, code=code, detail=detail, attr=attr)
    return JsonResponse(body, status=status_code, json_dumps_params={"separators": (",", ":")})


SERVER_ERROR_BODY = error_body(type="server_error", code="error", detail="A server error occurred.")


DATABASE_UNAVAILABLE_BODY = error_body(
    type="server_error", code="service_unavailable", detail="The database is unavailable. Try again shortly."
)


def database_unavailable_log(exc: BaseException) -> None:
    # One line, no traceback: during an outage every request ends here.
    first_line = next(iter(str(exc).strip().splitlines()), "")
    logger.error("Database unavailable: %s: %s", type(exc).__name__, first_line)
