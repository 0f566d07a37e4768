"""The generate endpoint's own failures, as API errors in the envelope (DESIGN.md §3.4: never a 500)."""

from rest_framework import exceptions, status

NOT_CONFIGURED_DETAIL = (
    "AI generation is not configured: set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, PRODUCT_TOURS_AI_MODEL)."
)
CONSENT_DETAIL = "AI data processing must be approved for Product Tour AI generation."
EMPTY_STEPS_DETAIL = "Elements cannot be empty"


class AIGenerationNotConfigured(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = NOT_CONFIGURED_DETAIL
    default_code = "ai_not_configured"
    default_type = "validation_error"


class UpstreamTimeout(exceptions.APIException):
    status_code = status.HTTP_504_GATEWAY_TIMEOUT
    default_detail = "The AI provider did not answer in time."
    default_code = "upstream_timeout"
    default_type = "server_error"


class UpstreamError(exceptions.APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "The AI provider failed to generate the steps."
    default_code = "upstream_error"
    default_type = "server_error"
