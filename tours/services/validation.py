"""Validation of tour input: content shape (pure), linked flag and variant, launch readiness.

Messages are PostHog's; errors PostHog raises from `validate()` keep `attr: null`. Content checks run
in the input serializer (DRF errors on `content`); the cross-field and launch checks run in the
services and raise `InvalidInput`.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import serializers

from core.errors import InvalidInput
from flags.models import FeatureFlag
from tours.services.content_types import content_types_validate
from tours.services.steps import steps_normalize
from tours.services.surveys import survey_step_validate
from tours.services.targeting import MAX_WAIT_PERIOD_TYPES

CONTENT_NOT_OBJECT = "Content must be an object"
ANNOUNCEMENT_STEPS = "Announcements must have exactly 1 step."
FLAG_NOT_FOUND = "Feature Flag with this ID does not exist"
VARIANT_NEEDS_FLAG = "linkedFlagVariant can only be used when a linked_flag_id is specified"
DUPLICATE_NAME = "A product tour with this name already exists."
TOO_MANY_STEPS = "A product tour can have at most {limit} steps (got {count})."
MAX_DB_ID = 2**63 - 1


def content_validate(value: Any) -> dict:
    """Null → `{}`; the content must be an object with a list of object steps; steps are normalised."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise serializers.ValidationError(CONTENT_NOT_OBJECT)
    steps = value.get("steps")
    if steps is not None:
        if not isinstance(steps, list):
            raise serializers.ValidationError("Content steps must be a list.")
        steps_count_validate(steps)
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                raise serializers.ValidationError(f"Step {index + 1} must be an object.")
            survey_step_validate(index=index, step=step)
    if value.get("type") == "announcement" and len(steps or []) != 1:
        raise serializers.ValidationError(ANNOUNCEMENT_STEPS)
    conditions = value.get("conditions")
    if conditions and not isinstance(conditions, dict):
        raise serializers.ValidationError("Content conditions must be an object.")
    wait = conditions.get("seenTourWaitPeriod") if isinstance(conditions, dict) else None
    if isinstance(wait, dict) and isinstance(wait.get("types"), list) and len(wait["types"]) > MAX_WAIT_PERIOD_TYPES:
        raise serializers.ValidationError(
            f"seenTourWaitPeriod.types can contain at most {MAX_WAIT_PERIOD_TYPES} entries."
        )
    content_types_validate(value)
    if isinstance(steps, list):
        value = {**value, "steps": steps_normalize(steps)}
    return value


def steps_count_validate(steps: list) -> None:
    """At most `PRODUCT_TOURS_MAX_STEPS` steps: bounds the tour, its flag filters and the SDK payload."""
    limit = settings.PRODUCT_TOURS_MAX_STEPS
    if len(steps) > limit:
        raise serializers.ValidationError(TOO_MANY_STEPS.format(limit=limit, count=len(steps)), code="max_length")


def linked_flag_resolve(*, project, data: Mapping[str, Any], tour=None) -> FeatureFlag | None:
    """The linked flag the tour will have: from the request, else (PATCH) the stored one."""
    if "linked_flag_id" not in data:
        return tour.linked_flag if tour is not None and tour.linked_flag_id else None
    flag_id = data["linked_flag_id"]
    if flag_id is None:
        return None
    flag = None
    if 0 < flag_id <= MAX_DB_ID:
        flag = FeatureFlag.objects.filter(pk=flag_id, project=project, deleted=False).first()
    if flag is None:
        raise InvalidInput(FLAG_NOT_FOUND)
    return flag


def linked_flag_variant_validate(*, content: Any, flag: FeatureFlag | None) -> None:
    """`content.conditions.linkedFlagVariant` (request content only) must fit the linked flag."""
    conditions = content.get("conditions") if isinstance(content, dict) else None
    variant = conditions.get("linkedFlagVariant") if isinstance(conditions, dict) else None
    if not variant:
        return
    if flag is None:
        raise InvalidInput(VARIANT_NEEDS_FLAG)
    if variant == "any":
        return
    keys = [v.get("key") for v in flag.variants if isinstance(v, dict)]
    if variant in keys:
        return
    if keys:
        raise InvalidInput(
            f"Feature flag variant '{variant}' does not exist. Available variants: {', '.join(map(str, keys))}"
        )
    raise InvalidInput(f"Feature flag variant '{variant}' specified but the linked feature flag has no variants")


def launch_validate(steps: Any) -> None:
    """A launched tour's element steps must point at an element; the first bad step is reported."""
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        targeting = step.get("elementTargeting")
        if targeting == "manual" and not step.get("selector"):
            raise InvalidInput(f"Step {index + 1} is missing an element selector")
        if targeting == "auto" and not step.get("inferenceData"):
            raise InvalidInput(f"Step {index + 1} requires an element to be selected")


def launch_steps(*, data: Mapping[str, Any], tour=None) -> Any:
    """Steps checked at launch: the request's content when given and non-empty, else the stored content."""
    content = data.get("content") or (tour.content if tour is not None else None) or {}
    return content.get("steps", []) if isinstance(content, dict) else []


def is_launch_check_needed(*, data: Mapping[str, Any], tour=None) -> bool:
    launching = data.get("start_date") is not None
    launched = tour is not None and tour.start_date is not None
    return launching or launched
