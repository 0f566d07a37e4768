"""`GET /api/projects/{project_id}/product_tours/{id}/stats/`: how many people saw, finished and dismissed
the tour, step by step, from the events posthog-js sent (a read action: `product_tour:read`)."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from tours.serializers_stats import ProductTourStatsSerializer
from tours.services.stats import tour_stats_get
from tours.services.stats_dates import DATE_HELP, stats_range_parse

DATE_PARAMETERS = [
    OpenApiParameter(
        "date_from", OpenApiTypes.STR, description=f"Start of the range, included: {DATE_HELP}. Default -30d."
    ),
    OpenApiParameter(
        "date_to",
        OpenApiTypes.STR,
        description=f"End of the range, included (a date alone includes that whole day, UTC): {DATE_HELP}. "
        "Default now.",
    ),
]


class ProductTourStatsMixin(ProjectScopedViewSet):
    """Mixed into the product tours viewset."""

    @extend_schema(
        operation_id="product_tours_stats_retrieve",
        summary="Product tour stats",
        description=(
            "Shown, completed and dismissed counts (events and unique people), the completion rate, each "
            "step's funnel, survey step answers and dismiss reasons, from the `product tour …` and "
            "`survey sent` events posthog-js sends. An event's time is its `timestamp`, else when it arrived."
        ),
        parameters=DATE_PARAMETERS,
        responses={200: ProductTourStatsSerializer},
    )
    @action(detail=True, methods=["get"], url_path="stats")
    def stats(self, request: Request, *args, **kwargs) -> Response:
        # Only what the stats read: not the flags and creator a tour's representation joins.
        tours = self.get_queryset().select_related(None).only("id", "project_id", "content")
        tour = tours.filter(pk=self.object_pk()).first()
        if tour is None:  # unknown, malformed or another project's: 404 before any 400
            raise exceptions.NotFound()
        date_range = stats_range_parse(
            date_from=request.query_params.get("date_from"),
            date_to=request.query_params.get("date_to"),
            now=timezone.now(),
        )
        return Response(ProductTourStatsSerializer(tour_stats_get(tour=tour, date_range=date_range)).data)
