"""`GET …/product_tours/activity/` and `GET …/product_tours/{id}/activity/`: the tours' activity log.

Both need `activity_log:read`. An id is answered when the tour exists in this project or this
project logged activity for it (a deleted tour keeps its history); otherwise — malformed, unknown,
or another project's — 404.
"""

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions

from accounts.activity.selectors import activity_exists, activity_queryset
from accounts.activity.views import (
    ACTIVITY_PAGE_PARAMETERS,
    ActivityPageSerializer,
    activity_action,
    activity_page_response,
)
from tours.models import ProductTour
from tours.services.activity import SCOPE


class ProductTourActivityMixin:
    """Mixed into the product tours viewset (a ProjectScopedViewSet)."""

    # The activity actions pass `required_scopes` to `@action`; DRF only accepts route arguments the
    # viewset already has as attributes. None elsewhere: the viewset's `scope_object` rules apply.
    required_scopes = None

    @extend_schema(
        operation_id="product_tours_all_activity_retrieve",
        parameters=ACTIVITY_PAGE_PARAMETERS,
        responses={200: ActivityPageSerializer},
        tags=["product_tours"],
    )
    @activity_action(detail=False)
    def all_activity(self, request, *args, **kwargs):
        return activity_page_response(request, activity_queryset(project_id=self.project.id, scope=SCOPE))

    @extend_schema(
        operation_id="product_tours_activity_retrieve",
        parameters=ACTIVITY_PAGE_PARAMETERS,
        responses={200: ActivityPageSerializer},
        tags=["product_tours"],
    )
    @activity_action(detail=True)
    def activity(self, request, *args, **kwargs):
        try:
            item_id = str(uuid.UUID(str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))))
        except ValueError:
            raise exceptions.NotFound()
        project_id = self.project.id
        known = ProductTour.objects.filter(project_id=project_id, pk=item_id).exists() or activity_exists(
            project_id=project_id, scope=SCOPE, item_id=item_id
        )
        if not known:
            raise exceptions.NotFound()
        return activity_page_response(request, activity_queryset(project_id=project_id, scope=SCOPE, item_id=item_id))
