"""`POST /api/projects/{project_id}/product_tours/{id}/generate/`: AI-written step copy, nothing saved.

Checks in order (rather than PostHog's 500s): AI configured (400), organization approved AI data
processing (403), tour exists in this project and is not archived (404), body valid with at most
`PRODUCT_TOURS_MAX_STEPS` steps, steps not empty, every element or pop-up step with an id (400);
upstream timeout 504, any other upstream failure 502.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from core.throttles import AIGenerationThrottle, PersonalAPIKeyThrottle
from tours.serializers_generate import GenerateRequestSerializer, GenerateResponseSerializer
from tours.services.generate import ai_is_configured, tour_steps_generate
from tours.services.generate.errors import CONSENT_DETAIL, AIGenerationNotConfigured


class ProductTourGenerateMixin:
    """Mixed into the product tours viewset (a ProjectScopedViewSet); `generate` is a write action."""

    @extend_schema(
        operation_id="product_tours_generate_create",
        summary="Generate tour step content using AI",
        description="Generate tour step content using AI.",
        tags=["product_tours"],
        request=GenerateRequestSerializer,
        responses={200: GenerateResponseSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="generate",
        # The per-user AI budget on top of the usual per-key limit.
        throttle_classes=[PersonalAPIKeyThrottle, AIGenerationThrottle],
    )
    def generate(self, request, *args, **kwargs):
        if not ai_is_configured():
            raise AIGenerationNotConfigured()
        if self.project.organization.is_ai_data_processing_approved is not True:
            raise exceptions.PermissionDenied(CONSENT_DETAIL)
        self._generate_tour_get()  # only its existence matters: the stored content is not sent
        serializer = GenerateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        steps = tour_steps_generate(**serializer.validated_data)
        return Response(GenerateResponseSerializer({"steps": steps}).data)

    def _generate_tour_get(self):
        tour = self.get_queryset().filter(archived=False, pk=self.object_pk()).first()
        if tour is None:
            raise exceptions.NotFound()
        return tour
