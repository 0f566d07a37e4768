from rest_framework import serializers

from accounts.models import Organization, Project, User


class UserBasicSerializer(serializers.ModelSerializer):
    hedgehog_config = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "uuid",
            "distinct_id",
            "first_name",
            "last_name",
            "email",
            "is_email_verified",
            "hedgehog_config",
            "role_at_organization",
        ]
        # Only nested read-only, so these flags shape the OpenAPI component (PostHog's) and nothing else.
        read_only_fields = ["id", "uuid"]

    def get_hedgehog_config(self, user: User) -> dict | None:
        return hedgehog_config_represent(user.hedgehog_config)


def hedgehog_config_represent(config) -> dict | None:
    """PostHog's public hedgehog config: the profile-relevant options of either stored version."""
    if not isinstance(config, dict) or not config:
        return None
    source = config.get("actor_options") or {} if config.get("version") == 2 else config
    if not isinstance(source, dict):
        source = {}
    return {
        "use_as_profile": config.get("use_as_profile"),
        "color": source.get("color"),
        "accessories": source.get("accessories"),
        "skin": source.get("skin"),
    }


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "is_ai_data_processing_approved", "created_at", "updated_at"]
        read_only_fields = ["id", "slug", "created_at", "updated_at"]


class ProjectSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="organization_id", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "organization", "name", "api_token", "created_at", "updated_at"]
        read_only_fields = fields
