"""Capture (`/e`): apply a request's person updates and keep its tour and survey events, within the
bounds of one request (how many events, how large each may be)."""

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from flags.persons import person_events_apply
from sdk.models import STATS_EVENT_NAME_MAX, STATS_TEXT_MAX, CapturedEvent
from tours.services.survey_answers import first_answer_label

logger = logging.getLogger(__name__)

STORED_EVENT_PREFIXES = ("product tour", "survey ")


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


def _event_distinct_id(event: dict) -> str | None:
    properties = event["properties"] if isinstance(event.get("properties"), dict) else {}
    value = event.get("distinct_id", properties.get("distinct_id"))
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    value = str(value)
    return value[:400] if value else None


def _event_timestamp(event: dict) -> datetime | None:
    """The event's `timestamp`, aware (a naive one is UTC); None when absent or not a date time."""
    value = event.get("timestamp")
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            return None
        # Converting also refuses offsets that push a date past the calendar's ends (year 1 or 9999).
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _text_property(properties: dict, key: str) -> str | None:
    """A property as the text a stats column holds: strings and numbers (not booleans); None otherwise."""
    value = properties.get(key)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value)[:STATS_TEXT_MAX]
    return text or None


def _uuid_property(properties: dict, key: str) -> uuid.UUID | None:
    """An id property that is a UUID (tour and survey ids are); None otherwise."""
    value = properties.get(key)
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def captured_columns(*, event: dict, arrived_at: datetime) -> dict[str, Any]:
    """The columns the tour stats read, extracted once at capture time (see `CapturedEvent`)."""
    properties = event["properties"] if isinstance(event.get("properties"), dict) else {}
    timestamp = _event_timestamp(event)
    name = event.get("event")
    # A name longer than any posthog-js tour event's is not one: no stats columns (bounds the index row).
    properties = properties if isinstance(name, str) and len(name) <= STATS_EVENT_NAME_MAX else {}
    survey_id = _uuid_property(properties, "$survey_id")
    response = first_answer_label(properties) if survey_id is not None else None
    return {
        "timestamp": timestamp,
        "event_time": timestamp or arrived_at,
        "tour_id": _uuid_property(properties, "$product_tour_id"),
        "step_id": _text_property(properties, "$product_tour_step_id"),
        "survey_id": survey_id,
        "dismiss_reason": _text_property(properties, "$product_tour_dismiss_reason"),
        "survey_response": response[:STATS_TEXT_MAX] if response else None,
    }


def capture_events_ingest(*, project_id: int, events: list[dict]) -> int:
    """Apply person updates and keep tour/survey events, all in one transaction. Returns how many
    events were accepted.

    More than `CAPTURE_MAX_EVENTS` events raise `TooManyEvents` before anything is applied; events
    larger than `CAPTURE_MAX_EVENT_BYTES` are dropped (counted in the log), not applied or stored.
    """
    events_count_check(events)
    named: list[tuple[str, dict]] = []
    for event in events:
        name = event.get("event")
        distinct_id = _event_distinct_id(event)
        if isinstance(name, str) and name and distinct_id is not None:
            named.append((distinct_id, event))
    accepted = events_within_size(named, project_id=project_id)
    arrived_at = timezone.now()
    stored = [
        CapturedEvent(
            project_id=project_id,
            event=event["event"][:400],
            distinct_id=distinct_id,
            properties=event["properties"] if isinstance(event.get("properties"), dict) else {},
            **captured_columns(event=event, arrived_at=arrived_at),
        )
        for distinct_id, event in accepted
        if event["event"].startswith(STORED_EVENT_PREFIXES)
    ]
    with transaction.atomic():
        person_events_apply(project_id=project_id, events=accepted)
        if stored:
            CapturedEvent.objects.bulk_create(stored)
    return len(accepted)
