"""Rate limits on the shared cache: several rates per bucket ("480/minute,4800/hour")."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

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
    """Fixed-window counters in the cache, one per rate; the request is refused when any is exhausted."""

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
            key = f"throttle:{self.scope}:{ident}:{duration}:{window}"
            cache.add(key, 0, timeout=duration + 1)
            try:
                count = cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=duration + 1)
                count = 1
            if count > num:
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
