"""`GET /api/product_tours?token=<project token>`: the tours posthog-js loads in every end user's browser.

A plain Django view (no DRF, no session or key authentication) because it is the hot path: a warm
request is one token query and the payload bytes this worker remembers for the project's revision.
Authentication is the public project token, read where PostHog's `get_token` reads it.
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from core.etags import if_none_match_matches
from core.json_parse import JSONParseError, json_parse
from sdk.api.responses import error_response, method_not_allowed
from sdk.cors import cors_apply
from sdk.limits import public_rate_limited
from sdk.services.tokens import INVALID_TOKEN_DETAIL, MISSING_TOKEN_DETAIL, project_for_token, token_from_payload
from sdk.services.tours_payload import public_tours_get

# posthog-js appends `_=<ms>` to every fetch, so its URLs never repeat and no browser cache serves them.
# For other clients, `max-age=0, must-revalidate` makes any stored copy revalidate with If-None-Match
# (a cheap 304) so a launched or stopped tour shows on the next load; `private`: the body belongs to
# one project's token, shared proxies should not keep it.
CACHE_CONTROL = "private, max-age=0, must-revalidate"


class MalformedBody(Exception):
    pass


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
        return method_not_allowed(request, allow="GET, HEAD, POST, OPTIONS")
    try:
        token = token_from_request(request)
    except RequestDataTooBig:
        return error_response(
            request, 413, type="invalid_request", code="request_too_large", detail="Request body is too large."
        )
    except MalformedBody as exc:
        return error_response(request, 400, type="invalid_request", code="parse_error", detail=str(exc))
    if not token:
        return error_response(
            request, 401, type="authentication_error", code="missing_api_key", detail=MISSING_TOKEN_DETAIL
        )
    project = project_for_token(token)
    if project is None:
        return error_response(
            request, 401, type="authentication_error", code="invalid_api_key", detail=INVALID_TOKEN_DETAIL
        )
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
