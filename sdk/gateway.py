"""The lean path: a WSGI dispatcher in front of Django for the endpoints posthog-js calls on every page view.

`GET /api/product_tours`, `/array/{token}/config(.js)`, `/flags` and `/e` (with PostHog's other capture
paths) are answered here; every other path goes to Django unchanged. These endpoints are authenticated
only by the public project token, so Django's sessions, authentication, messages, CSRF, URL resolver and
middleware stack do nothing for them but cost several times what the endpoints themselves cost
(`make bench`). What the stack gave them is done here, once, for all of them:

- the request log line and `X-Request-ID` (core.request_log's logger and fields; no query string);
- the security headers (`nosniff`, `X-Frame-Options`, `Referrer-Policy`, COOP; HSTS and the HTTPS
  redirect when configured), `ALLOWED_HOSTS`;
- `MAX_REQUEST_BODY_BYTES` on the declared length and on chunked bodies (a `413` envelope);
- `PUBLIC_RATE_LIMIT` (a `429` envelope), CORS on every answer, `405` for other methods;
- database connections closed when obsolete, as Django does; an unreachable database is a `503` envelope,
  anything unexpected a logged `500` envelope.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from core.exceptions import (
    DATABASE_UNAVAILABLE_BODY,
    DATABASE_UNAVAILABLE_ERRORS,
    SERVER_ERROR_BODY,
    database_unavailable_log,
)
from core.log_format import current_request_id, secrets_redact
from core.request_log import REQUEST_ID_HEADER, SANE_REQUEST_ID, request_line_log
from core.request_log import logger as request_logger
from sdk.api.capture import capture
from sdk.api.config import remote_config
from sdk.api.flags import flags
from sdk.api.tours import product_tours
from sdk.cors import cors_headers
from sdk.db import connections_release
from sdk.http import PublicRequest, PublicResponse, error_response, json_response, status_line
from sdk.limits import public_rate_limit_check

logger = logging.getLogger(__name__)

View = Callable[..., PublicResponse]

_ARRAY = re.compile(r"^/array/(?P<token>[^/]+)/config(?P<js>\.js|/?)$")
_CAPTURE_PATHS = ("/e", "/i/v0/e", "/batch", "/capture", "/track", "/engage")


_ROUTES: dict[str, View] = {
    "/api/product_tours": product_tours,
    "/flags": flags,
    "/decide": flags,
    **dict.fromkeys(_CAPTURE_PATHS, capture),
}


def route(path: str) -> tuple[View, dict[str, Any]] | None:
    """The lean view for `path` and its arguments, or None when Django serves it."""
    view = _ROUTES.get(path[:-1] if path.endswith("/") and len(path) > 1 else path)
    if view is not None:
        return view, {}
    if path.startswith("/array/"):
        match = _ARRAY.match(path)
        if match:
            return remote_config, {"token": match["token"], "js": match["js"] == ".js"}
    return None


def _request_id(environ: dict) -> str:
    supplied = environ.get("HTTP_X_REQUEST_ID", "")
    return supplied if supplied and SANE_REQUEST_ID.match(supplied) else uuid.uuid4().hex


# --- what Django's middleware did ----------------------------------------------------------------


_hosts_seen: dict[tuple[str, tuple[str, ...]], bool] = {}


def _host(environ: dict) -> str:
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return environ["HTTP_X_FORWARDED_HOST"]
    if "HTTP_HOST" in environ:
        return environ["HTTP_HOST"]
    host, port = environ.get("SERVER_NAME", ""), str(environ.get("SERVER_PORT", ""))
    scheme = environ.get("wsgi.url_scheme")
    return host if (scheme, port) in (("http", "80"), ("https", "443")) else f"{host}:{port}"


def _host_allowed(host: str) -> bool:
    """Django's `request.get_host()` check, remembered per host (a handful of values in practice)."""
    allowed = tuple(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = (".localhost", "127.0.0.1", "[::1]")
    key = (host, allowed)
    known = _hosts_seen.get(key)
    if known is None:
        domain, _port = split_domain_port(host)
        known = bool(domain) and validate_host(domain, list(allowed))
        if len(_hosts_seen) < 1024:
            _hosts_seen[key] = known
    return known


def _is_secure(environ: dict) -> bool:
    header = settings.SECURE_PROXY_SSL_HEADER
    if header:
        name, value = header
        forwarded = environ.get(name)
        if forwarded is not None:
            return forwarded.split(",", 1)[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """What SecurityMiddleware and XFrameOptionsMiddleware add to every answer."""
    headers = []
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        headers.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS.upper()))
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers


def _declared_length(environ: dict) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class _BodyTooLarge(Exception):
    pass


class _BodyMalformed(Exception):
    pass


def _body(environ: dict, limit: int) -> bytes:
    """The request body, at most `limit` bytes (more: `_BodyTooLarge`). A chunked body (no
    Content-Length) is read when the server says the input ends with it (gunicorn sets
    `wsgi.input_terminated`), so reading never waits for bytes that will not come."""
    stream = environ.get("wsgi.input")
    length = _declared_length(environ)
    if length > limit:
        raise _BodyTooLarge
    if stream is None:
        return b""
    if length:
        return stream.read(length)
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() and environ.get("wsgi.input_terminated"):
        try:
            data = stream.read(limit + 1)
        except (OSError, ValueError) as exc:  # gunicorn's chunk errors are IOErrors
            raise _BodyMalformed from exc
        if len(data) > limit:
            raise _BodyTooLarge
        return data
    return b""


def _too_large(limit: int) -> PublicResponse:
    detail = f"Request body is too large (limit {limit} bytes)."
    return error_response(413, type="invalid_request", code="request_too_large", detail=detail)


# --- the WSGI application -------------------------------------------------------------------------


def _serve(request: PublicRequest, view: View, kwargs: dict[str, Any]) -> PublicResponse:
    environ = request.META
    host = _host(environ)
    if not _host_allowed(host):
        return error_response(400, type="invalid_request", code="invalid_host", detail="Invalid Host header.")
    if settings.SECURE_SSL_REDIRECT and not _is_secure(environ):
        target_host = settings.SECURE_SSL_HOST or host
        query = environ.get("QUERY_STRING", "")
        response = PublicResponse(status=301, body=b"", content_type=None)
        response["Location"] = f"https://{target_host}{request.path}" + (f"?{query}" if query else "")
        return response
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if _declared_length(environ) > limit:
        return _too_large(limit)
    if request.method != "OPTIONS":
        throttled = public_rate_limit_check(request)
        if throttled is not None:
            return throttled
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            request.body = _body(environ, limit)
        except _BodyTooLarge:
            return _too_large(limit)
        except _BodyMalformed:
            return error_response(
                400, type="invalid_request", code="parse_error", detail="Malformed chunked request body."
            )
    connections_release()
    try:
        return view(request, **kwargs)
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        database_unavailable_log(exc)
        return json_response(DATABASE_UNAVAILABLE_BODY, status=503)
    except Exception:
        logger.exception("Unhandled error on %s", secrets_redact(request.path))
        return json_response(SERVER_ERROR_BODY, status=500)
    finally:
        connections_release()


def respond(
    environ: dict, path: str, view: View, kwargs: dict[str, Any]
) -> tuple[PublicResponse, list[tuple[str, str]], bytes]:
    """Serve one request: (response, full header list, body bytes to send)."""
    started = time.perf_counter()
    request_id = _request_id(environ)
    token = current_request_id.set(request_id)
    request = PublicRequest(environ, path=path)
    try:
        response = _serve(request, view, kwargs)
    finally:
        current_request_id.reset(token)
    headers = response.headers
    if response.content_type:
        headers.append(("Content-Type", response.content_type))
    body = response.body
    headers.append(("Content-Length", str(len(body))))
    if response.status != 301:
        headers.extend(cors_headers(environ))
    headers.append(("Vary", ", ".join(("Origin", *response.vary))))
    headers.extend(_security_headers(_is_secure(environ)))
    headers.append((REQUEST_ID_HEADER, request_id))
    if request.method == "HEAD" or response.status == 304:
        body = b""
    if request_logger.isEnabledFor(logging.INFO):
        request_line_log(
            request_id=request_id,
            method=request.method,
            path=path,
            status=response.status,
            started=started,
            project_id=request.log_project_id,
            key_id=None,
        )
    return response, headers, body


def request_path(environ: dict) -> str:
    """PATH_INFO as text (WSGI hands it over as latin-1-decoded bytes)."""
    raw = environ.get("PATH_INFO", "/") or "/"
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


class PublicGateway:
    """WSGI middleware: the public endpoints here, everything else to `app` (Django)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = request_path(environ)
        found = route(path)
        if found is None:
            return self.app(environ, start_response)
        response, headers, body = respond(environ, path, *found)
        start_response(status_line(response.status), headers)
        return [body]
