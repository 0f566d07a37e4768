"""Regression tests for what schemathesis found (tests/fuzz/test_schemathesis.py), fast and in-process."""

import pytest
from rest_framework import serializers

from flags.models import FeatureFlag
from tests.support.errors import assert_error
from tours.models import ProductTour
from tours.services.content_types import content_types_validate

# --- a known content key of the wrong JSON type was stored, then returned against the schema -------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"displayFrequency": {}}, "content.displayFrequency must be a string."),
        ({"type": 5}, "content.type must be a string."),
        ({"appearance": {"showOverlay": "yes"}}, "content.appearance.showOverlay must be true or false."),
        ({"appearance": {"zIndex": True}}, "content.appearance.zIndex must be a number."),
        ({"conditions": {"deviceTypes": ["Mobile", 3]}}, "content.conditions.deviceTypes[1] must be a string."),
        ({"steps": [{"id": "a"}, {"id": "b", "selector": 7}]}, "content.steps[1].selector must be a string."),
        (
            {"steps": [{"buttons": {"primary": {"text": []}}}]},
            "content.steps[0].buttons.primary.text must be a string.",
        ),
        ({"steps": [None]}, "content.steps[0] must not be null."),
    ],
)
def test_content_of_the_wrong_type_is_refused(content, problem):
    with pytest.raises(serializers.ValidationError) as excinfo:
        content_types_validate(content)
    assert excinfo.value.detail == [f"Invalid content: {problem}"]


@pytest.mark.parametrize(
    "content",
    [
        {},
        {"displayFrequency": "always", "type": "tour", "appearance": {"zIndex": 10, "borderRadius": 2.5}},
        {"displayFrequency": None, "appearance": None, "conditions": {"url": None, "deviceTypes": None}},
        {"steps": [{"id": "a", "selector": None, "content": {"type": "doc"}, "autoData": 1}]},
        {"steps": [{"linkedSurveyId": 12, "linkedSurveyQuestionId": {}}]},  # replaced by the server
        {"unknownKey": {"anything": [1, "x"]}, "steps": [{"newStepField": 5}]},  # unknown keys are kept
    ],
)
def test_content_of_the_documented_types_is_accepted(content):
    content_types_validate(content)


@pytest.mark.django_db
def test_tour_with_wrongly_typed_content_is_400_on_create_put_and_patch(tenant):
    bad = {"displayFrequency": {}, "steps": []}
    detail = "Invalid content: content.displayFrequency must be a string."
    url = tenant.url("product_tours/")
    assert_error(
        tenant.client.post(url, {"name": "T", "content": bad}, format="json"), 400, attr="content", detail=detail
    )
    assert not ProductTour.objects.exists()

    tour = tenant.client.post(url, {"name": "T", "content": {"displayFrequency": "always"}}, format="json").json()
    for method in (tenant.client.put, tenant.client.patch):
        response = method(f"{url}{tour['id']}/", {"name": "T", "content": bad}, format="json")
        assert_error(response, 400, attr="content", detail=detail)
    assert ProductTour.objects.get(pk=tour["id"]).content["displayFrequency"] == "always"


# --- a flag could be created already deleted: a 201 for a flag every later request answered 404 for --


@pytest.mark.django_db
def test_flag_cannot_be_created_deleted(tenant):
    response = tenant.client.post(tenant.url("feature_flags/"), {"key": "gone", "deleted": True}, format="json")
    assert_error(
        response,
        400,
        attr="deleted",
        code="invalid_input",
        detail='A feature flag cannot be created deleted; soft delete it with PATCH {"deleted": true}.',
    )
    assert not FeatureFlag.objects.exists()

    response = tenant.client.post(tenant.url("feature_flags/"), {"key": "live", "deleted": False}, format="json")
    assert response.status_code == 201 and response.json()["deleted"] is False
    flag_id = response.json()["id"]
    assert (
        tenant.client.patch(tenant.url(f"feature_flags/{flag_id}/"), {"deleted": True}, format="json").status_code
        == 200
    )
