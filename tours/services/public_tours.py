"""The public SDK payload (`GET /api/product_tours`): building it, and caching it per project.

Everything lives in Django's default cache (local memory, or Redis when `REDIS_URL` is set):

- `pt:tok:<sha256(token)>` → project id, `0` (unknown token) or `TOMBSTONE` (token changed moments ago);
- `pt:gen:<project id>` → a random *generation*, replaced after every committed write that can change
  the payload (see `tours.public_signals`);
- `pt:tours:<project id>` → `(generation, etag, body bytes, gzip-encoded body bytes)`.

A cached payload is served only while its generation is the current one. A reader reads the generation
*before* the database, so a payload built from rows that a concurrent transaction is about to change is
tagged with the generation that transaction's on-commit bump retires: a stale fill can never outlive the
commit. Each worker also keeps the payloads it served (`_LOCAL`), valid under the same rule, so a warm
request is two small cache reads (token, generation) and no payload transfer or unpickling.
"""

import gzip
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, transaction

from accounts.models import Project
from accounts.recent import RecentItems
from accounts.renderers import json_bytes
from tours.models import ProductTour
from tours.services.representation import datetime_render
from tours.services.steps import steps_normalize, tour_type

logger = logging.getLogger(__name__)

# Project.api_token is a varchar(200): anything longer cannot match, so it is refused without a query.
TOKEN_MAX_LENGTH = 200
TOMBSTONE = "changed"

# Lifetimes (shared cache, process-local cache). With a process-local cache an invalidation reaches only
# the worker that made the write, so entries must expire quickly for the other workers to see edits; a
# shared cache (Redis) is invalidated for all. The payload lifetime also bounds staleness after writes
# that bypass model signals (`QuerySet.update()`, raw SQL).
PAYLOAD_SECONDS = (300, 5)
TOKEN_SECONDS = (600, 60)
UNKNOWN_TOKEN_SECONDS = 30  # brief: a wrong token is usually fixed by a deploy, and random tokens must not pile up
TOMBSTONE_SECONDS = 120  # longer than any request (gunicorn timeout 60 s) that may still hold an old lookup
GENERATION_SECONDS = 7 * 24 * 3600  # losing it is harmless: a new random generation retires old payloads

SDK_FIELDS = (
    "id",
    "name",
    "content",
    "auto_launch",
    "start_date",
    "end_date",
    "internal_targeting_flag__key",
    "linked_flag__key",
)


@dataclass(frozen=True, slots=True)
class PublicTours:
    etag: str  # strong, quoted
    body: bytes
    gzip_body: bytes  # the same JSON, gzip-encoded once at fill time (browsers accept gzip)

    @property
    def gzip_etag(self) -> str:
        """The gzip-encoded body is another representation, so it has its own strong tag."""
        return self.etag[:-1] + '-gzip"'


# --- pure -----------------------------------------------------------------------------------------


def tour_sdk_serialize(*, tour: Mapping[str, Any]) -> dict[str, Any]:
    """One tour as posthog-js reads it, from a row of `SDK_FIELDS` (PostHog's ProductTourAPISerializer)."""
    content = tour["content"] if isinstance(tour["content"], dict) else {}
    steps = content.get("steps")
    item: dict[str, Any] = {
        "id": str(tour["id"]),
        "name": tour["name"],
        "tour_type": tour_type(content),
    }
    # PostHog (DRF) leaves the key out entirely when the tour has no internal flag.
    if tour["internal_targeting_flag__key"] is not None:
        item["internal_targeting_flag_key"] = tour["internal_targeting_flag__key"]
    item.update(
        {
            "linked_flag_key": tour["linked_flag__key"],
            "steps": steps_normalize(steps) if isinstance(steps, list) else [],
            "conditions": content.get("conditions"),
            "appearance": content.get("appearance"),
            "display_frequency": content.get("displayFrequency"),
            "auto_launch": tour["auto_launch"],
            "start_date": datetime_render(tour["start_date"]),
            "end_date": datetime_render(tour["end_date"]),
        }
    )
    return item


def public_tours_render(*, tours: Iterable[Mapping[str, Any]]) -> PublicTours:
    body = json_bytes({"product_tours": [tour_sdk_serialize(tour=tour) for tour in tours]})
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    return PublicTours(etag=etag, body=body, gzip_body=gzip.compress(body, compresslevel=6, mtime=0))


def token_plausible(token: str) -> bool:
    """False for what no project token can be; such tokens are refused without touching the database.

    `isprintable()` also rejects NUL (PostgreSQL refuses it in text) and lone surrogates (not encodable).
    """
    return 0 < len(token) <= TOKEN_MAX_LENGTH and token.isprintable()


# --- database --------------------------------------------------------------------------------------


def public_tours_select(*, project_id: int) -> list[dict[str, Any]]:
    """Launched, non-archived tours of the project (end date and auto-launch are the SDK's business).

    One query whatever the number of tours: flag keys come through joins, rows are plain dicts.
    """
    return list(
        ProductTour.objects.filter(project_id=project_id, archived=False, start_date__isnull=False)
        .order_by("created_at", "id")
        .values(*SDK_FIELDS)
    )


# --- cache -----------------------------------------------------------------------------------------


def _token_key(token: str) -> str:
    # Hashed: bounded length and no characters a cache backend might reject.
    return "pt:tok:" + hashlib.sha256(token.encode()).hexdigest()


def _generation_key(project_id: int) -> str:
    return f"pt:gen:{project_id}"


def _payload_key(project_id: int) -> str:
    return f"pt:tours:{project_id}"


def _lifetime(seconds: tuple[int, int]) -> int:
    return seconds[1] if isinstance(caches["default"], LocMemCache) else seconds[0]


def _new_generation() -> str:
    return secrets.token_hex(8)


def token_from_payload(data: Any) -> Any:
    """The project token a decoded JSON body carries: `$token`, `token`, `api_key`, then `properties.token`.

    Returns what was sent (possibly not a string), or None.
    """
    if not isinstance(data, dict):
        return None
    for name in ("$token", "token", "api_key"):
        if data.get(name):
            return data[name]
    properties = data.get("properties")
    return properties.get("token") if isinstance(properties, dict) else None


def project_token_resolve(*, token: str) -> int | None:
    """The id of the project whose token this is, or None. Exact lookup on the unique column, cached."""
    if not token_plausible(token):
        return None
    key = _token_key(token)
    try:
        cached = cache.get(key)
    except Exception:  # cache outage: answer from the database rather than fail the SDK
        logger.warning("Public tours: token cache unavailable", exc_info=True)
        cached = TOMBSTONE
    if isinstance(cached, int):
        return cached or None
    project_id = next(iter(Project.objects.filter(api_token=token).values_list("id", flat=True)[:1]), None)
    if cached != TOMBSTONE:
        # `add`, not `set`: a tombstone written since our lookup wins over what we read.
        try:
            timeout = _lifetime(TOKEN_SECONDS) if project_id else UNKNOWN_TOKEN_SECONDS
            cache.add(key, project_id or 0, timeout=timeout)
        except Exception:
            logger.warning("Public tours: token cache unavailable", exc_info=True)
    return project_id


def project_token_remember(*, token: str, project_id: int) -> None:
    """After a project's creation commits: serve its token from the cache from the first request on."""
    if token_plausible(token):
        cache.set(_token_key(token), project_id, timeout=_lifetime(TOKEN_SECONDS))


def project_token_forget(*, token: str) -> None:
    """After a committed token change or project delete: no reader may cache this token for a while."""
    if token_plausible(token):
        cache.set(_token_key(token), TOMBSTONE, timeout=TOMBSTONE_SECONDS)


def public_tours_invalidate(*, project_id: int) -> None:
    """Retire the cached payload, now. Model saves and deletes do it through `tours.public_signals`; code
    that changes tours or flags with `QuerySet.update()` calls `public_tours_invalidate_on_commit`."""
    cache.set(_generation_key(project_id), _new_generation(), timeout=GENERATION_SECONDS)


def public_tours_invalidate_on_commit(*, project_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Invalidate once the current transaction commits (never if it rolls back); a cache outage then is
    logged, not raised into a request whose write already succeeded."""
    transaction.on_commit(lambda: public_tours_invalidate(project_id=project_id), using=using, robust=True)


# project id → (generation, payload, expiry on the monotonic clock) this worker served. A copy lives no longer
# than a cached payload does (the bound on staleness after writes that bypass signals); oldest dropped first.
LOCAL_MAX_PROJECTS = 256
_LOCAL: RecentItems = RecentItems(LOCAL_MAX_PROJECTS)


def _local_remember(project_id: int, generation: str, payload: PublicTours) -> None:
    _LOCAL.store(project_id, (generation, payload, time.monotonic() + _lifetime(PAYLOAD_SECONDS)))


def public_tours_get(*, project_id: int) -> PublicTours:
    """The project's SDK payload, from this worker or the cache when it is current, else built and stored."""
    generation_key, payload_key = _generation_key(project_id), _payload_key(project_id)
    try:
        generation = cache.get(generation_key)
        local = _LOCAL.get(project_id)
        if generation is not None and local is not None and local[0] == generation and local[2] > time.monotonic():
            return local[1]
        entry = cache.get(payload_key) if generation is not None else None
        if entry is not None and len(entry) == 4 and entry[0] == generation:  # older entries had no gzip body
            payload = PublicTours(etag=entry[1], body=entry[2], gzip_body=entry[3])
            _local_remember(project_id, generation, payload)
            return payload
        if generation is None:
            generation = _new_generation()
            if not cache.add(generation_key, generation, timeout=GENERATION_SECONDS):
                generation = cache.get(generation_key)  # a writer or another reader got there first
    except Exception:
        logger.warning("Public tours: payload cache unavailable", exc_info=True)
        return public_tours_render(tours=public_tours_select(project_id=project_id))
    # The generation was read before the rows: see the module docstring.
    payload = public_tours_render(tours=public_tours_select(project_id=project_id))
    if generation is not None:
        _local_remember(project_id, generation, payload)
        try:
            entry = (generation, payload.etag, payload.body, payload.gzip_body)
            cache.set(payload_key, entry, timeout=_lifetime(PAYLOAD_SECONDS))
        except Exception:
            logger.warning("Public tours: payload cache unavailable", exc_info=True)
    return payload
