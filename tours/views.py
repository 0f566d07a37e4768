"""`/api/projects/{project_id}/product_tours/`: PostHog's product tour endpoints (thin; logic in services)."""

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from tours.models import ProductTour
from tours.parsers import JSONOrFormBodyParser
from tours.serializers import ProductTourSerializer, ProductTourSerializerCreateUpdateOnly
from tours.services.search import tours_search
from tours.services.tours import tour_create, tour_delete, tour_update
from tours.views_generate import ProductTourGenerateMixin

SEARCH_DESCRIPTION = (
    "Match against product tour `name` and `description`: case-insensitive substring matches win; "
    "otherwise trigram word similarity (typos, prefixes). At most 200 characters."
)


@extend_schema_view(
    list=extend_schema(
        operation_id="product_tours_list",
        parameters=[OpenApiParameter("search", OpenApiTypes.STR, description=SEARCH_DESCRIPTION)],
    ),
    create=extend_schema(
        operation_id="product_tours_create",
        request=ProductTourSerializerCreateUpdateOnly,
        responses={201: ProductTourSerializerCreateUpdateOnly},
    ),
    retrieve=extend_schema(operation_id="product_tours_retrieve"),
    update=extend_schema(
        operation_id="product_tours_update", request=ProductTourSerializer, responses={200: ProductTourSerializer}
    ),
    partial_update=extend_schema(
        operation_id="product_tours_partial_update",
        request=ProductTourSerializerCreateUpdateOnly,
        responses={200: ProductTourSerializerCreateUpdateOnly},
    ),
    destroy=extend_schema(operation_id="product_tours_destroy"),
)
@extend_schema(tags=["product_tours"])
class ProductTourViewSet(ProductTourGenerateMixin, ProjectScopedViewSet):
    scope_object = "product_tour"
    scope_object_read_actions = ["list", "retrieve", "draft_status"]
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
    queryset = ProductTour.objects.select_related("internal_targeting_flag", "linked_flag", "created_by")
    serializer_class = ProductTourSerializer
    parser_classes = [JSONOrFormBodyParser, FormParser, MultiPartParser]
    lookup_value_regex = "[^/]+"

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

    def get_object(self) -> ProductTour:
        raw = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            tour_id = uuid.UUID(str(raw))
        except ValueError:
            raise exceptions.NotFound()
        tour = self.get_queryset().filter(pk=tour_id).first()
        if tour is None:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, tour)
        return tour

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.instance = tour_create(project=self.project, user=request.user, data=serializer.validated_data)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        tour = self.get_object()
        serializer = self.get_serializer(tour, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        serializer.instance = tour_update(tour=tour, user=request.user, data=serializer.validated_data)
        return Response(serializer.data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        tour_delete(tour=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
