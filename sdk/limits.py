"""The rate limit in front of every endpoint posthog-js calls (authenticated only by a public token)."""

from rest_framework.exceptions import Throttled

from core.throttles import PublicClientThrottle
from sdk.http import PublicRequest, PublicResponse, json_response


def throttled_response(wait: float | None) -> PublicResponse:
    """The 429 envelope DRF views give (`Retry-After` in whole seconds)."""
    exc = Throttled(wait=wait)
    body = {"type": "throttled_error", "code": exc.default_code, "detail": str(exc.detail), "attr": None}
    response = json_response(body, status=429)
    if wait is not None:
        response["Retry-After"] = str(max(1, int(wait + 0.999)))
    return response


def public_rate_limit_check(request: PublicRequest) -> PublicResponse | None:
    """Count the request against its client IP's `PUBLIC_RATE_LIMIT` budget: the 429 answer when it is
    spent, else None. CORS preflights are not counted (the caller skips them)."""
    throttle = PublicClientThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttled_response(throttle.wait())
