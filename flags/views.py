"""`/api/projects/{project_id}/feature_flags/`: PostHog's feature flag endpoints (thin; logic in services)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from activity.mixins import ActivityActionsMixin
from flags.models import FeatureFlag
from flags.selectors import feature_flag_list, feature_flag_queryset
from flags.serializers import FeatureFlagSerializer
from flags.services import feature_flag_create, feature_flag_update
from flags.services.activity import SCOPE as FLAG_ACTIVITY_SCOPE


@extend_schema_view(
    list=extend_schema(
        operation_id="feature_flags_list",
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, description="Case-insensitive match on key or name."),
            OpenApiParameter("active", OpenApiTypes.STR, enum=["true", "false"]),
            OpenApiParameter(
                "order", OpenApiTypes.STR, description="e.g. `key`, `-updated_at` (default `-created_at`)."
            ),
        ],
    ),
    create=extend_schema(operation_id="feature_flags_create"),
    retrieve=extend_schema(operation_id="feature_flags_retrieve"),
    update=extend_schema(operation_id="feature_flags_update"),
    partial_update=extend_schema(operation_id="feature_flags_partial_update"),
    destroy=extend_schema(
        operation_id="feature_flags_destroy",
        description='Hard delete is not allowed (405, empty body); soft delete with PATCH {"deleted": true}.',
        responses={405: OpenApiResponse(description='Always: use PATCH {"deleted": true}.')},
    ),
    all_activity=extend_schema(operation_id="feature_flags_all_activity_retrieve"),
    activity=extend_schema(operation_id="feature_flags_activity_retrieve"),
)
class FeatureFlagViewSet(ActivityActionsMixin, mixins.ListModelMixin, ProjectScopedViewSet):
    scope_object = "feature_flag"
    activity_scope = FLAG_ACTIVITY_SCOPE
    serializer_class = FeatureFlagSerializer
    queryset = FeatureFlag.objects.all()
    lookup_value_regex = "[^/]+"  # any segment: ids are checked by `object_pk` (malformed: 404)

    def get_queryset(self):
        if self.action == "list":
            params = self.request.query_params
            return feature_flag_list(
                project=self.project,
                search=params.get("search"),
                active=params.get("active"),
                order=params.get("order"),
            )
        return feature_flag_queryset(project=self.project)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        flag = feature_flag_create(project=self.project, user=request.user, **data)
        return Response(self.get_serializer(flag).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        flag = self.get_object()
        serializer = self.get_serializer(flag, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected_version = data.pop("version", None)
        feature_flag_update(flag=flag, user=request.user, expected_version=expected_version, **data)
        return Response(self.get_serializer(flag).data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        # PostHog's ForbidDestroyModel: a bare 405 without a body. Soft delete is PATCH {"deleted": true}.
        return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
