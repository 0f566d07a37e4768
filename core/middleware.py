"""Keeps every /api/ answer in the error envelope, also outside DRF views (Django 404/500, oversize bodies)."""

import io
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.http import Http404

from core.exceptions import (
    DATABASE_UNAVAILABLE_BODY,
    DATABASE_UNAVAILABLE_ERRORS,
    SERVER_ERROR_BODY,
    database_unavailable_log,
    error_response,
)

logger = logging.getLogger(__name__)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _buffer_chunked_body(request) -> bool:
    """A body sent without Content-Length (`Transfer-Encoding: chunked`) is read here, at most one byte
    past the limit, and handed on as if its length had been declared.

    Django (and DRF's parsers after it) would otherwise read such a body as empty, and nothing would
    bound it. Only done when the server says the input ends where the body ends (gunicorn sets
    `wsgi.input_terminated`), so reading can never wait for bytes that will not come.
    Returns False when the chunked framing itself is broken.
    """
    meta = request.META
    if meta.get("CONTENT_LENGTH") or "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        return True
    stream = meta.get("wsgi.input")
    if stream is None or not meta.get("wsgi.input_terminated"):
        return True
    try:
        body = stream.read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    except (OSError, ValueError):  # gunicorn's chunk errors are IOErrors
        body, ok = b"", False
    else:
        ok = True
    meta["CONTENT_LENGTH"] = str(len(body))
    request._stream = LimitedStream(io.BytesIO(body), len(body))
    return ok


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path == "/api"


# posthog-js endpoints outside /api/ (remote config, /flags, capture): machines read these answers too.
SDK_PATHS = {"/flags", "/decide", "/e", "/i/v0/e", "/batch", "/capture", "/track", "/engage"}


def is_sdk_path(path: str) -> bool:
    return path.rstrip("/") in SDK_PATHS or path.startswith("/array/")


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        body_ok = _buffer_chunked_body(request)
        if not body_ok and is_api_path(request.path):
            return error_response(
                400, type="invalid_request", code="parse_error", detail="Malformed chunked request body."
            )
        if is_api_path(request.path) and _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return error_response(
                413,
                type="invalid_request",
                code="request_too_large",
                detail=f"Request body is too large (limit {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes).",
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (is_api_path(request.path) or is_sdk_path(request.path)):
            return None
        if isinstance(exception, Http404):
            return error_response(404, type="invalid_request", code="not_found", detail="Not found.")
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            database_unavailable_log(exception)
            return error_response(503, **DATABASE_UNAVAILABLE_BODY)
        if isinstance(exception, RequestDataTooBig):
            return error_response(
                413, type="invalid_request", code="request_too_large", detail="Request body is too large."
            )
        logger.exception("Unhandled error on %s", request.path, exc_info=exception)
        return error_response(500, **SERVER_ERROR_BODY)
