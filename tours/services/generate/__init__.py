"""AI step generation: copy (title + description) for a tour's element and pop-up steps. Nothing is saved."""

from typing import Any

from rest_framework import exceptions

from tours.services.generate.errors import EMPTY_STEPS_DETAIL, AIGenerationNotConfigured
from tours.services.generate.llm import ai_is_configured, tour_content_complete
from tours.services.generate.prompt import StepWithoutId, generated_steps_map, prompt_messages_build, steps_select

__all__ = ["ai_is_configured", "tour_steps_generate"]


def tour_steps_generate(*, title: str, goal: str, steps: list[Any]) -> list[dict[str, str]]:
    """`[{step_id, title, description}]` for the kept steps, in the model's order."""
    if not ai_is_configured():
        raise AIGenerationNotConfigured()
    if not steps:
        raise exceptions.ValidationError({"steps": [EMPTY_STEPS_DETAIL]})
    try:
        selection = steps_select(steps=steps)
    except StepWithoutId as error:
        raise exceptions.ValidationError({"steps": [str(error)]}) from None
    if not selection.records:
        return []  # only banners/surveys: the model is never called with nothing to write
    messages = prompt_messages_build(title=title, goal=goal, records=selection.records)
    generated = tour_content_complete(messages=messages)
    return generated_steps_map(generated=generated, index_to_step_id=selection.index_to_step_id)
