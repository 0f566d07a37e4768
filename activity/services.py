"""Writing activity entries (PostHog's `log_activity`)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import transaction

from activity.changes import Detail
from activity.encoding import detail_to_json
from activity.models import ActivityLog

logger = logging.getLogger(__name__)

# Entries waiting for the end of an `activity_batch()`, or None when no batch is open.
_batch: ContextVar[list[ActivityLog] | None] = ContextVar("activity_batch", default=None)


def _write(entries: list[ActivityLog]) -> bool:
    try:
        # A savepoint: on PostgreSQL a failed insert would otherwise abort the caller's transaction.
        with transaction.atomic():
            ActivityLog.objects.bulk_create(entries)
        return True
    except Exception:
        # The log must never break the change it records; test settings opt in to seeing failures.
        if getattr(settings, "ACTIVITY_LOG_RAISE_ERRORS", False):
            raise
        logger.exception(
            "Activity log entries not written: %s", ", ".join(f"{e.scope} {e.activity} {e.item_id}" for e in entries)
        )
        return False


@contextmanager
def activity_batch() -> Iterator[None]:
    """Entries logged inside are written together when it ends without an error (one insert): a write
    that touches a tour and its flag logs both in one statement. Use inside the write's transaction."""
    if _batch.get() is not None:  # already batching: the outer batch writes them
        yield
        return
    entries: list[ActivityLog] = []
    token = _batch.set(entries)
    try:
        yield
    finally:
        _batch.reset(token)
    if entries:
        _write(entries)


def log_activity(
    *,
    organization_id: Any,
    project_id: int | None,
    user: Any,
    item_id: Any,
    scope: str,
    activity: str,
    detail: Detail,
    was_impersonated: bool | None = False,
    force_save: bool = False,
) -> ActivityLog | None:
    """Record one activity in the caller's transaction: it commits or rolls back with the change.

    An `updated` entry without changes is dropped (unless `force_save`), as is impersonated
    activity without a user. Failures are logged and swallowed: the change itself goes on.
    """
    if was_impersonated and user is None:
        logger.warning("Activity log: impersonated %s %s without a user, not recorded", scope, activity)
        return None
    if activity == "updated" and not detail.changes and not force_save:
        return None
    entry = ActivityLog(
        organization_id=organization_id,
        project_id=project_id,
        user=user,
        was_impersonated=was_impersonated,
        is_system=user is None,
        item_id=None if item_id is None else str(item_id),
        scope=scope,
        activity=activity,
        detail=detail_to_json(detail),
    )
    batch = _batch.get()
    if batch is not None:
        batch.append(entry)
        return entry
    return entry if _write([entry]) else None
