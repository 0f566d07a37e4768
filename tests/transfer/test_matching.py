"""Pure parts of the import: reading source tours, mapping ids, the one-line error texts."""

import uuid

from rest_framework.exceptions import ValidationError

from tours.services.transfer.errors import error_text
from tours.services.transfer.matching import (
    content_surveys_remap,
    draft_input_build,
    flag_dependency_ids,
    flag_filters_remap,
    linked_flag_ids,
    source_has_targeting_flag,
    source_targeting,
    source_tour_id,
    tour_input_build,
    tours_oldest_first,
)

SURVEY = {"type": "open", "questionText": "Why?"}


def test_tours_are_unique_by_id_and_oldest_first():
    tours = [
        {"id": "c", "created_at": "2025-03-01T00:00:00Z"},
        {"id": "b", "created_at": "2025-02-01T00:00:00.5Z"},
        {"id": "a", "created_at": "2025-02-01T00:00:00Z"},
        {"id": "b", "created_at": "2025-02-01T00:00:00.5Z"},  # repeated by a shifting page
        {"id": "x", "created_at": "not a date"},
        "not a tour",
    ]
    assert [tour["id"] for tour in tours_oldest_first(tours)] == ["a", "b", "c", "x"]


def test_flag_ids_of_tours_and_drafts_once_each():
    tours = [
        {"linked_flag": {"id": 3}, "draft_content": {"linked_flag_id": 4}},
        {"linked_flag": None, "linked_flag_id": 3},
        {"linked_flag": {"id": True}, "draft_content": {"linked_flag_id": "5"}},
    ]
    assert linked_flag_ids(tours) == [3, 4]


def test_source_tour_id_and_targeting():
    tour_id = str(uuid.uuid4())
    assert source_tour_id({"id": tour_id}) == uuid.UUID(tour_id)
    assert source_tour_id({"id": "nope"}) is None and source_tour_id({}) is None
    flag = {"filters": {"groups": [{"properties": [{"key": "plan"}]}]}, "deleted": False}
    assert source_targeting({"targeting_flag_filters": None, "internal_targeting_flag": flag}) is None
    assert source_targeting({"internal_targeting_flag": flag}) == flag["filters"]  # older clients: no read field
    assert source_has_targeting_flag({"internal_targeting_flag": flag})
    assert not source_has_targeting_flag({"internal_targeting_flag": {**flag, "deleted": True}})
    assert not source_has_targeting_flag({"internal_targeting_flag": None})


def test_flag_dependencies_point_at_local_flags():
    filters = {
        "groups": [
            {"properties": [{"key": "7", "type": "flag", "value": True}, {"key": "plan", "type": "person"}]},
            {"properties": [{"key": 9, "type": "flag", "value": "a"}]},
        ]
    }
    assert flag_dependency_ids(filters) == [7, 9]
    remapped = flag_filters_remap(filters, {7: 70})
    assert remapped["groups"][0]["properties"] == [
        {"key": "70", "type": "flag", "value": True},
        filters["groups"][0]["properties"][1],
    ]
    assert remapped["groups"][1] == filters["groups"][1]  # unknown here: left for the validator to report
    assert flag_filters_remap(None, {7: 70}) is None


def test_survey_links_follow_the_local_steps():
    local = {
        "steps": [
            {"id": "s1", "survey": SURVEY, "linkedSurveyId": "local-1", "linkedSurveyQuestionId": "q-1"},
            {"id": "s2", "title": "plain"},
        ]
    }
    source = {
        "steps": [
            {"id": "s1", "survey": SURVEY, "linkedSurveyId": "remote-1", "linkedSurveyQuestionId": "rq-1"},
            {"id": "s3", "survey": SURVEY, "linkedSurveyId": "remote-3"},  # no local step: a new survey here
            {"id": "s2", "title": "plain", "linkedSurveyId": "stale"},  # not a survey step: no link
        ],
        "type": "tour",
    }
    assert content_surveys_remap(source, local_content=local) == {
        "steps": [
            {"id": "s1", "survey": SURVEY, "linkedSurveyId": "local-1", "linkedSurveyQuestionId": "q-1"},
            {"id": "s3", "survey": SURVEY},
            {"id": "s2", "title": "plain"},
        ],
        "type": "tour",
    }
    assert content_surveys_remap(source, local_content=None)["steps"][0] == {"id": "s1", "survey": SURVEY}
    assert content_surveys_remap({"steps": "x"}, local_content=local) == {"steps": "x"}


def test_tour_input_is_what_a_client_would_send():
    tour = {
        "id": "t",
        "name": "N",
        "description": None,
        "content": {"steps": []},
        "auto_launch": None,
        "start_date": "2025-01-01T00:00:00Z",
        "end_date": None,
        "archived": False,
        "targeting_flag_filters": {"groups": []},
        "created_by": {"id": 1},
    }
    assert tour_input_build(tour, linked_flag_id=12, local_content=None) == {
        "name": "N",
        "description": "",
        "content": {"steps": []},
        "auto_launch": False,
        "start_date": "2025-01-01T00:00:00Z",
        "end_date": None,
        "archived": False,
        "linked_flag_id": 12,
        "targeting_flag_filters": {"groups": []},
    }


def test_draft_links_the_local_flag():
    draft = {
        "name": "v2",
        "linked_flag_id": 3,
        "content": {"steps": [{"id": "a", "survey": SURVEY, "linkedSurveyId": "r"}]},
    }
    assert draft_input_build(draft, linked_flag_id=30, local_content=None) == {
        "name": "v2",
        "linked_flag_id": 30,
        "content": {"steps": [{"id": "a", "survey": SURVEY}]},
    }
    assert draft_input_build(None, linked_flag_id=None, local_content=None) is None
    assert draft_input_build({"name": "x"}, linked_flag_id=None, local_content=None) == {"name": "x"}


def test_error_text_names_the_field():
    assert error_text(ValidationError({"content": ["Bad."], "name": ["Taken.", "Long."]})) == (
        "content: Bad.; name: Taken.; name: Long."
    )
    assert error_text(ValidationError({"non_field_errors": ["Whole."]})) == "Whole."
    assert error_text(ValidationError("Plain.")) == "Plain."
    assert error_text(ValidationError({"filters": {"groups": ["Nested."]}})) == "filters.groups: Nested."
