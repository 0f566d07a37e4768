"""Draft actions of the product tours viewset (save, poll, publish, discard) and the ETag / If-Match
handling every tour write shares: the services run the If-Match check on the row they lock."""

from collections.abc import Callable

from django.db.models import BooleanField, ExpressionWrapper, Q
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.viewsets import ProjectScopedViewSet
from tours.api.openapi import IF_MATCH, etag_header
from tours.models import ProductTour
from tours.serializers import (
    DraftStatusResponseSerializer,
    ProductTourSerializer,
    ProductTourSerializerCreateUpdateOnly,
)
from tours.services.drafts import draft_discard, draft_publish, draft_save
from tours.services.etags import if_match_check, tour_etag


class ProductTourDraftsMixin(ProjectScopedViewSet):
    """Mixed into the product tours viewset."""

    def tour_ref(self) -> ProductTour:
        """The tour the URL names, as a reference: the services read it once, under its row lock."""
        return ProductTour(pk=self.object_pk(), project=self.project)

    def draft_validated(self, tour: ProductTour, draft: dict) -> dict:
        """A draft as validated update input (the services' `DraftValidator`): PATCH's serializer."""
        serializer = ProductTourSerializerCreateUpdateOnly(tour, data=draft, partial=True)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def if_match(self) -> Callable[[ProductTour], None] | None:
        """The request's If-Match as a check the services run on the locked row (check and write atomic)."""
        header = self.request.headers.get("If-Match")
        if header is None:
            return None
        return lambda tour: if_match_check(header=header, etag=tour_etag(tour_id=tour.pk, updated_at=tour.updated_at))

    def tour_response(self, tour: ProductTour, data, code: int = status.HTTP_200_OK) -> Response:
        return Response(data, status=code, headers={"ETag": tour_etag(tour_id=tour.pk, updated_at=tour.updated_at)})

    def read_response(self, tour: ProductTour) -> Response:
        return self.tour_response(tour, ProductTourSerializer(tour, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="product_tours_draft_partial_update",
        description="Save draft content (server-side merge). No side effects triggered.",
        request=ProductTourSerializerCreateUpdateOnly,
        responses={200: ProductTourSerializer},
        parameters=[IF_MATCH, etag_header(200)],
    )
    @action(detail=True, methods=["patch"], url_path="draft")
    def draft(self, request, *args, **kwargs):
        tour = draft_save(tour=self.tour_ref(), body=request.data, precondition=self.if_match())
        return self.read_response(tour)

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
            .filter(pk=self.object_pk())
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
            tour=self.tour_ref(),
            user=request.user,
            body=request.data,
            validate=self.draft_validated,
            precondition=self.if_match(),
        )
        return self.read_response(tour)

    @extend_schema(
        operation_id="product_tours_discard_draft_destroy",
        description="Discard draft content.",
        request=None,
        responses={200: ProductTourSerializer},
        parameters=[IF_MATCH, etag_header(200)],
    )
    @action(detail=True, methods=["delete"], url_path="discard_draft")
    def discard_draft(self, request, *args, **kwargs):
        tour = draft_discard(tour=self.tour_ref(), precondition=self.if_match())
        return self.read_response(tour)
