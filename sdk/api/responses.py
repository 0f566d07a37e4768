"""Answers every posthog-js endpoint shares: the error envelope, preflight, 405 (the gateway adds CORS),
and the token check that precedes them all."""

from typing import Any

from sdk.http import PublicRequest, PublicResponse, error_response
from sdk.services.tokens import INVALID_TOKEN_DETAIL, MISSING_TOKEN_DETAIL, TokenProject, project_for_token


def too_large(detail: str) -> PublicResponse:
    return error_response(413, type="invalid_request", code="request_too_large", detail=detail)


def malformed(detail: str) -> PublicResponse:
    return error_response(400, type="validation_error", code="malformed_data", detail=detail)


def missing_token() -> PublicResponse:
    return error_response(401, type="authentication_error", code="missing_api_key", detail=MISSING_TOKEN_DETAIL)


def invalid_token() -> PublicResponse:
    return error_response(401, type="authentication_error", code="invalid_api_key", detail=INVALID_TOKEN_DETAIL)


def preflight() -> PublicResponse:
    return PublicResponse(status=200, body=b"", content_type="text/html; charset=utf-8")


def method_not_allowed(request: PublicRequest, allow: str | None = None) -> PublicResponse:
    detail = f'Method "{request.method}" not allowed.'
    response = error_response(405, type="invalid_request", code="method_not_allowed", detail=detail)
    if allow:
        response["Allow"] = allow
    return response


def token_project(request: PublicRequest, token: Any) -> TokenProject | PublicResponse:
    """The project of the request's public token (noted for the request log line), or the 401 answer."""
    if not token:
        return missing_token()
    project = project_for_token(token)
    if project is None:
        return invalid_token()
    request.log_project_id = project.id
    return project
