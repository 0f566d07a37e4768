"""CORS for endpoints browsers call directly (public SDK endpoint, posthog-js endpoints)."""

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "X-Requested-With,Content-Type"
CORS_TRACING_HEADERS = ("traceparent", "request-id")  # sent by tracing libraries wrapping fetch


def cors_headers(meta: Mapping[str, str]) -> list[tuple[str, str]]:
    """PostHog's `cors_response`: echo the caller's origin, allow credentials and tracing headers.

    `meta` is the WSGI environ (Django's `request.META`)."""
    headers = []
    origin = meta.get("HTTP_ORIGIN")
    if origin:
        try:
            parts = urlsplit(origin)
            allowed = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "*"
        except ValueError:  # e.g. a broken IPv6 literal
            allowed = "*"
        headers.append(("Access-Control-Allow-Origin", allowed))
        headers.append(("Access-Control-Allow-Credentials", "true"))
    headers.append(("Access-Control-Allow-Methods", CORS_METHODS))
    allowed_headers = CORS_HEADERS
    requested = meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
    if requested:
        asked = {r.strip().lower() for r in requested.split(",")}
        allowed_headers = ",".join([CORS_HEADERS, *(h for h in CORS_TRACING_HEADERS if h in asked)])
    headers.append(("Access-Control-Allow-Headers", allowed_headers))
    return headers


def cors_apply(request: HttpRequest, response: HttpResponseBase, vary: tuple[str, ...] = ()) -> HttpResponseBase:
    """CORS headers on a Django response (the static bundles); `Vary` gets `Origin` and `vary`."""
    patch_vary_headers(response, ("Origin", *vary))
    for name, value in cors_headers(request.META):
        response[name] = value
    return response
