"""The store every worker and instance shares: rate-limit counters (and the health probe) live here.

It is Django's default cache: Redis when `REDIS_URL` is set, otherwise a diskcache store under `var/`
that the workers of one machine share. An outage must never fail a request: every call here fails
open (a warning is logged, the answer is "nothing counted"), and after a failure this worker leaves
the store alone for `RETRY_SECONDS`, so a dead Redis costs one refused connection, not one per request.
"""

import logging
import time
from collections.abc import Iterable

from diskcache import DjangoCache
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
_unavailable_until = 0.0


def _available() -> bool:
    return time.monotonic() >= _unavailable_until


def _failed(exc: Exception) -> None:
    global _unavailable_until
    if _available():  # one warning per outage window, not one per request
        logger.warning("Shared store unavailable, rate limits are not counted: %s: %s", type(exc).__name__, exc)
    _unavailable_until = time.monotonic() + RETRY_SECONDS


def _recovered() -> None:
    global _unavailable_until
    _unavailable_until = 0.0


# Redis: INCR, and EXPIRE when the counter is new, in one round trip (Django's `add` + `incr` take three).
_INCR_LUA = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"
_incr_script = None


def _incr(key: str, timeout: int) -> int | None:
    store = caches["default"]
    if isinstance(store, RedisCache):
        global _incr_script
        client = store._cache.get_client(key, write=True)  # Django's client for the key (its pool)
        if _incr_script is None:
            _incr_script = client.register_script(_INCR_LUA)
        # Counters are stored as plain integers, as Django's Redis serializer stores ints.
        return int(_incr_script(keys=[store.make_and_validate_key(key)], args=[timeout], client=client))
    if isinstance(store, DjangoCache):  # one SQLite transaction; the expiry only on a new counter
        value = store.incr(key, 1, default=0)
        if value == 1:
            store.touch(key, timeout)
        return value
    for _ in range(3):  # any other backend: the key can expire between `add` and `incr`
        store.add(key, 0, timeout=timeout)
        try:
            return store.incr(key)
        except ValueError:
            continue
    return None


def counter_incr(key: str, *, timeout: int) -> int | None:
    """Add one to the counter `key` (created with `timeout` seconds to live); its new value, or None
    when the store is unavailable. Atomic on both stores, so concurrent workers never lose a count."""
    if not _available():
        return None
    try:
        return _incr(key, timeout)
    except Exception as exc:  # Redis down, disk full, …: fail open
        _failed(exc)
        return None


def counters_get(keys: Iterable[str]) -> dict[str, int]:
    """The current values of the counters that exist; empty when the store is unavailable."""
    if not _available():
        return {}
    try:
        return cache.get_many(list(keys))
    except Exception as exc:
        _failed(exc)
        return {}


def store_ping() -> bool:
    """Whether the store answers a write and a read now (health check; ignores the retry pause)."""
    try:
        cache.set("health:ping", 1, timeout=10)
        ok = cache.get("health:ping") == 1
    except Exception as exc:
        _failed(exc)
        return False
    if ok:
        _recovered()
    return ok
