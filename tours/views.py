"""`/api/projects/{project_id}/product_tours/`: PostHog's product tour endpoints (thin; logic in services)."""

import uuid
from collections.abc import Callable
from contextlib import nullcontext

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from core.etags import etag_of, if_none_match_matches
from tours.models import ProductTour, ProjectToursRevision
from tours.parsers import JSONOrFormBodyParser
from tours.serializers import (
    TOUR_RELATIONS,
    DraftStatusResponseSerializer,
    ProductTourSerializer,
    ProductTourSerializerCreateUpdateOnly,
)
from tours.services.drafts import draft_discard, draft_publish, draft_save
from tours.services.etags import if_match_check, tour_etag
from tours.services.search import search_session, tours_search
from tours.services.tours import tour_create, tour_delete, tour_update
from tours.views_activity import ProductTourActivityMixin
from tours.views_generate import ProductTourGenerateMixin

SEARCH_DESCRIPTION = (
    "Match against product tour `name` and `description`: case-insensitive substring matches win; "
    "otherwise trigram word similarity (typos, prefixes). At most 200 characters. Each result of a searched "
    "list also carries `search_match_type`: `exact` or `similar`."
)

# Optimistic concurrency (DESIGN.md §3.5): optional, so PostHog's clients keep working without it.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional. The `ETag` of the tour as last read; when it no longer matches (someone else wrote "
        "since), nothing is changed and the answer is 412. `*` always matches."
    ),
)


def etag_header(*codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=list(codes),
        description="Version of the tour (changes with every write); send it back as `If-Match`.",
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
)
@extend_schema(tags=["product_tours"])
class ProductTourViewSet(ProductTourActivityMixin, ProductTourGenerateMixin, ProjectScopedViewSet):
    """Create, read, update, and manage product tours and their targeting."""

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

    def get_object(self) -> ProductTour:
        try:
            tour = self.get_queryset().get(pk=self._tour_pk())
        except ProductTour.DoesNotExist:
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, tour)
        return tour

    @property
    def count_with_page(self) -> bool:
        """Searched lists rank every match before paging: the total comes with the page (pagination)."""
        return bool(self.request.query_params.get("search"))

    def list(self, request, *args, **kwargs):
        # A page shows nothing but rows the project's revision covers: same revision and request, same page.
        etag = etag_of(self.project.id, self.project.tours_revision or 0, request.build_absolute_uri(),
                       request.accepted_media_type, weak=True)
        if if_none_match_matches(request.headers.get("If-None-Match"), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        with search_session() if self.count_with_page else nullcontext():
            page = self.paginate_queryset(self.get_queryset())
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response["ETag"] = etag
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._read_response(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.instance = tour_create(project=self.project, user=request.user, data=serializer.validated_data)
        return self._tour_response(serializer.instance, serializer.data, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        tour = self.get_object()
        serializer = self.get_serializer(tour, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        serializer.instance = tour_update(
            tour=tour, user=request.user, data=serializer.validated_data, precondition=self._if_match()
        )
        return self._tour_response(serializer.instance, serializer.data)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        tour_delete(tour=self.get_object(), user=request.user, precondition=self._if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- drafts (reference §14) and ETag / If-Match (DESIGN.md §3.5) ----------------------------

    def _tour_pk(self) -> uuid.UUID:
        raw = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            return uuid.UUID(str(raw))
        except ValueError:
            raise exceptions.NotFound()

    def _if_match(self) -> Callable[[ProductTour], None] | None:
        """The request's If-Match as a check the services run on the locked row (check and write atomic)."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return None
        return lambda tour: if_match_check(header=header, etag=tour_etag(tour_id=tour.pk, updated_at=tour.updated_at))

    def _tour_response(self, tour: ProductTour, data, code: int = status.HTTP_200_OK) -> Response:
        return Response(data, status=code, headers={"ETag": tour_etag(tour_id=tour.pk, updated_at=tour.updated_at)})

    def _read_response(self, tour: ProductTour) -> Response:
        return self._tour_response(tour, ProductTourSerializer(tour, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="product_tours_draft_partial_update",
        description="Save draft content (server-side merge). No side effects triggered.",
        request=ProductTourSerializerCreateUpdateOnly,
        responses={200: ProductTourSerializer},
        parameters=[IF_MATCH, etag_header(200)],
    )
    @action(detail=True, methods=["patch"], url_path="draft")
    def draft(self, request, *args, **kwargs):
        tour = draft_save(tour=self.get_object(), body=request.data, precondition=self._if_match())
        return self._read_response(tour)

    @extend_schema(
        operation_id="product_tours_draft_status_retrieve",
        description="Lightweight polling endpoint for draft change detection.",
        responses={200: DraftStatusResponseSerializer},
        parameters=[IF_MATCH, etag_header(200)],
    )
    @action(detail=True, methods=["get"], url_path="draft_status")
    def draft_status(self, request, *args, **kwargs):
        # One query, and not the JSON columns: editors poll this.
        row = (
            self.get_queryset()
            .filter(pk=self._tour_pk())
            .values("id", "updated_at")
            .annotate(has_draft=ExpressionWrapper(Q(draft_content__isnull=False), output_field=BooleanField()))
            .first()
        )
        if row is None:
            raise exceptions.NotFound()
        etag = tour_etag(tour_id=row["id"], updated_at=row["updated_at"])
        if_match_check(header=request.headers.get("If-Match"), etag=etag)
        data = DraftStatusResponseSerializer({"updated_at": row["updated_at"], "has_draft": row["has_draft"]}).data
        return Response(data, headers={"ETag": etag})

    @extend_schema(
        operation_id="product_tours_publish_draft_create",
        description=(
            "Commit draft to live tour. Runs full validation and triggers side effects. Accepts an optional "
            "body payload: if provided, it is merged into the draft before publishing, so the caller can save "
            "and publish in a single request."
        ),
        request=ProductTourSerializerCreateUpdateOnly,
        responses={200: ProductTourSerializer},
        parameters=[IF_MATCH, etag_header(200)],
    )
    @action(detail=True, methods=["post"], url_path="publish_draft")
    def publish_draft(self, request, *args, **kwargs):
        tour = draft_publish(
            tour=self.get_object(), user=request.user, body=request.data, precondition=self._if_match()
        )
        return self._read_response(tour)

    @extend_schema(
        operation_id="product_tours_discard_draft_destroy",
        description="Discard draft content.",
        request=None,
        responses={200: ProductTourSerializer},
        parameters=[IF_MATCH, etag_header(200)],
    )
    @action(detail=True, methods=["delete"], url_path="discard_draft")
    def discard_draft(self, request, *args, **kwargs):
        tour = draft_discard(tour=self.get_object(), precondition=self._if_match())
        return self._read_response(tour)
