"""The call to an OpenAI-compatible chat completions API with a strict JSON-schema answer.

Settings are read at call time (tests and operators can change them without a restart). Every
failure becomes `UpstreamTimeout` (504) or `UpstreamError` (502); nothing here raises a 500.
"""

import logging
from typing import Any

import openai
import pydantic
from django.conf import settings

from tours.services.generate.errors import UpstreamError, UpstreamTimeout

logger = logging.getLogger(__name__)


class GeneratedStep(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="ignore")

    step_id: pydantic.StrictInt
    title: pydantic.StrictStr
    description: pydantic.StrictStr


class GeneratedTour(pydantic.BaseModel):
    steps: list[GeneratedStep]


# Written out rather than derived from the pydantic models: strict mode needs additionalProperties
# false and every property required, and the wording of the descriptions steers the model.
RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "tour_step_content",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "steps": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "step_id": {"type": "integer", "description": "The step_id exactly as given."},
                            "title": {"type": "string", "description": "2-5 words, no markdown."},
                            "description": {"type": "string", "description": "1-2 sentences, no markdown."},
                        },
                        "required": ["step_id", "title", "description"],
                        "additionalProperties": False,
                    },
                }
            },
            "required": ["steps"],
            "additionalProperties": False,
        },
    },
}


def ai_is_configured() -> bool:
    return bool(getattr(settings, "OPENAI_API_KEY", ""))


def tour_content_complete(*, messages: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Ask the model; return its `steps` entries as dicts (`step_id` int, `title`, `description`)."""
    timeout = float(settings.PRODUCT_TOURS_AI_TIMEOUT_SECONDS)
    client = openai.OpenAI(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        timeout=timeout,
        max_retries=0,  # one bounded attempt: the caller is waiting on an HTTP request
    )
    try:
        with client:
            completion = client.chat.completions.create(  # type: ignore[call-overload]  # plain dict messages
                model=settings.PRODUCT_TOURS_AI_MODEL,
                messages=messages,
                response_format=RESPONSE_FORMAT,
            )
    except openai.APITimeoutError:
        logger.warning("AI generation timed out after %ss", timeout)
        raise UpstreamTimeout(f"The AI provider did not answer within {timeout:g} seconds.") from None
    except openai.APIStatusError as exc:
        logger.warning("AI generation failed: upstream HTTP %s", exc.status_code)
        raise UpstreamError(f"The AI provider answered with HTTP {exc.status_code}.") from None
    except openai.APIConnectionError:
        logger.warning("AI generation failed: cannot connect to the AI provider", exc_info=True)
        raise UpstreamError("Could not connect to the AI provider.") from None
    except openai.OpenAIError:
        logger.warning("AI generation failed", exc_info=True)
        raise UpstreamError() from None
    return _answer_parse(completion)


def _answer_parse(completion: Any) -> list[dict[str, Any]]:
    choices = getattr(completion, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    if message is None:
        raise UpstreamError("The AI provider returned no answer.")
    if getattr(message, "refusal", None):
        logger.info("AI generation refused: %s", message.refusal)
        raise UpstreamError("The AI provider refused to generate the steps.")
    content = message.content
    if not isinstance(content, str) or not content.strip():
        raise UpstreamError("The AI provider returned an empty answer.")
    try:
        parsed = GeneratedTour.model_validate_json(content)
    except pydantic.ValidationError:
        logger.warning("AI generation answer does not match the schema: %.500s", content)
        raise UpstreamError("The AI provider's answer did not match the expected format.") from None
    return [step.model_dump() for step in parsed.steps]
