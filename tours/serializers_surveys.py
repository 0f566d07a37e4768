"""Read representation of a survey (PostHog's survey fields that exist here)."""

from rest_framework import serializers

from accounts.serializers import UserBasicSerializer
from tours.models import Survey


class SurveySerializer(serializers.ModelSerializer):
    created_by = UserBasicSerializer(read_only=True)
    product_tour_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "description",
            "type",
            "questions",
            "appearance",
            "start_date",
            "end_date",
            "enable_partial_responses",
            "product_tour_id",
            "created_at",
            "created_by",
            "updated_at",
        ]
        read_only_fields = fields
