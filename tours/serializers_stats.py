"""Output of the tour stats and of a survey's responses (read-only; the shapes the OpenAPI schema names)."""

from rest_framework import serializers


class ProductTourStatsCountSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Events.")
    unique = serializers.IntegerField(help_text="People (distinct ids merged into one person count once).")


class ProductTourSurveyQuestionStatsSerializer(serializers.Serializer):
    question_id = serializers.CharField(allow_null=True)
    question = serializers.CharField(allow_blank=True)
    type = serializers.CharField(help_text="`open` or `rating`.")
    responses = ProductTourStatsCountSerializer(help_text="`survey sent` events that answered the question.")
    distribution = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="Rating questions: responses per value (every value of the scale, then any other value sent).",
    )


class ProductTourSurveyStatsSerializer(serializers.Serializer):
    survey_id = serializers.CharField(allow_null=True)
    questions = ProductTourSurveyQuestionStatsSerializer(many=True)


class ProductTourStepStatsSerializer(serializers.Serializer):
    step_id = serializers.CharField(allow_null=True)
    step_order = serializers.IntegerField(
        allow_null=True, help_text="Index in the tour's current steps; null for a step only events name."
    )
    shown = ProductTourStatsCountSerializer()
    completed = ProductTourStatsCountSerializer()
    survey = ProductTourSurveyStatsSerializer(allow_null=True, help_text="Survey steps: the answers.")


class ProductTourStatsSerializer(serializers.Serializer):
    tour_id = serializers.UUIDField()
    date_from = serializers.DateTimeField()
    date_to = serializers.DateTimeField()
    shown = ProductTourStatsCountSerializer()
    completed = ProductTourStatsCountSerializer()
    dismissed = ProductTourStatsCountSerializer()
    completion_rate = serializers.FloatField(
        allow_null=True, help_text="completed.unique / shown.unique, to 4 decimals; null when nobody was shown."
    )
    steps = ProductTourStepStatsSerializer(many=True)
    dismiss_reasons = serializers.DictField(
        child=serializers.IntegerField(), help_text="Dismissals per `$product_tour_dismiss_reason` (absent: unknown)."
    )


class SurveyResponseAnswerSerializer(serializers.Serializer):
    question_id = serializers.CharField(allow_null=True)
    question = serializers.CharField(allow_blank=True)
    response = serializers.JSONField(allow_null=True, help_text="As sent; null when the question was not answered.")


class SurveyResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The stored event's id.")
    distinct_id = serializers.CharField()
    timestamp = serializers.DateTimeField(help_text="The event's time: its timestamp, else when it arrived.")
    product_tour_id = serializers.CharField(allow_null=True)
    responses = SurveyResponseAnswerSerializer(many=True)
