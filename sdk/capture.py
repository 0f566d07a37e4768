"""Bounds of one capture request (`/e`): how many events, how large each may be."""

import json
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


class TooManyEvents(Exception):
    """More events in one request than `CAPTURE_MAX_EVENTS` (413); nothing of the request is applied."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"Too many events in one request: {count} (limit {limit}, CAPTURE_MAX_EVENTS).")


def events_count_check(events: list) -> None:
    limit = settings.CAPTURE_MAX_EVENTS
    if len(events) > limit:
        raise TooManyEvents(len(events), limit)


def event_size(event: dict) -> int:
    """The event's size as compact UTF-8 JSON."""
    return len(json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))


def events_within_size(events: list[tuple[str, dict]], *, project_id: int) -> list[tuple[str, dict]]:
    """The `(distinct_id, event)` pairs no larger than `CAPTURE_MAX_EVENT_BYTES`; the others are dropped
    and counted in one log line."""
    limit = settings.CAPTURE_MAX_EVENT_BYTES
    kept = [pair for pair in events if event_size(pair[1]) <= limit]
    dropped = len(events) - len(kept)
    if dropped:
        logger.warning(
            "Capture dropped %d event(s) larger than CAPTURE_MAX_EVENT_BYTES (%d bytes) for project %s",
            dropped,
            limit,
            project_id,
        )
    return kept
