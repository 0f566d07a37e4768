"""Request and response shapes of `POST …/product_tours/{id}/generate/` (OpenAPI: GenerateRequest/Response)."""

from django.conf import settings
from rest_framework import serializers

from tours.services.validation import TOO_MANY_STEPS


class StrictCharField(serializers.CharField):
    """A string and nothing else: DRF's CharField would silently turn 5 into "5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StepsField(serializers.ListField):
    """At most `PRODUCT_TOURS_MAX_STEPS` steps, as a tour: counted before any step is looked at."""

    def to_internal_value(self, data):
        limit = settings.PRODUCT_TOURS_MAX_STEPS
        if isinstance(data, list) and len(data) > limit:
            raise serializers.ValidationError(TOO_MANY_STEPS.format(limit=limit, count=len(data)), code="max_length")
        return super().to_internal_value(data)


class GenerateRequestSerializer(serializers.Serializer):
    title = StrictCharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    goal = StrictCharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    steps = StepsField(child=serializers.DictField(), required=False, default=list)


class GenerateStepResponseSerializer(serializers.Serializer):
    step_id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()


class GenerateResponseSerializer(serializers.Serializer):
    steps = GenerateStepResponseSerializer(many=True)
