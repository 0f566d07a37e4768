"""One log line per request: request id, method, path, status, duration, project id and key id.

The outermost middleware, so every answer (413s, static files, redirects) is logged and carries
`X-Request-ID`. It is on the public SDK endpoint's hot path: no database queries, one `logger.info`.
The path is logged without its query string (project tokens and keys travel there), and a token in
the path itself (posthog-js' /array/<token>/config) is masked. Never the key, only its id.
"""

import logging
import re
import time
import uuid

from core.log_format import current_request_id, secrets_redact

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is short and plain (a UUID, a load balancer's trace id); anything
# else could forge log lines or bloat them, so a fresh one is generated instead.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


def request_id_for(request) -> str:
    supplied = request.META.get("HTTP_X_REQUEST_ID", "")
    return supplied if SANE_REQUEST_ID.match(supplied) else uuid.uuid4().hex


def request_line_log(
    *, request_id: str, method: str, path: str, status: int, started: float, project_id: int | None, key_id
) -> None:
    """The request's log line (`path` without its query string; a token in it is masked here)."""
    shown = secrets_redact(path)
    logger.info(
        "%s %s %s",
        method,
        shown,
        status,
        extra={
            "request_id": request_id,
            "method": method,
            "path": shown,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "project_id": project_id,
            "key_id": key_id,
        },
    )


def _project_id(request, key) -> int | None:
    """The project the URL names (`@current` via the key's user); a view may set `log_project_id`."""
    explicit = request.__dict__.get("log_project_id")
    if explicit is not None:
        return explicit
    match = request.resolver_match
    raw = match.kwargs.get("project_id") if match is not None else None
    if raw is None:
        return None
    if raw == "@current":
        return key.user.current_project_id if key is not None else None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_for(request)
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        if logger.isEnabledFor(logging.INFO):
            # DRF copies `auth` onto the Django request when a key authenticates; the key (with its
            # user) is already loaded, so reading it costs no query.
            key = request.__dict__.get("auth")
            # A personal API key (the only `auth` our authentication sets) has an id and a user.
            key = key if hasattr(key, "user") and hasattr(key, "id") else None
            request_line_log(
                request_id=request_id,
                method=request.method,
                path=request.path,
                status=response.status_code,
                started=started,
                project_id=_project_id(request, key),
                key_id=key.id if key is not None else None,
            )
        return response
