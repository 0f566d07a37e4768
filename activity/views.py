"""`GET /api/projects/{id}/activity_log/` and the paging every per-resource `activity` endpoint shares."""

import uuid

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, pagination, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from accounts.viewsets import ProjectScopedViewSet
from activity.models import ActivityLog
from activity.selectors import ORDERING, activity_queryset
from activity.serializers import ActivityLogEntrySerializer, ActivityLogSerializer

ACTIVITY_SCOPES = ["activity_log:read"]
MAX_LIMIT = 1000
MAX_PAGE = 2**31


def activity_action(*, detail: bool):
    """`@action` for `GET …/activity/`, needing `activity_log:read` whatever the viewset's own scope.

    The scope is set on the action (PostHog's `required_scopes=`) and on the function, where the
    permission reads it also for a view built without the route's arguments.
    """

    def decorate(func):
        func.required_scopes = list(ACTIVITY_SCOPES)
        return action(detail=detail, methods=["get"], url_path="activity", required_scopes=list(ACTIVITY_SCOPES))(func)

    return decorate


class ActivityPageQuery(serializers.Serializer):
    limit = serializers.IntegerField(default=10, min_value=1, max_value=MAX_LIMIT)
    page = serializers.IntegerField(default=1, min_value=1, max_value=MAX_PAGE)


ACTIVITY_PAGE_PARAMETERS = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="Entries per page (default 10, at most 1000)."),
    OpenApiParameter("page", OpenApiTypes.INT, description="1-based page number (default 1)."),
]


class ActivityPageSerializer(serializers.Serializer):
    results = ActivityLogEntrySerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    total_count = serializers.IntegerField()


def _page_url(request, *, page: int, limit: int) -> str:
    return replace_query_param(replace_query_param(request.build_absolute_uri(), "page", page), "limit", limit)


def activity_page_response(request, queryset: QuerySet[ActivityLog]) -> Response:
    """PostHog's `activity_page_response`: `{results, next, previous, total_count}`, `?limit=` and `?page=`."""
    query = ActivityPageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    limit, page_number = query.validated_data["limit"], query.validated_data["page"]
    paginator = Paginator(queryset, limit)
    try:
        page = paginator.page(page_number)
        results, has_next, has_previous = list(page.object_list), page.has_next(), page.has_previous()
    except EmptyPage:  # past the last page: nothing, and the way back
        results, has_next, has_previous = [], False, page_number > 1
    return Response(
        {
            "results": ActivityLogEntrySerializer(results, many=True).data,
            "next": _page_url(request, page=page_number + 1, limit=limit) if has_next else None,
            "previous": _page_url(request, page=page_number - 1, limit=limit) if has_previous else None,
            "total_count": paginator.count,
        }
    )


class ActivityLogPagination(pagination.CursorPagination):
    ordering = ORDERING
    page_size = 100


class ActivityLogFilters(serializers.Serializer):
    # Blank values filter nothing, as in PostHog; NUL characters are a 400 (DRF's CharField).
    scope = serializers.CharField(required=False, allow_blank=True, max_length=79)
    item_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    user = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate_user(self, value: str):
        """A user id, or a user's UUID."""
        if not value:
            return None
        if value.isascii() and value.isdigit() and int(value) < 2**63:
            return {"user_id": int(value)}
        try:
            return {"user__uuid": uuid.UUID(value)}
        except ValueError:
            raise serializers.ValidationError("Expected a user id or UUID.", code="invalid") from None


@extend_schema_view(
    list=extend_schema(
        operation_id="activity_log_list",
        parameters=[
            OpenApiParameter("scope", OpenApiTypes.STR, description="e.g. `ProductTour`, `FeatureFlag`."),
            OpenApiParameter("item_id", OpenApiTypes.STR, description="The item's id, exactly as logged."),
            OpenApiParameter("user", OpenApiTypes.STR, description="The acting user's id or UUID."),
        ],
    )
)
@extend_schema(tags=["activity_log"])
class ActivityLogViewSet(mixins.ListModelMixin, ProjectScopedViewSet):
    """The project's activity log, newest first; cursor-paginated (PostHog: no count)."""

    scope_object = "activity_log"
    queryset = ActivityLog.objects.all()
    serializer_class = ActivityLogSerializer
    pagination_class = ActivityLogPagination

    def get_queryset(self):
        filters = ActivityLogFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        queryset = activity_queryset(
            project_id=self.project.id, scope=params.get("scope") or None, item_id=params.get("item_id") or None
        )
        if params.get("user"):
            queryset = queryset.filter(**params["user"])
        return queryset
