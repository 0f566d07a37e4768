"""`GET /api/product_tours?token=<project token>`: the tours posthog-js loads in every end user's browser.

Served on the lean path (sdk/gateway.py) because it is the hot path: a warm request is one token query
and the payload bytes this worker remembers for the project's revision.
Authentication is the public project token, read where PostHog's `get_token` reads it.
"""

import io
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.http.multipartparser import MultiPartParserError

from core.etags import if_none_match_matches
from core.json_parse import JSONParseError, json_parse
from sdk.api.responses import method_not_allowed, preflight, token_project, too_large
from sdk.http import PublicRequest, PublicResponse, error_response
from sdk.services.tokens import token_from_payload
from sdk.services.tours_payload import public_tours_get

# posthog-js appends `_=<ms>` to every fetch, so its URLs never repeat and no browser cache serves them.
# For other clients, `max-age=0, must-revalidate` makes any stored copy revalidate with If-None-Match
# (a cheap 304) so a launched or stopped tour shows on the next load; `private`: the body belongs to
# one project's token, shared proxies should not keep it.
CACHE_CONTROL = "private, max-age=0, must-revalidate"


class MalformedBody(Exception):
    pass


def _form_field(request: PublicRequest, *names: str) -> Any:
    """The first of `names` sent as a form field (urlencoded or multipart), as Django's `request.POST`."""
    if request.content_type == "application/x-www-form-urlencoded":
        text = request.body.decode("utf-8", "replace")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        values = {name: fields[name][-1] for name in names if name in fields}
    elif request.content_type == "multipart/form-data":
        environ = {**request.META, "wsgi.input": io.BytesIO(request.body), "CONTENT_LENGTH": str(len(request.body))}
        post = WSGIRequest(environ).POST  # rare: the body is parsed by Django's multipart parser
        values = {name: post.get(name, "") for name in names}
    else:
        return None
    return next((values[name] for name in names if values.get(name)), None)


def _token_from_json(request: PublicRequest) -> Any:
    if request.content_type not in ("application/json", "text/plain") or not request.body:
        return None
    try:
        data = json_parse(request.body)
    except JSONParseError as exc:
        raise MalformedBody(f"JSON parse error - {exc}") from exc
    if isinstance(data, list) and data:  # batches: the first event carries the token
        data = data[0]
    return token_from_payload(data)


def token_from_request(request: PublicRequest) -> Any:
    """Query `token`/`api_key` (any method); on POST then form `api_key`/`token`, then the JSON body.

    Returns whatever was sent (possibly not a string); raises MalformedBody for an unreadable body.
    """
    try:
        token = request.GET.get("token") or request.GET.get("api_key")
        if not token and request.method == "POST":
            token = _form_field(request, "api_key", "token") or _token_from_json(request)
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


def product_tours(request: PublicRequest) -> PublicResponse:
    if request.method == "OPTIONS":
        return preflight()
    if request.method not in ("GET", "HEAD", "POST"):
        return method_not_allowed(request, allow="GET, HEAD, POST, OPTIONS")
    try:
        token = token_from_request(request)
    except RequestDataTooBig:
        return too_large("Request body is too large.")
    except MalformedBody as exc:
        return error_response(400, type="invalid_request", code="parse_error", detail=str(exc))
    project = token_project(request, token)
    if isinstance(project, PublicResponse):
        return project

    payload = public_tours_get(project=project)
    gzipped = accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    etag = payload.gzip_etag if gzipped else payload.etag
    if request.method != "POST" and if_none_match_matches(
        request.META.get("HTTP_IF_NONE_MATCH"), payload.etag, payload.gzip_etag
    ):
        response = PublicResponse(status=304, body=b"", content_type=None)  # either representation is current
    elif gzipped:
        response = PublicResponse(body=payload.gzip_body, headers=[("Content-Encoding", "gzip")])
    else:
        response = PublicResponse(body=payload.body)
    response.headers += [("ETag", etag), ("Cache-Control", CACHE_CONTROL)]
    response.vary = ("Accept-Encoding",)
    return response
