"""Shapes of the product tour API: the read representation and the create/update input.

No side effects here: flag sync, uniqueness and cross-row checks live in `tours.services`.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import UserBasicSerializer
from flags.serializers import MinimalFeatureFlagSerializer
from tours.fields import StrictJSONField, TextField
from tours.models import ProductTour
from tours.schema import TourContentField, TourContentReadField
from tours.services.targeting import targeting_filters_strip, targeting_input_validate
from tours.services.validation import content_validate

CREATION_CONTEXTS = ["app", "toolbar"]
SEARCH_MATCH_TYPE = "search_match_type"


@extend_schema_field({"type": "object", "additionalProperties": {}, "nullable": True, "readOnly": True})
class TargetingFiltersReadField(serializers.Field):
    """The internal flag's filters without the system-managed properties (`targeting_filters_strip`)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, tour: ProductTour) -> dict | None:
        flag = tour.internal_targeting_flag
        return None if flag is None else targeting_filters_strip(tour_id=str(tour.id), filters=flag.filters)


class HasDraftField(serializers.BooleanField):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, tour: ProductTour) -> bool:  # type: ignore[override]  # source="*": the tour
        return tour.draft_content is not None


class ProductTourSerializer(serializers.ModelSerializer):
    """Read representation (list, retrieve, draft actions)."""

    internal_targeting_flag = MinimalFeatureFlagSerializer(read_only=True, allow_null=True)
    linked_flag = MinimalFeatureFlagSerializer(read_only=True, allow_null=True)
    created_by = UserBasicSerializer(read_only=True)
    targeting_flag_filters = TargetingFiltersReadField()
    content = TourContentReadField(required=False)  # the model field's default; typed for OpenAPI
    draft_content = serializers.JSONField(read_only=True, allow_null=True)
    has_draft = HasDraftField()

    class Meta:
        model = ProductTour
        fields = [
            "id",
            "name",
            "description",
            "internal_targeting_flag",
            "linked_flag",
            "targeting_flag_filters",
            "content",
            "draft_content",
            "has_draft",
            "auto_launch",
            "start_date",
            "end_date",
            "created_at",
            "created_by",
            "updated_at",
            "archived",
        ]
        read_only_fields = ["id", "created_at", "created_by", "updated_at"]

    def to_representation(self, instance: ProductTour) -> dict:
        data = super().to_representation(instance)
        # Searched lists annotate how each tour matched (tours.services.search).
        match_type = getattr(instance, SEARCH_MATCH_TYPE, None)
        if match_type is not None:
            data[SEARCH_MATCH_TYPE] = match_type
        return data


class ProductTourSerializerCreateUpdateOnly(serializers.ModelSerializer):
    """Input of create, PUT and PATCH. Responds with the read representation plus the write-only echoes."""

    name = TextField(max_length=400)
    description = TextField(required=False, allow_blank=True)
    internal_targeting_flag = MinimalFeatureFlagSerializer(read_only=True, allow_null=True)
    linked_flag = MinimalFeatureFlagSerializer(read_only=True, allow_null=True)
    linked_flag_id = serializers.IntegerField(required=False, write_only=True, allow_null=True)
    targeting_flag_filters = StrictJSONField(required=False, write_only=True, allow_null=True)
    content = TourContentField(required=False, allow_null=True)
    created_by = UserBasicSerializer(read_only=True)
    creation_context = serializers.ChoiceField(
        choices=CREATION_CONTEXTS,
        required=False,
        write_only=True,
        default="app",
        help_text="Where the tour was created/updated from",
    )

    class Meta:
        model = ProductTour
        fields = [
            "id",
            "name",
            "description",
            "internal_targeting_flag",
            "linked_flag",
            "linked_flag_id",
            "targeting_flag_filters",
            "content",
            "auto_launch",
            "start_date",
            "end_date",
            "created_at",
            "created_by",
            "updated_at",
            "archived",
            "creation_context",
        ]
        read_only_fields = ["id", "internal_targeting_flag", "linked_flag", "created_at", "created_by", "updated_at"]

    def validate_content(self, value):
        return content_validate(value)

    def validate_targeting_flag_filters(self, value):
        return targeting_input_validate(value)

    def to_representation(self, instance: ProductTour) -> dict:
        read = ProductTourSerializer(instance, context=self.context).data
        validated = getattr(self, "_validated_data", None) or {}
        # The reference's create/PATCH responses also show the write-only fields.
        data = {}
        for key, value in read.items():
            data[key] = value
            if key == "linked_flag":
                data["linked_flag_id"] = instance.linked_flag_id
        data["creation_context"] = validated.get("creation_context", "app")
        return data


class DraftStatusResponseSerializer(serializers.Serializer):
    """`GET /{id}/draft_status/`: the cheap poll an editor uses to notice someone else's draft save."""

    updated_at = serializers.DateTimeField()
    has_draft = serializers.BooleanField()
