"""Read queries for feature flags."""

from django.db.models import Q, QuerySet

from flags.models import FeatureFlag

ORDER_FIELDS = frozenset({"key", "name", "active", "created_at", "updated_at", "id"})
DEFAULT_ORDER = "-created_at"


def feature_flag_queryset(*, project) -> QuerySet[FeatureFlag]:
    """Live flags of the project, with what the serializer renders (no per-row queries)."""
    return FeatureFlag.objects.alive().filter(project=project).select_related("created_by", "last_modified_by")


def feature_flag_list(
    *, project, search: str | None = None, active: str | None = None, order: str | None = None
) -> QuerySet[FeatureFlag]:
    """The flag list: live flags without product tours' internal targeting flags (PostHog hides them too)."""
    queryset = feature_flag_queryset(project=project).exclude(targeted_tours__isnull=False)
    search = (search or "").replace("\x00", "")  # PostgreSQL refuses NUL in text parameters
    if search:
        queryset = queryset.filter(Q(key__icontains=search) | Q(name__icontains=search))
    if active in ("true", "false"):
        queryset = queryset.filter(active=active == "true")
    order = order if order and order.lstrip("-") in ORDER_FIELDS else DEFAULT_ORDER
    return queryset.order_by(order, "-id")
