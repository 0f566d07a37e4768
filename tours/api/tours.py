"""`/api/projects/{project_id}/product_tours/`: PostHog's product tour endpoints (thin; logic in services)."""

from contextlib import nullcontext

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from activity.mixins import ActivityActionsMixin
from core.etags import etag_of, if_none_match_matches
from core.parsers import JSONOrFormBodyParser
from core.renderers import ORJSONRenderer
from tours.api.drafts import ProductTourDraftsMixin
from tours.api.generate import ProductTourGenerateMixin
from tours.api.list_pages import list_page
from tours.api.openapi import IF_MATCH, SEARCH_DESCRIPTION, etag_header
from tours.api.stats import ProductTourStatsMixin
from tours.models import TOUR_RELATIONS, ProductTour, ProjectToursRevision
from tours.serializers import (
    ProductTourSerializer,
    ProductTourSerializerCreateUpdateOnly,
)
from tours.services.activity import SCOPE as TOUR_ACTIVITY_SCOPE
from tours.services.search import search_session, tours_search
from tours.services.tours import tour_create, tour_delete, tour_update


@extend_schema_view(
    list=extend_schema(
        operation_id="product_tours_list",
        parameters=[OpenApiParameter("search", OpenApiTypes.STR, description=SEARCH_DESCRIPTION)],
    ),
    create=extend_schema(
        operation_id="product_tours_create",
        request=ProductTourSerializerCreateUpdateOnly,
        responses={201: ProductTourSerializerCreateUpdateOnly},
        parameters=[etag_header(201)],
    ),
    retrieve=extend_schema(operation_id="product_tours_retrieve", parameters=[etag_header(200)]),
    update=extend_schema(
        operation_id="product_tours_update",
        request=ProductTourSerializer,
        responses={200: ProductTourSerializer},
        parameters=[IF_MATCH, etag_header(200)],
    ),
    partial_update=extend_schema(
        operation_id="product_tours_partial_update",
        request=ProductTourSerializerCreateUpdateOnly,
        responses={200: ProductTourSerializerCreateUpdateOnly},
        parameters=[IF_MATCH, etag_header(200)],
    ),
    destroy=extend_schema(operation_id="product_tours_destroy", parameters=[IF_MATCH]),
    all_activity=extend_schema(operation_id="product_tours_all_activity_retrieve"),
    activity=extend_schema(operation_id="product_tours_activity_retrieve"),
)
@extend_schema(tags=["product_tours"])
class ProductTourViewSet(
    ActivityActionsMixin, ProductTourDraftsMixin, ProductTourGenerateMixin, ProductTourStatsMixin, ProjectScopedViewSet
):
    """Create, read, update, and manage product tours and their targeting."""

    scope_object = "product_tour"
    activity_scope = TOUR_ACTIVITY_SCOPE
    scope_object_read_actions = ["list", "retrieve", "draft_status", "stats"]
    scope_object_write_actions = [
        "create",
        "update",
        "partial_update",
        "destroy",
        "draft",
        "publish_draft",
        "discard_draft",
        "generate",
    ]
    queryset = ProductTour.objects.select_related(*TOUR_RELATIONS)
    serializer_class = ProductTourSerializer
    parser_classes = [JSONOrFormBodyParser, FormParser, MultiPartParser]
    lookup_value_regex = "[^/]+"
    project_annotations = {
        "tours_revision": Subquery(ProjectToursRevision.objects.filter(project_id=OuterRef("id")).values("value")[:1])
    }

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ProductTourSerializerCreateUpdateOnly
        return ProductTourSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            search = self.request.query_params.get("search")
            if search:
                return tours_search(queryset=queryset, term=search)
            return queryset.order_by("-created_at", "id")
        return queryset

    @property
    def count_with_page(self) -> bool:
        """Searched lists rank every match before paging: the total comes with the page (pagination)."""
        return bool(self.request.query_params.get("search"))

    def list(self, request, *args, **kwargs):
        # A page shows nothing but rows the project's revision covers: same revision and request, same page.
        etag = etag_of(
            self.project.id,
            self.project.tours_revision or 0,
            request.build_absolute_uri(),
            request.accepted_media_type,
            weak=True,
        )
        if if_none_match_matches(request.headers.get("If-None-Match"), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        if self.count_with_page or not isinstance(request.accepted_renderer, ORJSONRenderer):
            with search_session() if self.count_with_page else nullcontext():
                response = self.page_response()
            response["ETag"] = etag
            return response

        def render() -> bytes:
            data = self.page_response().data
            return request.accepted_renderer.render(data, request.accepted_media_type, self.get_renderer_context())

        body = list_page(project_id=self.project.id, revision=self.project.tours_revision or 0, key=etag, render=render)
        return HttpResponse(body, content_type=request.accepted_renderer.media_type, headers={"ETag": etag})

    def page_response(self) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self.read_response(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.instance = tour_create(project=self.project, user=request.user, data=serializer.validated_data)
        return self.tour_response(serializer.instance, serializer.data, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        tour = self.tour_ref()  # read once, under its lock, by the service
        serializer = self.get_serializer(data=request.data, partial=kwargs.pop("partial", False))
        if not serializer.is_valid():
            self.get_object()  # an unknown id (or another project's) is a 404 before any 400
            raise exceptions.ValidationError(serializer.errors)
        serializer.instance = tour_update(
            tour=tour, user=request.user, data=serializer.validated_data, precondition=self.if_match()
        )
        return self.tour_response(serializer.instance, serializer.data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        tour_delete(tour=self.tour_ref(), user=request.user, precondition=self.if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)
