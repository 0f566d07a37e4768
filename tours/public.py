"""`GET /api/product_tours?token=<project token>`: the tours posthog-js loads in every end user's browser.

A plain Django view (no DRF, no session or key authentication) because it is the hot path: a warm
request is one token query and the payload bytes this worker remembers for the project's revision.
Authentication is the public project token, read where PostHog's `get_token` reads it.
"""

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from accounts.json_parse import JSONParseError, json_parse
from core.cors import cors_apply
from core.etags import if_none_match_matches
from core.public_limits import public_rate_limited
from tours.services.public_tours import project_for_token, public_tours_get, token_from_payload


def _envelope(*, type: str, code: str, detail: str) -> bytes:
    return json.dumps({"type": type, "code": code, "detail": detail, "attr": None}).encode()


_HELP = "You can find your project token in your PostHog project settings."
MISSING_TOKEN_DETAIL = f"Project token not provided. {_HELP}"
INVALID_TOKEN_DETAIL = f"Project token invalid. {_HELP}"
MISSING_TOKEN_BODY = _envelope(type="authentication_error", code="missing_api_key", detail=MISSING_TOKEN_DETAIL)
INVALID_TOKEN_BODY = _envelope(type="authentication_error", code="invalid_api_key", detail=INVALID_TOKEN_DETAIL)

# posthog-js appends `_=<ms>` to every fetch, so its URLs never repeat and no browser cache serves them.
# For other clients, `max-age=0, must-revalidate` makes any stored copy revalidate with If-None-Match
# (a cheap 304) so a launched or stopped tour shows on the next load; `private`: the body belongs to
# one project's token, shared proxies should not keep it.
CACHE_CONTROL = "private, max-age=0, must-revalidate"


class MalformedBody(Exception):
    pass


def _error(request: HttpRequest, status: int, body: bytes) -> HttpResponse:
    return cors_apply(request, HttpResponse(body, status=status, content_type="application/json"))


def _token_from_json(request: HttpRequest) -> Any:
    if request.content_type not in ("application/json", "text/plain") or not request.body:
        return None
    try:
        data = json_parse(request.body)
    except JSONParseError as exc:
        raise MalformedBody(f"JSON parse error - {exc}") from exc
    if isinstance(data, list) and data:  # batches: the first event carries the token
        data = data[0]
    return token_from_payload(data)


def token_from_request(request: HttpRequest) -> Any:
    """Query `token`/`api_key` (any method); on POST then form `api_key`/`token`, then the JSON body.

    Returns whatever was sent (possibly not a string); raises MalformedBody for an unreadable body.
    """
    try:
        token = request.GET.get("token") or request.GET.get("api_key")
        if not token and request.method == "POST":
            token = request.POST.get("api_key") or request.POST.get("token") or _token_from_json(request)
    except RequestDataTooBig:
        raise
    except (SuspiciousOperation, MultiPartParserError, ValueError, LookupError) as exc:
        raise MalformedBody("Malformed request data.") from exc
    return token.strip() if isinstance(token, str) else token


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether `Accept-Encoding` allows gzip (`gzip`, `x-gzip` or `*`, with a q-value above 0)."""
    allowed: dict[str, bool] = {}
    for part in accept_encoding.split(","):
        coding, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[coding.strip().lower()] = q > 0
    for coding in ("gzip", "x-gzip", "*"):
        if coding in allowed:
            return allowed[coding]
    return False


@csrf_exempt
@public_rate_limited
def product_tours(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return cors_apply(request, HttpResponse(b""))
    if request.method not in ("GET", "HEAD", "POST"):
        detail = f'Method "{request.method}" not allowed.'
        response = _error(request, 405, _envelope(type="invalid_request", code="method_not_allowed", detail=detail))
        response["Allow"] = "GET, HEAD, POST, OPTIONS"
        return response
    try:
        token = token_from_request(request)
    except RequestDataTooBig:
        body = _envelope(type="invalid_request", code="request_too_large", detail="Request body is too large.")
        return _error(request, 413, body)
    except MalformedBody as exc:
        return _error(request, 400, _envelope(type="invalid_request", code="parse_error", detail=str(exc)))
    if not token:
        return _error(request, 401, MISSING_TOKEN_BODY)
    project = project_for_token(token)
    if project is None:
        return _error(request, 401, INVALID_TOKEN_BODY)
    request.log_project_id = project.id  # for the request log line

    payload = public_tours_get(project=project)
    gzipped = accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if request.method != "POST" and if_none_match_matches(if_none_match, payload.etag, payload.gzip_etag):
        response = HttpResponseNotModified()  # either stored representation is still current
    elif gzipped:
        response = HttpResponse(payload.gzip_body, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(payload.body, content_type="application/json")
    response["ETag"] = payload.gzip_etag if gzipped else payload.etag
    response["Cache-Control"] = CACHE_CONTROL
    return cors_apply(request, response, vary=("Accept-Encoding",))
