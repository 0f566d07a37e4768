"""Writing activity entries (PostHog's `log_activity`)."""

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.activity.changes import Detail
from accounts.activity.encoding import detail_to_json
from accounts.activity.models import ActivityLog

logger = logging.getLogger(__name__)


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
    try:
        # A savepoint: on PostgreSQL a failed insert would otherwise abort the caller's transaction.
        with transaction.atomic():
            return ActivityLog.objects.create(
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
    except Exception:
        # The log must never break the change it records; test settings opt in to seeing failures.
        if getattr(settings, "ACTIVITY_LOG_RAISE_ERRORS", False):
            raise
        logger.exception("Activity log entry not written: %s %s %s", scope, activity, item_id)
        return None
