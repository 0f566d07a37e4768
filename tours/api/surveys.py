"""`/api/projects/{project_id}/surveys/`: read-only; surveys are created and ended by their tours."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from tours.models import Survey
from tours.serializers_stats import SurveyResponseSerializer
from tours.serializers_surveys import SurveySerializer
from tours.services.survey_responses import survey_responses_page, survey_responses_select


@extend_schema_view(
    list=extend_schema(operation_id="surveys_list"),
    retrieve=extend_schema(operation_id="surveys_retrieve"),
)
@extend_schema(tags=["surveys"])
class SurveyViewSet(ProjectScopedViewSet):
    scope_object = "survey"
    scope_object_read_actions = ["list", "retrieve", "responses"]
    scope_object_write_actions: list[str] = []
    queryset = Survey.objects.select_related("created_by")
    serializer_class = SurveySerializer
    lookup_value_regex = "[^/]+"

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset().order_by("-created_at", "id"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        operation_id="surveys_responses_retrieve",
        summary="Survey responses",
        description=(
            "The survey's answers, newest first: one entry per `survey sent` event posthog-js sent for it, "
            "with the response to each of the survey's questions."
        ),
        responses={200: SurveyResponseSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="responses")
    def responses(self, request: Request, *args, **kwargs) -> Response:
        surveys = self.get_queryset().select_related(None).only("id", "project_id", "questions")
        survey = surveys.filter(pk=self.object_pk()).first()
        if survey is None:
            raise exceptions.NotFound()
        events = self.paginate_queryset(survey_responses_select(survey=survey))
        page = survey_responses_page(survey=survey, events=events or [])
        return self.get_paginated_response(SurveyResponseSerializer(page, many=True).data)
