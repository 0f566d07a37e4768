"""Activity log entries as the tests compare them."""

from activity.models import ActivityLog


def entries(**filters) -> list[ActivityLog]:
    """Entries oldest first (the order they were written in); API key entries only when asked for."""
    queryset = ActivityLog.objects.filter(**filters)
    if "scope" not in filters:
        queryset = queryset.exclude(scope="PersonalAPIKey")  # every tenant's key creation
    return list(queryset.order_by("created_at", "id"))


def summary(**filters) -> list[tuple[str, str, str]]:
    return [(entry.scope, entry.activity, entry.item_id) for entry in entries(**filters)]


def created_detail(name: str) -> dict:
    return {"name": name, "short_id": None, "type": None, "changes": None, "trigger": None, "context": None}


def change(scope: str, action: str, field: str, before=None, after=None) -> dict:
    return {"type": scope, "action": action, "field": field, "before": before, "after": after}
