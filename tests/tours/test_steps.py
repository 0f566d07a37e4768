"""§10 step normalisation: pure table-driven tests, plus read and write through the API."""

import pytest

from tests.support.tours import create, make_tour, tour_url
from tours.models import ProductTour
from tours.services.steps import content_with_normalized_steps, step_normalize, steps_normalize, tour_type

NORMALIZE_CASES = [
    # (stored step, expected step)
    (
        {"id": "s1", "type": "modal", "useManualSelector": True, "selector": ".foo"},
        {"id": "s1", "type": "modal", "useManualSelector": True, "selector": ".foo", "elementTargeting": "manual"},
    ),
    (
        {"id": "s1", "type": "modal", "inferenceData": {"selector": ".bar"}},
        {"id": "s1", "type": "modal", "inferenceData": {"selector": ".bar"}, "elementTargeting": "auto"},
    ),
    (
        {"id": "s1", "type": "element", "selector": ".baz"},
        {"id": "s1", "type": "modal", "selector": ".baz", "elementTargeting": "auto"},
    ),
    (
        {"id": "s1", "type": "modal", "elementTargeting": "manual", "selector": ".foo"},
        {"id": "s1", "type": "modal", "elementTargeting": "manual", "selector": ".foo", "useManualSelector": True},
    ),
    ({"id": "s1", "type": "modal", "content": {}}, {"id": "s1", "type": "modal", "content": {}}),
    (
        {"id": "s1", "elementTargeting": "auto", "inferenceData": {"x": 1}, "useManualSelector": True},
        {"id": "s1", "elementTargeting": "auto", "inferenceData": {"x": 1}},
    ),
    # useManualSelector wins over inferenceData and type=element when deriving.
    (
        {"type": "element", "useManualSelector": True, "inferenceData": {"x": 1}},
        {"type": "element", "useManualSelector": True, "inferenceData": {"x": 1}, "elementTargeting": "manual"},
    ),
    # inferenceData wins over type=element (type untouched).
    (
        {"type": "element", "inferenceData": {"x": 1}},
        {"type": "element", "inferenceData": {"x": 1}, "elementTargeting": "auto"},
    ),
    # Falsy legacy values do not derive anything.
    ({"useManualSelector": False, "inferenceData": None}, {"useManualSelector": False, "inferenceData": None}),
    # An explicit null elementTargeting counts as missing.
    ({"elementTargeting": None, "useManualSelector": True}, {"elementTargeting": "manual", "useManualSelector": True}),
    # Any other non-null targeting drops useManualSelector.
    ({"elementTargeting": "other", "useManualSelector": True}, {"elementTargeting": "other"}),
]


@pytest.mark.parametrize(("step", "expected"), NORMALIZE_CASES)
def test_step_normalize(step, expected):
    original = dict(step)
    assert step_normalize(step) == expected
    assert step == original  # the input is not modified


@pytest.mark.parametrize("value", [None, "step", 3, ["a"]])
def test_step_normalize_leaves_non_objects(value):
    assert step_normalize(value) == value


def test_steps_and_content_helpers():
    assert steps_normalize("nope") == "nope"
    assert steps_normalize([{"type": "element"}]) == [{"type": "modal", "elementTargeting": "auto"}]
    assert content_with_normalized_steps(None) is None
    assert content_with_normalized_steps({"type": "tour"}) == {"type": "tour"}
    assert content_with_normalized_steps({"steps": [{"useManualSelector": True}], "x": 1}) == {
        "steps": [{"useManualSelector": True, "elementTargeting": "manual"}],
        "x": 1,
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"steps": [{"id": "s1", "type": "modal"}]}, "tour"),
        ({}, "tour"),
        ({"type": "tour", "steps": []}, "tour"),
        ({"type": "announcement", "steps": [{"id": "s1", "type": "modal"}]}, "announcement"),
        ({"type": "announcement", "steps": [{"id": "s1", "type": "banner"}]}, "banner"),
        ({"type": "announcement", "steps": []}, "announcement"),
    ],
)
def test_tour_type(content, expected):
    assert tour_type(content) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "targeting", "step_type"),
    [
        ({"id": "s1", "type": "modal", "useManualSelector": True, "selector": ".foo"}, "manual", "modal"),
        ({"id": "s1", "type": "modal", "inferenceData": {"selector": ".bar"}}, "auto", "modal"),
        ({"id": "s1", "type": "element", "selector": ".baz"}, "auto", "modal"),
        ({"id": "s1", "type": "modal", "elementTargeting": "manual", "selector": ".foo"}, "manual", "modal"),
        ({"id": "s1", "type": "modal", "content": {}}, None, "modal"),
    ],
)
def test_read_normalises(tenant, stored, targeting, step_type):
    """T-read-normalises: raw stored steps come back normalised; the stored row is untouched."""
    tour = make_tour(tenant.project, content={"steps": [stored]})
    step = tenant.client.get(tour_url(tenant, tour.id)).json()["content"]["steps"][0]
    assert step.get("elementTargeting") == targeting
    assert ("elementTargeting" in step) is (targeting is not None)
    assert step["type"] == step_type
    tour.refresh_from_db()
    assert tour.content == {"steps": [stored]}


@pytest.mark.django_db
def test_write_normalises(tenant):
    """T-write-normalises: the stored content carries the normalised steps."""
    response = create(
        tenant,
        {
            "name": "Normalised",
            "content": {
                "steps": [
                    {"id": "s1", "type": "modal", "elementTargeting": "manual", "selector": ".foo"},
                    {"id": "s2", "type": "modal", "elementTargeting": "auto", "inferenceData": {"selector": ".bar"}},
                    {"id": "s3", "type": "element", "useManualSelector": False},
                ]
            },
        },
    )
    assert response.status_code == 201, response.json()
    stored = ProductTour.objects.get(pk=response.json()["id"]).content["steps"]
    assert stored[0]["useManualSelector"] is True
    assert "useManualSelector" not in stored[1]
    assert stored[2] == {"id": "s3", "type": "modal", "elementTargeting": "auto"}
