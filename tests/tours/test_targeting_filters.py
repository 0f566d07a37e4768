"""§7.3–7.6 filter building for the internal targeting flag: pure functions, no database."""

import pytest
from rest_framework import serializers

from core.errors import InvalidInput
from tours.services.targeting import (
    MAX_FLAG_GROUPS,
    WaitPeriod,
    base_exclusions,
    property_is_system_managed,
    targeting_filters_build,
    targeting_filters_strip,
    targeting_flag_active,
    targeting_flag_key,
    targeting_flag_name,
    targeting_input_validate,
    user_groups_extract,
    wait_period_combinations,
    wait_period_parse,
)

TOUR = "11111111-2222-3333-4444-555555555555"


def is_not_set(key):
    return {"key": key, "type": "person", "value": "is_not_set", "operator": "is_not_set"}


def last_seen(kind, days=None):
    key = f"$product_tour_last_seen_date/{kind}"
    if days is None:
        return {"key": key, "value": "is_not_set", "operator": "is_not_set", "type": "person"}
    return {"key": key, "value": f"{days}d", "operator": "is_date_before", "type": "person"}


PLAN = {"key": "plan", "value": "pro", "operator": "exact", "type": "person"}
EMAIL = {"key": "email", "value": "a@b.c", "operator": "exact", "type": "person"}


@pytest.mark.parametrize(
    ("frequency", "keys"),
    [
        ("show_once", [f"$product_tour_shown/{TOUR}"]),
        ("until_interacted", [f"$product_tour_completed/{TOUR}", f"$product_tour_dismissed/{TOUR}"]),
        (None, [f"$product_tour_completed/{TOUR}", f"$product_tour_dismissed/{TOUR}"]),
        ("something-else", [f"$product_tour_completed/{TOUR}", f"$product_tour_dismissed/{TOUR}"]),
        ("always", []),
    ],
)
def test_base_exclusions(frequency, keys):
    assert base_exclusions(tour_id=TOUR, display_frequency=frequency) == [is_not_set(key) for key in keys]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"conditions": {"seenTourWaitPeriod": {"days": 7, "types": ["tour"]}}}, WaitPeriod(7, ("tour",))),
        ({"conditions": {"seenTourWaitPeriod": {"days": 2.9, "types": ["a", "b"]}}}, WaitPeriod(2, ("a", "b"))),
        ({"conditions": {"seenTourWaitPeriod": {"days": 1, "types": ["tour"]}}}, WaitPeriod(1, ("tour",))),
        ({"conditions": {"seenTourWaitPeriod": {"days": 0.5, "types": ["tour"]}}}, None),
        ({"conditions": {"seenTourWaitPeriod": {"days": 0, "types": ["tour"]}}}, None),
        ({"conditions": {"seenTourWaitPeriod": {"days": "7", "types": ["tour"]}}}, None),
        ({"conditions": {"seenTourWaitPeriod": {"days": True, "types": ["tour"]}}}, None),
        ({"conditions": {"seenTourWaitPeriod": {"days": 7, "types": []}}}, None),
        ({"conditions": {"seenTourWaitPeriod": {"days": 7, "types": "tour"}}}, None),
        ({"conditions": {"seenTourWaitPeriod": {"days": 7}}}, None),
        ({"conditions": {"seenTourWaitPeriod": "7 days"}}, None),
        ({"conditions": []}, None),
        ({"conditions": None}, None),
        ({}, None),
        (None, None),
        ("content", None),
    ],
)
def test_wait_period_parse(content, expected):
    assert wait_period_parse(content) == expected


def test_wait_period_combinations_first_type_varies_slowest():
    combinations = wait_period_combinations(WaitPeriod(3, ("tour", "banner")))
    assert combinations == [
        [last_seen("tour"), last_seen("banner")],
        [last_seen("tour"), last_seen("banner", 3)],
        [last_seen("tour", 3), last_seen("banner")],
        [last_seen("tour", 3), last_seen("banner", 3)],
    ]
    assert wait_period_combinations(None) == [[]]


@pytest.mark.parametrize(("types", "groups"), [(["tour"], 2), (["tour", "announcement"], 4), (["a", "b", "c"], 8)])
def test_group_count_doubles_per_type(types, groups):
    content = {"conditions": {"seenTourWaitPeriod": {"days": 7, "types": types}}}
    filters = targeting_filters_build(tour_id=TOUR, content=content, user_groups=[])
    assert len(filters["groups"]) == groups


def test_build_without_wait_or_targeting_is_one_base_group():
    assert targeting_filters_build(tour_id=TOUR, content={"steps": []}, user_groups=[]) == {
        "aggregation_group_type_index": None,
        "groups": [
            {
                "variant": "",
                "rollout_percentage": 100,
                "aggregation_group_type_index": None,
                "properties": [
                    is_not_set(f"$product_tour_completed/{TOUR}"),
                    is_not_set(f"$product_tour_dismissed/{TOUR}"),
                ],
            }
        ],
    }


def test_build_orders_user_groups_outer_and_wait_combinations_inner():
    content = {"displayFrequency": "show_once", "conditions": {"seenTourWaitPeriod": {"days": 5, "types": ["tour"]}}}
    filters = targeting_filters_build(tour_id=TOUR, content=content, user_groups=[[PLAN], [EMAIL]])
    shown = is_not_set(f"$product_tour_shown/{TOUR}")
    assert [group["properties"] for group in filters["groups"]] == [
        [shown, last_seen("tour"), PLAN],
        [shown, last_seen("tour", 5), PLAN],
        [shown, last_seen("tour"), EMAIL],
        [shown, last_seen("tour", 5), EMAIL],
    ]
    assert all(
        list(group) == ["variant", "rollout_percentage", "aggregation_group_type_index", "properties"]
        for group in filters["groups"]
    )


def test_build_with_only_empty_user_groups_is_base_only():
    expected = targeting_filters_build(tour_id=TOUR, content={}, user_groups=[])
    assert targeting_filters_build(tour_id=TOUR, content={}, user_groups=[[], []]) == expected


def test_build_refuses_too_many_groups():
    content = {"conditions": {"seenTourWaitPeriod": {"days": 1, "types": ["a", "b", "c"]}}}
    user_groups = [[{"key": f"k{i}", "value": "v", "operator": "exact", "type": "person"}] for i in range(200)]
    with pytest.raises(InvalidInput) as error:
        targeting_filters_build(tour_id=TOUR, content=content, user_groups=user_groups)
    assert error.value.attr == "targeting_flag_filters" and str(MAX_FLAG_GROUPS) in error.value.detail


def test_system_managed_properties():
    for key in ("$product_tour_shown", "$product_tour_completed", "$product_tour_dismissed"):
        assert property_is_system_managed({"key": f"{key}/{TOUR}"}, tour_id=TOUR)
        assert not property_is_system_managed({"key": f"{key}/other-tour"}, tour_id=TOUR)
    assert property_is_system_managed({"key": "$product_tour_last_seen_date/anything"}, tour_id=TOUR)
    assert not property_is_system_managed(PLAN, tour_id=TOUR)
    assert not property_is_system_managed({"key": 5}, tour_id=TOUR)
    assert not property_is_system_managed("junk", tour_id=TOUR)


def test_strip_removes_system_properties_and_duplicate_groups():
    content = {"conditions": {"seenTourWaitPeriod": {"days": 7, "types": ["tour", "banner"]}}}
    filters = targeting_filters_build(tour_id=TOUR, content=content, user_groups=[[PLAN], [EMAIL]])
    assert len(filters["groups"]) == 8
    assert targeting_filters_strip(tour_id=TOUR, filters=filters) == {
        "groups": [
            {"variant": "", "rollout_percentage": 100, "aggregation_group_type_index": None, "properties": [PLAN]},
            {"variant": "", "rollout_percentage": 100, "aggregation_group_type_index": None, "properties": [EMAIL]},
        ]
    }


def test_strip_is_null_without_user_targeting():
    content = {"conditions": {"seenTourWaitPeriod": {"days": 7, "types": ["tour"]}}}
    filters = targeting_filters_build(tour_id=TOUR, content=content, user_groups=[])
    assert targeting_filters_strip(tour_id=TOUR, filters=filters) is None
    assert targeting_filters_strip(tour_id=TOUR, filters={"groups": []}) is None
    assert targeting_filters_strip(tour_id=TOUR, filters=None) is None
    assert targeting_filters_strip(tour_id=TOUR, filters={"groups": "junk"}) is None


def test_strip_dedupes_by_property_set_regardless_of_order():
    filters = {"groups": [{"properties": [PLAN, EMAIL]}, {"properties": [EMAIL, PLAN]}]}
    assert targeting_filters_strip(tour_id=TOUR, filters=filters) == {"groups": [{"properties": [PLAN, EMAIL]}]}


def test_rebuild_from_stripped_is_idempotent():
    content = {
        "displayFrequency": "until_interacted",
        "conditions": {"seenTourWaitPeriod": {"days": 7, "types": ["t"]}},
    }
    built = targeting_filters_build(tour_id=TOUR, content=content, user_groups=[[PLAN]])
    again = targeting_filters_build(
        tour_id=TOUR,
        content=content,
        user_groups=user_groups_extract(tour_id=TOUR, filters=targeting_filters_strip(tour_id=TOUR, filters=built)),
    )
    assert again == built
    # Sending the flag's own filters back (system properties included) does not multiply anything.
    assert (
        targeting_filters_build(
            tour_id=TOUR, content=content, user_groups=user_groups_extract(tour_id=TOUR, filters=built)
        )
        == built
    )


def test_user_groups_extract_ignores_junk():
    assert user_groups_extract(tour_id=TOUR, filters=None) == []
    assert user_groups_extract(tour_id=TOUR, filters={"groups": [{"properties": None}, "x", {"rollout": 5}]}) == [[]]
    assert user_groups_extract(tour_id=TOUR, filters={"groups": [{"properties": [PLAN], "variant": "x"}]}) == [[PLAN]]


def test_flag_identity_and_state():
    key = targeting_flag_key("Auto launch tour")
    assert key.startswith("product-tour-targeting-auto-launch-tour-")
    suffix = key.rsplit("-", 1)[1]
    assert len(suffix) == 8 and set(suffix) <= set("0123456789abcdef")
    assert len(targeting_flag_key("x" * 400)) == 400
    assert targeting_flag_key("Ünïcödé  -- Tour!").startswith("product-tour-targeting-unicode-tour-")
    assert targeting_flag_name("Auto launch tour") == "Product Tour: Auto launch tour"
    assert targeting_flag_active(start_date="now", end_date=None, archived=False) is True
    assert targeting_flag_active(start_date=None, end_date=None, archived=False) is False
    assert targeting_flag_active(start_date="now", end_date="now", archived=False) is False
    assert targeting_flag_active(start_date="now", end_date=None, archived=True) is False


@pytest.mark.parametrize(
    "value",
    [
        "x",
        5,
        [1],
        {"groups": "x"},
        {"groups": [1]},
        {"groups": [{"properties": "x"}]},
        {"groups": [{"properties": [1]}]},
    ],
)
def test_targeting_input_rejects_malformed(value):
    with pytest.raises(serializers.ValidationError):
        targeting_input_validate(value)


@pytest.mark.parametrize("value", [None, {}, {"groups": []}, {"groups": [{}]}, {"groups": [{"properties": [PLAN]}]}])
def test_targeting_input_accepts(value):
    assert targeting_input_validate(value) == value
