"""Linked surveys of product tour survey steps.

A step with a `survey` object (`{"type": "rating", "questionText": "…", "scale": 5}`) is backed by a
`Survey` of type `api` that collects its answers. The backend owns that survey: it is created or updated
whenever the tour is created, updated or published, its dates follow the tour's, and the step records
`linkedSurveyId`/`linkedSurveyQuestionId` so posthog-js can send responses to it. Surveys no step uses any
more, and all of a deleted tour's surveys, are ended rather than deleted (their answers stay meaningful).
"""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from accounts.models import User
from tours.models import ProductTour, Survey

SURVEY_TYPE = "api"
QUESTION_TYPES = ("open", "rating")
RATING_SCALES = (3, 5, 10)
RATING_DISPLAYS = ("emoji", "number")
DEFAULT_QUESTION_TYPE = "open"
DEFAULT_SCALE = 5
DEFAULT_DISPLAY = "emoji"
SURVEY_APPEARANCE = {"position": "middle_center", "displayThankYouMessage": False, "hideCancelButton": True}
# Text the SDK shows (ProductTourSurveyQuestion); each may be absent or null.
TEXT_KEYS = ("questionText", "lowerBoundLabel", "upperBoundLabel", "submitButtonText", "backButtonText")
# The survey fields `survey_fields_build` decides (bulk_update needs the list).
SYNCED_FIELDS = ("name", "type", "questions", "appearance", "start_date", "end_date", "enable_partial_responses")


# --- pure -----------------------------------------------------------------------------------------


def _one_of(values: tuple) -> str:
    return ", ".join(str(value) for value in values)


def survey_config_problem(config: Any) -> str | None:
    """Why a step's non-null `survey` value cannot back a survey, or None when it can."""
    if not isinstance(config, dict):
        return "survey must be an object"
    for key in TEXT_KEYS:
        value = config.get(key)
        if value is not None and not isinstance(value, str):
            return f"survey.{key} must be a string"
    kind = config.get("type")
    if kind is not None and (not isinstance(kind, str) or kind not in QUESTION_TYPES):
        return f"survey.type must be one of: {_one_of(QUESTION_TYPES)}"
    scale = config.get("scale")
    # `type() is int`: JSON 5.0 or true is not a scale the SDK can draw.
    if scale is not None and (type(scale) is not int or scale not in RATING_SCALES):
        return f"survey.scale must be one of: {_one_of(RATING_SCALES)}"
    display = config.get("display")
    if display is not None and (not isinstance(display, str) or display not in RATING_DISPLAYS):
        return f"survey.display must be one of: {_one_of(RATING_DISPLAYS)}"
    return None


def survey_step_validate(*, index: int, step: Mapping[str, Any]) -> None:
    """Content validation of one step's `survey` (absent or null: not a survey step)."""
    config = step.get("survey")
    if config is None:
        return
    problem = survey_config_problem(config)
    if problem:
        raise serializers.ValidationError(f"Step {index + 1} {problem}.")


def survey_question_build(config: Mapping[str, Any], *, question_id: str) -> dict[str, Any]:
    """The survey's single question from a (valid) step `survey` config."""
    kind = config.get("type") or DEFAULT_QUESTION_TYPE
    question: dict[str, Any] = {"id": question_id, "type": kind, "question": config.get("questionText") or ""}
    if kind == "rating":
        question["scale"] = config.get("scale") or DEFAULT_SCALE
        question["display"] = config.get("display") or DEFAULT_DISPLAY
        for label in ("lowerBoundLabel", "upperBoundLabel"):
            if config.get(label):
                question[label] = config[label]
        # The tour's own Next button submits the answer.
        question["skipSubmitButton"] = True
    return question


def survey_name(*, tour_name: str, index: int, survey_id: uuid.UUID | str) -> str:
    return f"{tour_name} - Step {index + 1} Survey ({str(survey_id)[:8]})"


def survey_fields_build(
    *,
    tour: ProductTour,
    index: int,
    config: Mapping[str, Any],
    survey_id: uuid.UUID | str,
    question_id: str,
    current_end_date: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """Every synced field of the survey behind step `index` (no database access).

    Dates follow the tour; an archived tour's survey ends at the tour's end_date, else when it was
    first seen archived (`current_end_date`), else now — so repeated syncs do not move it.
    """
    end_date = tour.end_date
    if tour.archived and end_date is None:
        end_date = current_end_date or now
    return {
        "name": survey_name(tour_name=tour.name, index=index, survey_id=survey_id),
        "type": SURVEY_TYPE,
        "questions": [survey_question_build(config, question_id=question_id)],
        "appearance": dict(SURVEY_APPEARANCE),
        "start_date": tour.start_date,
        "end_date": end_date,
        "enable_partial_responses": False,
    }


def _as_uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _question_id(survey: Survey) -> str | None:
    """The survey's existing question id, kept so answers already given stay attached to it."""
    questions = survey.questions
    if isinstance(questions, list) and questions and isinstance(questions[0], dict):
        question_id = questions[0].get("id")
        if isinstance(question_id, str) and question_id:
            return question_id
    return None


def _survey_steps(steps: list) -> list[tuple[int, dict]]:
    """(index, step) of the steps that back a survey. Stored content was validated on the way in; a
    malformed `survey` that got in another way (ORM, admin) is treated as no survey rather than failing."""
    return [
        (index, step)
        for index, step in enumerate(steps)
        if isinstance(step, dict) and step.get("survey") is not None and survey_config_problem(step["survey"]) is None
    ]


# --- database -------------------------------------------------------------------------------------


def tour_surveys_sync(*, tour: ProductTour, user: User | None, before_content: Any = None, save: bool = True) -> None:
    """Create or update the survey behind each survey step and record its ids in the step; end the
    tour's surveys no step uses. Call inside the tour's transaction, with the tour row existing.

    `before_content`: the content the tour had (updates); when it had no survey step, every survey of
    the tour was ended by the save that removed its step, so there is nothing to end. `save=False`:
    the caller saves the tour (with the survey ids written into its steps) afterwards.

    Only a survey of this same tour is reused: a `linkedSurveyId` naming an unknown survey, another
    tour's or another project's, or one an earlier step already claimed, gets a new survey.
    """
    content = tour.content if isinstance(tour.content, dict) else {}
    steps: list = content["steps"] if isinstance(content.get("steps"), list) else []
    survey_steps = _survey_steps(steps)
    wanted = {sid for _, step in survey_steps if (sid := _as_uuid(step.get("linkedSurveyId"))) is not None}
    existing = (
        {s.pk: s for s in Survey.objects.filter(project_id=tour.project_id, product_tour_id=tour.pk, pk__in=wanted)}
        if wanted
        else {}
    )

    now = timezone.now()
    new_steps = list(steps)
    claimed: set[uuid.UUID] = set()
    to_create: list[Survey] = []
    to_update: list[Survey] = []
    for index, step in survey_steps:
        linked = _as_uuid(step.get("linkedSurveyId"))
        survey = existing.get(linked) if linked is not None else None
        is_new = survey is None or survey.pk in claimed
        if survey is None or is_new:
            survey = Survey(project_id=tour.project_id, product_tour_id=tour.pk, created_by=user)
            to_create.append(survey)
        claimed.add(survey.pk)
        question_id = _question_id(survey) or str(uuid.uuid4())
        fields = survey_fields_build(
            tour=tour,
            index=index,
            config=step["survey"],
            survey_id=survey.pk,
            question_id=question_id,
            current_end_date=survey.end_date,
            now=now,
        )
        if not is_new and any(getattr(survey, key) != value for key, value in fields.items()):
            to_update.append(survey)
        for key, value in fields.items():
            setattr(survey, key, value)
        new_steps[index] = {**step, "linkedSurveyId": str(survey.pk), "linkedSurveyQuestionId": question_id}

    # A step that no longer backs a survey must not keep pointing at the (now ended) one.
    survey_indexes = {index for index, _ in survey_steps}
    for index, step in enumerate(steps):
        if index not in survey_indexes and isinstance(step, dict) and "linkedSurveyId" in step:
            new_steps[index] = {k: v for k, v in step.items() if k not in ("linkedSurveyId", "linkedSurveyQuestionId")}

    if to_create:
        Survey.objects.bulk_create(to_create)
    if to_update:
        for survey in to_update:
            survey.updated_at = now  # bulk_update skips auto_now
        Survey.objects.bulk_update(to_update, [*SYNCED_FIELDS, "updated_at"])
    if before_content is None or _had_survey_steps(before_content):
        Survey.objects.filter(product_tour_id=tour.pk, end_date__isnull=True).exclude(pk__in=claimed).update(
            end_date=now, updated_at=now
        )
    if new_steps != steps:
        tour.content = {**content, "steps": new_steps}
        if save:
            tour.save(update_fields=["content", "updated_at"])


def _had_survey_steps(content: Any) -> bool:
    steps = content.get("steps") if isinstance(content, dict) else None
    return isinstance(steps, list) and any(isinstance(step, dict) and "survey" in step for step in steps)


def tour_surveys_end(*, tour: ProductTour) -> None:
    """End every survey of the tour that is still open (before the tour is deleted)."""
    now = timezone.now()
    Survey.objects.filter(product_tour_id=tour.pk, end_date__isnull=True).update(end_date=now, updated_at=now)
