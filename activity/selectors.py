"""Read queries for the activity log; always within one project."""

from django.db.models import QuerySet

from activity.models import ActivityLog

ORDERING = ("-created_at", "-id")


def activity_queryset(
    *, project_id: int, scope: str | None = None, item_id: str | None = None
) -> QuerySet[ActivityLog]:
    """Newest first: the project's entries, optionally of one scope and one item."""
    queryset = ActivityLog.objects.filter(project_id=project_id).select_related("user")
    if scope is not None:
        queryset = queryset.filter(scope=scope)
    if item_id is not None:
        queryset = queryset.filter(item_id=item_id)
    return queryset.order_by(*ORDERING)


def activity_exists(*, project_id: int, scope: str, item_id: str) -> bool:
    """Whether the project logged anything for the item (e.g. a tour deleted since)."""
    return ActivityLog.objects.filter(project_id=project_id, scope=scope, item_id=item_id).exists()
