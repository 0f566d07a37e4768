"""Rate limits: several rates per bucket ("480/minute,4800/hour"), counted once across every worker and
instance in the shared store (core.shared_store), which fails open when it is unavailable."""

import ipaddress
import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from core.shared_store import counter_incr, counters_get

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rates(spec: str) -> list[tuple[int, int]]:
    rates = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        num, _, period = part.partition("/")
        rates.append((int(num), DURATIONS[period.strip()[0].lower()]))
    return rates


class MultiRateThrottle(BaseThrottle):
    """Fixed-window counters in the shared store, one per rate; the request is refused when any is exhausted."""

    rate_setting = ""
    scope = ""

    def get_ident_for(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        if not settings.RATE_LIMIT_ENABLED:
            return True
        ident = self.get_ident_for(request, view)
        if ident is None:
            return True
        now = time.time()
        self.wait_seconds = None
        for num, duration in parse_rates(getattr(settings, self.rate_setting)):
            window = int(now // duration)
            count = counter_incr(f"throttle:{self.scope}:{ident}:{duration}:{window}", timeout=duration + 1)
            if count is not None and count > num:
                self.wait_seconds = (window + 1) * duration - now
                return False
        return True

    def wait(self):
        return self.wait_seconds


class PersonalAPIKeyThrottle(MultiRateThrottle):
    rate_setting = "API_RATE_LIMIT"
    scope = "pak"

    def get_ident_for(self, request, view) -> str | None:
        key = getattr(request, "personal_api_key", None)
        return key.id if key is not None else None


class AIGenerationThrottle(MultiRateThrottle):
    rate_setting = "AI_RATE_LIMIT"
    scope = "ai"

    def get_ident_for(self, request, view) -> str | None:
        user = request.user
        return str(user.id) if getattr(user, "is_authenticated", False) else None


def client_ip(request) -> str:
    """The address the invalid-key bucket is keyed on: `REMOTE_ADDR`, or, behind `TRUSTED_PROXY_COUNT`
    proxies, the `X-Forwarded-For` entry the outermost trusted proxy appended (entries further left are
    whatever the client sent and cannot be trusted)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class InvalidKeyIPThrottle:
    """Per-IP budget of failed personal API key lookups (`INVALID_KEY_RATE_LIMIT`).

    Consulted *before* a key is looked up: once an address has used its budget, every request from it
    that carries a key is refused with 429 until the window passes, valid keys included. Otherwise a
    guesser would get fresh tries forever and the 429 would only label the wrong guesses.
    """

    rate_setting = "INVALID_KEY_RATE_LIMIT"
    scope = "badkey"

    def _keys(self, ident: str, now: float):
        for num, duration in parse_rates(getattr(settings, self.rate_setting)):
            window = int(now // duration)
            yield num, duration, window, f"throttle:{self.scope}:{ident}:{duration}:{window}"

    def wait_seconds(self, ident: str) -> float | None:
        """Seconds until the address may try again, or None when it still has budget."""
        if not settings.RATE_LIMIT_ENABLED:
            return None
        now = time.time()
        buckets = list(self._keys(ident, now))
        counts = counters_get(key for *_, key in buckets)  # one round trip per keyed request
        waits = [
            (window + 1) * duration - now for num, duration, window, key in buckets if (counts.get(key) or 0) >= num
        ]
        return max(waits) if waits else None

    def failure_record(self, ident: str) -> None:
        if not settings.RATE_LIMIT_ENABLED:
            return
        for _num, duration, _window, key in self._keys(ident, time.time()):
            counter_incr(key, timeout=duration + 1)


class PublicClientThrottle(MultiRateThrottle):
    """`PUBLIC_RATE_LIMIT`: requests per client IP over the endpoints posthog-js calls, all together."""

    rate_setting = "PUBLIC_RATE_LIMIT"
    scope = "public"

    def get_ident_for(self, request, view) -> str | None:
        return client_ip(request)
