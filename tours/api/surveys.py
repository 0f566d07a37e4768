"""`/api/projects/{project_id}/surveys/`: read-only; surveys are created and ended by their tours."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from tours.models import Survey
from tours.serializers_surveys import SurveySerializer


@extend_schema_view(
    list=extend_schema(operation_id="surveys_list"),
    retrieve=extend_schema(operation_id="surveys_retrieve"),
)
@extend_schema(tags=["surveys"])
class SurveyViewSet(ProjectScopedViewSet):
    scope_object = "survey"
    scope_object_read_actions = ["list", "retrieve"]
    scope_object_write_actions: list[str] = []
    queryset = Survey.objects.select_related("created_by")
    serializer_class = SurveySerializer
    lookup_value_regex = "[^/]+"

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset().order_by("-created_at", "id"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)
