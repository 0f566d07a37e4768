from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.authentication import PersonalAPIKeyAuthentication
from accounts.serializers import UserBasicSerializer
from core.json_parse import JSONParseError, json_parse
from flags.models import FeatureFlag
from flags.payloads import filters_redacted


def secret_payloads_hidden(data: dict, *, instance: FeatureFlag, context: Mapping[str, Any]) -> dict:
    """PostHog: secret payloads in clear only for personal API key requests; sessions see the placeholder."""
    authenticator = getattr(context.get("request"), "successful_authenticator", None)
    if instance.has_encrypted_payloads and not isinstance(authenticator, PersonalAPIKeyAuthentication):
        data["filters"] = filters_redacted(data.get("filters"))
    return data


class MinimalFeatureFlagSerializer(serializers.ModelSerializer):
    """The flag as nested in a product tour (`internal_targeting_flag`, `linked_flag`)."""

    team_id = serializers.IntegerField(source="project_id", read_only=True)
    filters = serializers.DictField(required=False)
    # Explicit range: the model field's validators depend on the database (64-bit on SQLite), and the
    # schema must not; PostHog documents the 32-bit range.
    version = serializers.IntegerField(min_value=-(2**31), max_value=2**31 - 1, allow_null=True, required=False)
    evaluation_tags = serializers.SerializerMethodField()
    evaluation_contexts = serializers.SerializerMethodField()

    class Meta:
        model = FeatureFlag
        fields = [
            "id",
            "team_id",
            "name",
            "key",
            "filters",
            "deleted",
            "active",
            "ensure_experience_continuity",
            "has_encrypted_payloads",
            "version",
            "evaluation_runtime",
            "bucketing_identifier",
            "evaluation_tags",
            "evaluation_contexts",
        ]
        # Only nested read-only, so the flags below shape the OpenAPI component (PostHog's) and nothing else.
        read_only_fields = ["id", "team_id", "evaluation_tags", "evaluation_contexts"]

    def get_evaluation_tags(self, flag: FeatureFlag) -> list[str]:
        return []

    def get_evaluation_contexts(self, flag: FeatureFlag) -> list[str]:
        return []

    def to_representation(self, instance: FeatureFlag) -> dict:
        return secret_payloads_hidden(super().to_representation(instance), instance=instance, context=self.context)


@extend_schema_field(OpenApiTypes.OBJECT)
class FiltersField(serializers.Field):
    """Any JSON; the flag services validate it. Form bodies carry it as a JSON string, parsed here."""

    default_error_messages = {
        "invalid": "Filters are not valid (filters must be a JSON object)",
        "not_object": "Filters are not valid (filters must be an object)",
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json_parse(data)
            except JSONParseError:
                self.fail("invalid")
            if not isinstance(data, dict):  # e.g. "null" must not fall back to the default filters
                raise serializers.ValidationError(self.error_messages["not_object"], code="invalid")
        return data

    def to_representation(self, value):
        return value


CREATED_DELETED = 'A feature flag cannot be created deleted; soft delete it with PATCH {"deleted": true}.'


class FeatureFlagSerializer(serializers.ModelSerializer):
    """PostHog's FeatureFlagSerializer, limited to what this service has. Shapes input only: the
    view hands `validated_data` to `flags.services`, which validates keys and filters and saves."""

    CREATION_CONTEXT_CHOICES = (
        "feature_flags",
        "experiments",
        "surveys",
        "early_access_features",
        "web_experiments",
        "product_tours",
    )

    # Key rules (unique, characters, length — in PostHog's order) live in flags.services.keys.
    key = serializers.CharField()
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="contains the description for the flag (field name `name` is kept for backwards-compatibility)",
    )
    filters = FiltersField(required=False)
    version = serializers.IntegerField(
        required=False,
        help_text="The version you started editing from; a stale one is refused (409) when a field you change "
        "was changed since.",
    )
    created_by = UserBasicSerializer(read_only=True)
    last_modified_by = UserBasicSerializer(read_only=True)
    ensure_experience_continuity = serializers.BooleanField(required=False, allow_null=True)
    has_encrypted_payloads = serializers.BooleanField(required=False, allow_null=True)
    creation_context = serializers.ChoiceField(
        choices=CREATION_CONTEXT_CHOICES,
        write_only=True,
        required=False,
        help_text="Indicates the origin product of the feature flag. Not stored.",
    )
    is_simple_flag = serializers.BooleanField(read_only=True)
    rollout_percentage = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    evaluation_tags = serializers.SerializerMethodField()

    class Meta:
        model = FeatureFlag
        fields = [
            "id",
            "name",
            "key",
            "filters",
            "deleted",
            "active",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "last_modified_by",
            "ensure_experience_continuity",
            "has_encrypted_payloads",
            "evaluation_runtime",
            "bucketing_identifier",
            "creation_context",
            "is_simple_flag",
            "rollout_percentage",
            "tags",
            "evaluation_tags",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"active": {"required": False}, "deleted": {"required": False}}

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rollout_percentage(self, flag: FeatureFlag):
        return flag.rollout_percentage  # the simple flag's group percentage, else null

    def get_tags(self, flag: FeatureFlag) -> list[str]:
        return []  # this service has no tagging

    def get_evaluation_tags(self, flag: FeatureFlag) -> list[str]:
        return []

    def to_representation(self, instance: FeatureFlag) -> dict:
        return secret_payloads_hidden(super().to_representation(instance), instance=instance, context=self.context)

    def validate(self, attrs: dict) -> dict:
        # A flag created deleted would be a 201 for a flag every later request answers 404 for.
        if self.instance is None and attrs.get("deleted"):
            raise serializers.ValidationError({"deleted": [CREATED_DELETED]})
        filters = attrs.get("filters")
        # PostHog: a PATCH whose filters carry no `groups` keeps the stored filters.
        if self.partial and isinstance(filters, dict) and "groups" not in filters:
            attrs.pop("filters")
        return attrs
