"""CORS for endpoints browsers call directly (public SDK endpoint, posthog-js endpoints)."""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "X-Requested-With,Content-Type"
CORS_TRACING_HEADERS = ("traceparent", "request-id")  # sent by tracing libraries wrapping fetch


def cors_apply(request: HttpRequest, response: HttpResponse, vary: tuple[str, ...] = ()) -> HttpResponse:
    """PostHog's `cors_response`: echo the caller's origin, allow credentials and tracing headers.

    `Vary` gets `Origin` and the response's own `vary` headers, added to any already there."""
    patch_vary_headers(response, ("Origin", *vary))
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        try:
            parts = urlsplit(origin)
            allowed = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "*"
        except ValueError:  # e.g. a broken IPv6 literal
            allowed = "*"
        response["Access-Control-Allow-Origin"] = allowed
        response["Access-Control-Allow-Credentials"] = "true"
    response["Access-Control-Allow-Methods"] = CORS_METHODS
    requested = request.META.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
    extra = [h for h in CORS_TRACING_HEADERS if h in {r.strip().lower() for r in requested.split(",")}]
    response["Access-Control-Allow-Headers"] = ",".join([CORS_HEADERS, *extra])
    return response
