"""Answers every posthog-js endpoint shares: JSON with CORS, the error envelope, preflight, 405."""

from django.http import HttpRequest, HttpResponse, JsonResponse

from core.exceptions import error_body
from sdk.cors import cors_apply
from sdk.services.tokens import INVALID_TOKEN_DETAIL, MISSING_TOKEN_DETAIL


def json_response(request: HttpRequest, body: dict, status: int = 200) -> HttpResponse:
    return cors_apply(request, JsonResponse(body, status=status))


def error_response(request: HttpRequest, status: int, *, type: str, code: str, detail: str) -> HttpResponse:
    return json_response(request, error_body(type=type, code=code, detail=detail), status=status)


def too_large(request: HttpRequest, detail: str) -> HttpResponse:
    return error_response(request, 413, type="invalid_request", code="request_too_large", detail=detail)


def malformed(request: HttpRequest, detail: str) -> HttpResponse:
    return error_response(request, 400, type="validation_error", code="malformed_data", detail=detail)


def missing_token(request: HttpRequest) -> HttpResponse:
    return error_response(
        request, 401, type="authentication_error", code="missing_api_key", detail=MISSING_TOKEN_DETAIL
    )


def invalid_token(request: HttpRequest) -> HttpResponse:
    return error_response(
        request, 401, type="authentication_error", code="invalid_api_key", detail=INVALID_TOKEN_DETAIL
    )


def preflight(request: HttpRequest) -> HttpResponse:
    return cors_apply(request, HttpResponse(status=200))


def method_not_allowed(request: HttpRequest, allow: str | None = None) -> HttpResponse:
    detail = f'Method "{request.method}" not allowed.'
    response = error_response(request, 405, type="invalid_request", code="method_not_allowed", detail=detail)
    if allow:
        response["Allow"] = allow
    return response
