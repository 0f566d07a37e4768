"""The pure parts of drafts (no database): picking draftable keys, the seed from live, the shallow merge."""

import uuid

import pytest
from django.http import QueryDict

from core.errors import InvalidInput
from flags.models import FeatureFlag
from tours.models import ProductTour
from tours.services.drafts import DRAFTABLE_FIELDS, draft_fields_pick, draft_merge, draft_seed
from tours.services.targeting import targeting_filters_build

PLAN = {"key": "plan", "value": "pro", "operator": "exact", "type": "person"}


def test_draftable_fields_are_the_references_six():
    assert DRAFTABLE_FIELDS == (
        "name",
        "description",
        "content",
        "auto_launch",
        "targeting_flag_filters",
        "linked_flag_id",
    )


def test_pick_keeps_draftable_keys_only():
    body = {"name": "N", "content": None, "start_date": "x", "archived": True, "creation_context": "toolbar"}
    assert draft_fields_pick(body) == {"name": "N", "content": None}
    assert draft_fields_pick({}) == {}


def test_pick_reads_forms_last_value():
    assert draft_fields_pick(QueryDict("name=a&name=b&auto_launch=true&x=1")) == {"name": "b", "auto_launch": "true"}


@pytest.mark.parametrize("body", [[1], "text", 1, None, ("name", "x")])
def test_pick_rejects_non_objects(body):
    with pytest.raises(InvalidInput) as raised:
        draft_fields_pick(body)
    assert raised.value.attr is None
    assert raised.value.detail == f"Invalid data. Expected a dictionary, but got {type(body).__name__}."


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        ({"name": "a\x00b"}, "name", "Null characters are not allowed."),
        ({"content": {"x": float("inf")}}, "content", "Numbers must be finite."),
        ({"description": "\ud800"}, "description", "Text must be valid Unicode (no unpaired surrogates)."),
        ({"linked_flag_id": object()}, "linked_flag_id", "Expected a JSON value."),
    ],
)
def test_pick_rejects_unstorable_values(body, key, message):
    with pytest.raises(InvalidInput) as raised:
        draft_fields_pick(body)
    assert (raised.value.attr, raised.value.detail) == (key, message)


def test_merge_is_shallow_and_pure():
    base = {"name": "Live", "content": {"steps": [{"id": "a"}], "displayFrequency": "always"}}
    merged = draft_merge(base=base, fields={"content": {"steps": []}, "description": "New"})
    assert merged == {"name": "Live", "content": {"steps": []}, "description": "New"}
    assert base == {"name": "Live", "content": {"steps": [{"id": "a"}], "displayFrequency": "always"}}


def test_seed_without_flag():
    tour = ProductTour(name="Live", description="D", content={"steps": [{"type": "element"}]}, auto_launch=True)
    assert draft_seed(tour=tour) == {
        "name": "Live",
        "description": "D",
        "content": {"steps": [{"type": "element"}]},
        "auto_launch": True,
        "targeting_flag_filters": None,
        "linked_flag_id": None,
    }


def test_seed_shows_only_user_targeting():
    tour = ProductTour(id=uuid.uuid4(), name="Live", content={}, linked_flag_id=7)
    filters = targeting_filters_build(tour_id=str(tour.id), content={}, user_groups=[[PLAN]])
    tour.internal_targeting_flag = FeatureFlag(id=3, key="k", filters=filters)
    seed = draft_seed(tour=tour)
    assert seed["targeting_flag_filters"]["groups"][0]["properties"] == [PLAN]
    assert seed["linked_flag_id"] == 7
