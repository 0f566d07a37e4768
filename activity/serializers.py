"""How activity entries are rendered: per-resource pages (PostHog's `ActivityLogSerializer` in
`activity_logging/serializers.py`) and the project log (the ModelSerializer of `api/activity_log.py`)."""

from typing import Any

from rest_framework import serializers

from accounts.serializers import UserBasicSerializer
from activity.models import ActivityLog

SYSTEM_USER = {"first_name": "System", "email": None, "is_system": True}
# What the per-resource detail shows, in PostHog's DetailSerializer order; `id` and `merge` only when stored.
_DETAIL_OPTIONAL = ("id", "merge")
_DETAIL_FIELDS = ("changes", "trigger", "name", "short_id", "type")
_CHANGE_FIELDS = ("type", "action", "field", "before", "after")


def detail_public(detail: Any) -> dict | None:
    """The stored detail without what the per-resource pages leave out (`context`)."""
    if not isinstance(detail, dict):
        return None
    shown = {key: detail[key] for key in _DETAIL_OPTIONAL if key in detail}
    for key in _DETAIL_FIELDS:
        shown[key] = detail.get(key)
    changes = shown.get("changes")
    if isinstance(changes, list):
        shown["changes"] = [
            {key: change.get(key) for key in _CHANGE_FIELDS} if isinstance(change, dict) else change
            for change in changes
        ]
    return shown


def entry_user(entry: ActivityLog) -> dict | None:
    if entry.is_system:
        return dict(SYSTEM_USER)
    if entry.user is None:  # the user was deleted since
        return None
    return {"first_name": entry.user.first_name, "email": entry.user.email}


class ActivityLogEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    user = serializers.SerializerMethodField()
    activity = serializers.CharField(read_only=True)
    scope = serializers.CharField(read_only=True)
    item_id = serializers.CharField(read_only=True)
    detail = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_user(self, entry: ActivityLog) -> dict | None:
        return entry_user(entry)

    def get_detail(self, entry: ActivityLog) -> dict | None:
        return detail_public(entry.detail)


class ActivityLogSerializer(serializers.ModelSerializer):
    organization_id = serializers.UUIDField(read_only=True)
    user = UserBasicSerializer(read_only=True)
    # PostHog: newer than the user's notification bookmark; there are no bookmarks here.
    unread = serializers.SerializerMethodField()

    class Meta:
        model = ActivityLog
        fields = [
            "id",
            "organization_id",
            "user",
            "was_impersonated",
            "is_system",
            "activity",
            "item_id",
            "scope",
            "detail",
            "created_at",
            "unread",
        ]
        read_only_fields = fields

    def get_unread(self, entry: ActivityLog) -> bool:
        return False
