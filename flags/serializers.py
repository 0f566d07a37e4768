from rest_framework import serializers

from flags.models import FeatureFlag


class MinimalFeatureFlagSerializer(serializers.ModelSerializer):
    """The flag as nested in a product tour (`internal_targeting_flag`, `linked_flag`)."""

    team_id = serializers.IntegerField(source="project_id", read_only=True)
    filters = serializers.DictField(read_only=True)
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
        read_only_fields = fields

    def get_evaluation_tags(self, flag: FeatureFlag) -> list[str]:
        return []

    def get_evaluation_contexts(self, flag: FeatureFlag) -> list[str]:
        return []
