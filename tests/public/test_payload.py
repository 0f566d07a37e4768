"""Pure payload building: no database, no cache."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from sdk.services.tokens import token_plausible
from sdk.services.tours_payload import public_tours_render, tour_sdk_serialize

TOUR_ID = uuid.UUID("11111111-2222-3333-4444-555555555555")


def row(**overrides):
    base = {
        "id": TOUR_ID,
        "name": "Welcome",
        "content": {},
        "auto_launch": False,
        "start_date": None,
        "end_date": None,
        "internal_targeting_flag__key": None,
        "linked_flag__key": None,
    }
    return {**base, **overrides}


def test_full_item_has_exactly_the_sdk_fields():
    content = {
        "type": "tour",
        "steps": [{"id": "s1", "type": "modal", "content": {"type": "doc"}}],
        "conditions": {"url": "/pricing", "urlMatchType": "icontains"},
        "appearance": {"backgroundColor": "#000000"},
        "displayFrequency": "show_once",
    }
    item = tour_sdk_serialize(
        tour=row(
            content=content,
            auto_launch=True,
            start_date=datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
            end_date=datetime(2025, 2, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            internal_targeting_flag__key="product-tour-targeting-welcome-abcd1234",
            linked_flag__key="beta",
        )
    )
    assert item == {
        "id": "11111111-2222-3333-4444-555555555555",
        "name": "Welcome",
        "tour_type": "tour",
        "internal_targeting_flag_key": "product-tour-targeting-welcome-abcd1234",
        "linked_flag_key": "beta",
        "steps": [{"id": "s1", "type": "modal", "content": {"type": "doc"}}],
        "conditions": {"url": "/pricing", "urlMatchType": "icontains"},
        "appearance": {"backgroundColor": "#000000"},
        "display_frequency": "show_once",
        "auto_launch": True,
        "start_date": "2025-01-02T03:04:05.123456Z",
        "end_date": "2025-02-01T10:00:00Z",  # converted to UTC, like DRF
    }


def test_internal_flag_key_is_left_out_without_a_flag_and_optional_values_are_null():
    item = tour_sdk_serialize(tour=row())
    assert "internal_targeting_flag_key" not in item
    assert item["linked_flag_key"] is None
    assert item["steps"] == []
    assert item["conditions"] is None and item["appearance"] is None and item["display_frequency"] is None
    assert item["start_date"] is None and item["end_date"] is None


@pytest.mark.parametrize("content", [[], "text", None, {"steps": {"s1": {}}}, {"steps": "x"}])
def test_odd_content_gives_empty_steps_not_an_error(content):
    item = tour_sdk_serialize(tour=row(content=content))
    assert item["steps"] == []
    assert item["tour_type"] == "tour"


def test_steps_are_normalised():
    steps = [
        {"id": "a", "type": "element", "selector": "#a"},
        {"id": "b", "type": "element", "selector": "#b", "useManualSelector": True},
        {"id": "c", "type": "element", "inferenceData": {"autoData": "{}"}, "useManualSelector": False},
        {"id": "d", "type": "modal", "elementTargeting": "manual"},
    ]
    assert tour_sdk_serialize(tour=row(content={"steps": steps}))["steps"] == [
        {"id": "a", "type": "modal", "selector": "#a", "elementTargeting": "auto"},
        {"id": "b", "type": "element", "selector": "#b", "useManualSelector": True, "elementTargeting": "manual"},
        {"id": "c", "type": "element", "inferenceData": {"autoData": "{}"}, "elementTargeting": "auto"},
        {"id": "d", "type": "modal", "elementTargeting": "manual", "useManualSelector": True},
    ]


def test_render_is_compact_utf8_json_with_a_strong_etag_of_the_body():
    payload = public_tours_render(tours=[row(name="Grüße 👋")])
    assert payload.body.startswith(b'{"product_tours":[{"id":"11111111')
    assert "Grüße 👋".encode() in payload.body
    assert payload.etag.startswith('"') and payload.etag.endswith('"') and not payload.etag.startswith("W/")
    assert public_tours_render(tours=[row(name="Grüße 👋")]).etag == payload.etag
    assert public_tours_render(tours=[row(name="Other")]).etag != payload.etag
    assert public_tours_render(tours=[]).body == b'{"product_tours":[]}'


def test_render_survives_values_json_cannot_carry():
    # Only reachable by writing through the ORM, but must still give valid JSON, never a 500.
    payload = public_tours_render(tours=[row(content={"appearance": {"zIndex": float("nan")}, "x": "\ud800"})])
    body = json.loads(payload.body)
    assert body["product_tours"][0]["appearance"] == {"zIndex": None}
    surrogate = public_tours_render(tours=[row(name="\ud800")])
    assert json.loads(surrogate.body)["product_tours"][0]["name"] == "\ud800"


@pytest.mark.parametrize(
    "token, plausible",
    [
        ("phc_abc", True),
        ("x", True),
        ("a" * 200, True),
        ("a" * 201, False),
        ("", False),
        ("phc_\x00", False),
        ("phc_\ud800", False),
        ("phc_\n", False),
    ],
)
def test_token_plausible(token, plausible):
    assert token_plausible(token) is plausible
