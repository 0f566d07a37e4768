"""Pure survey-step functions: validating a step's `survey`, building the question and the survey fields."""

import uuid
from datetime import UTC, datetime

import pytest
from rest_framework import serializers

from tours.models import ProductTour
from tours.services.surveys import (
    SURVEY_APPEARANCE,
    survey_config_problem,
    survey_fields_build,
    survey_name,
    survey_question_build,
    survey_step_validate,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2025, 2, 1, tzinfo=UTC)
SURVEY_ID = uuid.UUID("1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed")


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"type": "open", "questionText": "Why?"},
        {"type": "rating", "questionText": "How?", "scale": 3, "display": "number"},
        {"type": "rating", "scale": 10, "display": "emoji", "lowerBoundLabel": "Bad", "upperBoundLabel": "Good"},
        {"type": None, "questionText": None, "scale": None, "display": None, "submitButtonText": "Send"},
        {"type": "open", "questionText": "Extra keys are kept", "somethingElse": [1, 2]},
    ],
)
def test_valid_configs_have_no_problem(config):
    assert survey_config_problem(config) is None


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("Rate us", "survey must be an object"),
        ([{"type": "open"}], "survey must be an object"),
        (True, "survey must be an object"),
        (0, "survey must be an object"),
        ({"questionText": 5}, "survey.questionText must be a string"),
        ({"questionText": {"text": "x"}}, "survey.questionText must be a string"),
        ({"lowerBoundLabel": 1}, "survey.lowerBoundLabel must be a string"),
        ({"upperBoundLabel": ["x"]}, "survey.upperBoundLabel must be a string"),
        ({"submitButtonText": False}, "survey.submitButtonText must be a string"),
        ({"backButtonText": 2.5}, "survey.backButtonText must be a string"),
        ({"type": "nps"}, "survey.type must be one of: open, rating"),
        ({"type": ""}, "survey.type must be one of: open, rating"),
        ({"type": ["open"]}, "survey.type must be one of: open, rating"),
        ({"type": "rating", "scale": 7}, "survey.scale must be one of: 3, 5, 10"),
        ({"type": "rating", "scale": "5"}, "survey.scale must be one of: 3, 5, 10"),
        ({"type": "rating", "scale": 5.0}, "survey.scale must be one of: 3, 5, 10"),
        ({"type": "rating", "scale": True}, "survey.scale must be one of: 3, 5, 10"),
        ({"type": "rating", "scale": 10**30}, "survey.scale must be one of: 3, 5, 10"),
        ({"type": "rating", "display": "stars"}, "survey.display must be one of: emoji, number"),
        ({"type": "rating", "display": 1}, "survey.display must be one of: emoji, number"),
    ],
)
def test_malformed_configs_name_the_problem(config, problem):
    assert survey_config_problem(config) == problem


def test_step_validate_ignores_non_survey_steps_and_prefixes_the_step_number():
    survey_step_validate(index=0, step={"id": "s1", "type": "modal"})
    survey_step_validate(index=0, step={"id": "s1", "survey": None})
    with pytest.raises(serializers.ValidationError) as error:
        survey_step_validate(index=2, step={"id": "s3", "survey": {"scale": 4}})
    assert error.value.detail == ["Step 3 survey.scale must be one of: 3, 5, 10."]


def test_open_question_defaults():
    assert survey_question_build({}, question_id="q1") == {"id": "q1", "type": "open", "question": ""}
    assert survey_question_build({"questionText": "Why?", "scale": 10, "display": "number"}, question_id="q1") == {
        "id": "q1",
        "type": "open",
        "question": "Why?",
    }


def test_rating_question_defaults_and_skip_submit():
    assert survey_question_build({"type": "rating", "questionText": "How?"}, question_id="q2") == {
        "id": "q2",
        "type": "rating",
        "question": "How?",
        "scale": 5,
        "display": "emoji",
        "skipSubmitButton": True,
    }


def test_rating_question_with_everything():
    config = {
        "type": "rating",
        "questionText": "How likely?",
        "scale": 10,
        "display": "number",
        "lowerBoundLabel": "Unlikely",
        "upperBoundLabel": "Very likely",
        "submitButtonText": "Send",
    }
    assert survey_question_build(config, question_id="q3") == {
        "id": "q3",
        "type": "rating",
        "question": "How likely?",
        "scale": 10,
        "display": "number",
        "lowerBoundLabel": "Unlikely",
        "upperBoundLabel": "Very likely",
        "skipSubmitButton": True,
    }


def test_empty_labels_are_left_out():
    config = {"type": "rating", "lowerBoundLabel": "", "upperBoundLabel": None}
    question = survey_question_build(config, question_id="q")
    assert "lowerBoundLabel" not in question and "upperBoundLabel" not in question


def test_name_has_step_number_and_short_id():
    assert survey_name(tour_name="Welcome", index=0, survey_id=SURVEY_ID) == "Welcome - Step 1 Survey (1b9d6bcd)"
    assert survey_name(tour_name="Welcome", index=11, survey_id=str(SURVEY_ID)) == "Welcome - Step 12 Survey (1b9d6bcd)"


def build(tour, current_end_date=None, index=1):
    return survey_fields_build(
        tour=tour,
        index=index,
        config={"type": "open", "questionText": "Why?"},
        survey_id=SURVEY_ID,
        question_id="q1",
        current_end_date=current_end_date,
        now=NOW,
    )


def test_fields_follow_the_tour():
    tour = ProductTour(name="Onboarding", start_date=START, end_date=None)
    assert build(tour) == {
        "name": "Onboarding - Step 2 Survey (1b9d6bcd)",
        "type": "api",
        "questions": [{"id": "q1", "type": "open", "question": "Why?"}],
        "appearance": {"position": "middle_center", "displayThankYouMessage": False, "hideCancelButton": True},
        "start_date": START,
        "end_date": None,
        "enable_partial_responses": False,
    }
    assert SURVEY_APPEARANCE == {"position": "middle_center", "displayThankYouMessage": False, "hideCancelButton": True}


def test_not_launched_tour_gives_open_dates_even_if_survey_had_ended():
    tour = ProductTour(name="T", start_date=None, end_date=None)
    fields = build(tour, current_end_date=END)
    assert (fields["start_date"], fields["end_date"]) == (None, None)


def test_stopped_tour_copies_end_date():
    fields = build(ProductTour(name="T", start_date=START, end_date=END))
    assert (fields["start_date"], fields["end_date"]) == (START, END)


def test_archived_tour_ends_survey_at_tour_end_else_now_else_keeps_existing_end():
    assert build(ProductTour(name="T", start_date=START, end_date=END, archived=True))["end_date"] == END
    assert build(ProductTour(name="T", start_date=START, archived=True))["end_date"] == NOW
    assert build(ProductTour(name="T", start_date=START, archived=True), current_end_date=END)["end_date"] == END


def test_appearance_is_a_fresh_copy():
    fields = build(ProductTour(name="T"))
    fields["appearance"]["position"] = "left"
    assert SURVEY_APPEARANCE["position"] == "middle_center"
