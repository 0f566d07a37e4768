"""Keeps every /api/ answer in the error envelope, also outside DRF views (Django 404/500, oversize bodies)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse

from accounts.exceptions import SERVER_ERROR_BODY, error_body

logger = logging.getLogger(__name__)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path == "/api"


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_path(request.path) and _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return JsonResponse(
                error_body(
                    type="invalid_request",
                    code="request_too_large",
                    detail=f"Request body is too large (limit {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes).",
                ),
                status=413,
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        if isinstance(exception, Http404):
            return JsonResponse(
                error_body(type="invalid_request", code="not_found", detail="Not found."), status=404
            )
        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(
                error_body(type="invalid_request", code="request_too_large", detail="Request body is too large."),
                status=413,
            )
        logger.exception("Unhandled error on %s", request.path, exc_info=exception)
        return JsonResponse(SERVER_ERROR_BODY, status=500)
