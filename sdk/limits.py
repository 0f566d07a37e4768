"""The rate limit in front of every endpoint posthog-js calls (authenticated only by a public token)."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import Throttled

from core.throttles import PublicClientThrottle
from sdk.cors import cors_apply


def throttled_response(request: HttpRequest, wait: float | None) -> HttpResponse:
    """The 429 envelope DRF views give (`Retry-After` in whole seconds), with CORS so browsers can read it."""
    exc = Throttled(wait=wait)
    body = {"type": "throttled_error", "code": exc.default_code, "detail": str(exc.detail), "attr": None}
    response = JsonResponse(body, status=429)
    if wait is not None:
        response["Retry-After"] = str(max(1, int(wait + 0.999)))
    return cors_apply(request, response)


def public_rate_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Count the request against its client IP's `PUBLIC_RATE_LIMIT` budget; CORS preflights are free."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "OPTIONS":
            throttle = PublicClientThrottle()
            if not throttle.allow_request(request, None):
                return throttled_response(request, throttle.wait())
        return view(request, *args, **kwargs)

    return limited
