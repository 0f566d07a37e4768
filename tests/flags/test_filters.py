"""Pure filters validation and normalisation (no database)."""

import json

import pytest

from flags.services.dependencies import FlagNode
from flags.services.errors import FiltersInvalid
from flags.services.filters import filters_clean, filters_normalize


def person(key="email", value="a@b.c", operator="exact", **extra):
    return {"key": key, "value": value, "operator": operator, "type": "person", **extra}


def one_group(*properties, **group):
    return {"groups": [{"properties": list(properties), "rollout_percentage": 100, **group}]}


def multivariate(*percentages, **extra):
    return {
        "variants": [{"key": f"v{i}", "rollout_percentage": p} for i, p in enumerate(percentages)],
        **extra,
    }


def error_of(filters, **kwargs) -> FiltersInvalid:
    with pytest.raises(FiltersInvalid) as info:
        filters_clean(filters, **kwargs)
    return info.value


NOT_PERSON = "Filters are not valid (can only use person, cohort, and flag properties)"
NOT_GROUP = "Filters are not valid (can only use group properties)"

INVALID = [
    # (case id, filters, code, detail)
    ("filters-not-object", ["groups"], "invalid_input", "Filters are not valid (filters must be an object)"),
    ("filters-string", "groups", "invalid_input", "Filters are not valid (filters must be an object)"),
    ("groups-not-list", {"groups": {"0": {}}}, "invalid_input", "Filters are not valid (groups must be a list)"),
    ("groups-null", {"groups": None}, "invalid_input", "Filters are not valid (groups must be a list)"),
    ("group-not-object", {"groups": ["x"]}, "invalid_input", "Filters are not valid (groups[0] must be an object)"),
    (
        "properties-not-list",
        {"groups": [{"properties": {"key": "a"}}]},
        "invalid_input",
        "Filters are not valid (groups[0].properties must be a list)",
    ),
    (
        "property-not-object",
        {"groups": [{"properties": ["email"]}]},
        "invalid_input",
        "Filters are not valid (groups[0].properties[0] must be an object)",
    ),
    (
        "property-without-key",
        {"groups": [{"properties": [{"type": "person", "value": "x"}]}]},
        "invalid_input",
        "Filters are not valid (groups[0].properties[0].key must be a non-empty string)",
    ),
    (
        "property-value-object",
        one_group(person(value={"a": 1})),
        "invalid_input",
        "Filters are not valid (groups[0].properties[0].value must be a string, number, boolean, null or a list of those)",
    ),
    (
        "property-negation-string",
        one_group(person(negation="yes")),
        "invalid_input",
        "Filters are not valid (groups[0].properties[0].negation must be a boolean)",
    ),
    (
        "variant-not-string",
        {"groups": [{"variant": 1}]},
        "invalid_input",
        "Filters are not valid (groups[0].variant must be a string or null)",
    ),
    (
        "aggregation-index-string",
        {"groups": [], "aggregation_group_type_index": "0"},
        "invalid_input",
        "Filters are not valid (aggregation_group_type_index must be null or an integer between 0 and 4)",
    ),
    (
        "nul-character",
        one_group(person(value="a\x00b")),
        "invalid_input",
        "Filters are not valid (text must not contain null characters)",
    ),
    # rollout percentages (group level)
    (
        "rollout-above-100",
        {"groups": [{"rollout_percentage": 101}]},
        "invalid_input",
        "groups[0].rollout_percentage must be between 0 and 100, got 101",
    ),
    (
        "rollout-negative",
        {"groups": [{}, {"rollout_percentage": -1}]},
        "invalid_input",
        "groups[1].rollout_percentage must be between 0 and 100, got -1",
    ),
    (
        "rollout-nan",
        {"groups": [{"rollout_percentage": float("nan")}]},
        "invalid_input",
        "groups[0].rollout_percentage must be between 0 and 100, got nan",
    ),
    (
        "rollout-bool",
        {"groups": [{"rollout_percentage": True}]},
        "invalid_input",
        "groups[0].rollout_percentage must be a number or null, got bool",
    ),
    (
        "rollout-numeric-string",
        {"groups": [{"rollout_percentage": "50"}]},
        "invalid_input",
        "groups[0].rollout_percentage must be a number or null, got str",
    ),
    # property types vs aggregation
    ("event-property", one_group({"key": "x", "value": "y", "type": "event"}), "invalid_input", NOT_PERSON),
    ("missing-type", one_group({"key": "x", "value": "y"}), "invalid_input", NOT_PERSON),
    (
        "group-property-on-person-flag",
        one_group({"key": "x", "value": "y", "type": "group", "group_type_index": 0}),
        "invalid_input",
        NOT_PERSON,
    ),
    (
        "person-property-on-group-flag",
        {**one_group(person()), "aggregation_group_type_index": 0},
        "invalid_input",
        NOT_GROUP,
    ),
    (
        "group-property-other-index",
        {
            **one_group({"key": "x", "value": "y", "type": "group", "group_type_index": 1}),
            "aggregation_group_type_index": 0,
        },
        "invalid_input",
        NOT_GROUP,
    ),
    (
        "flag-property-wrong-operator",
        one_group({"key": "1", "value": True, "type": "flag", "operator": "exact"}),
        "invalid_input",
        "Flag properties must use the 'flag_evaluates_to' operator",
    ),
    # operators
    ("unknown-operator", one_group(person(operator="contains")), "invalid_operator", "Invalid operator: contains"),
    ("operator-not-string", one_group(person(operator=["exact"])), "invalid_operator", "Invalid operator: ['exact']"),
    (
        "in-on-person",
        one_group(person(operator="in", value=["a"])),
        "invalid_operator",
        "The 'in' operator is only valid for cohort properties, not 'person' properties.",
    ),
    (
        "not-in-on-person",
        one_group(person(operator="not_in", value=["a"])),
        "invalid_operator",
        "The 'not_in' operator is only valid for cohort properties, not 'person' properties.",
    ),
    # string-only operators
    (
        "icontains-list",
        one_group(person(operator="icontains", value=["@posthog.com"])),
        "invalid_value",
        "Invalid value for operator icontains: ['@posthog.com']",
    ),
    (
        "regex-number",
        one_group(person(operator="regex", value=5)),
        "invalid_value",
        "Invalid value for operator regex: 5",
    ),
    (
        "not-regex-null",
        one_group(person(operator="not_regex", value=None)),
        "invalid_value",
        "Invalid value for operator not_regex: None",
    ),
    (
        "not-icontains-bool",
        one_group(person(operator="not_icontains", value=True)),
        "invalid_value",
        "Invalid value for operator not_icontains: True",
    ),
    ("gt-number", one_group(person(operator="gt", value=5)), "invalid_value", "Invalid value for operator gt: 5"),
    ("gte-number", one_group(person(operator="gte", value=5)), "invalid_value", "Invalid value for operator gte: 5"),
    ("lt-float", one_group(person(operator="lt", value=1.5)), "invalid_value", "Invalid value for operator lt: 1.5"),
    (
        "lte-list",
        one_group(person(operator="lte", value=["1"])),
        "invalid_value",
        "Invalid value for operator lte: ['1']",
    ),
    (
        "min-alias-number",
        one_group(person(operator="min", value=5)),
        "invalid_value",
        "Invalid value for operator min: 5",
    ),
    (
        "semver-number",
        one_group(person(operator="semver_gt", value=1)),
        "invalid_value",
        "Invalid value for operator semver_gt: 1",
    ),
    (
        "icontains-multi-string",
        one_group(person(operator="icontains_multi", value="a")),
        "invalid_value",
        "Invalid value for operator icontains_multi: a",
    ),
    # dates
    (
        "date-garbage",
        one_group(person(operator="is_date_before", value="yesterday-ish")),
        "invalid_date",
        "Invalid date value: yesterday-ish",
    ),
    (
        "date-relative-too-big",
        one_group(person(operator="is_date_after", value="10000d")),
        "invalid_date",
        "Invalid date value: 10000d",
    ),
    (
        "date-relative-bad-unit",
        one_group(person(operator="is_date_before", value="7x")),
        "invalid_date",
        "Invalid date value: 7x",
    ),
    ("date-number", one_group(person(operator="is_date_exact", value=7)), "invalid_date", "Invalid date value: 7"),
    # cohorts do not exist in this service
    (
        "cohort",
        one_group({"key": "id", "value": 42, "type": "cohort"}),
        "cohort_does_not_exist",
        "Cohort with id 42 does not exist",
    ),
    # list size
    (
        "too-many-values",
        one_group(person(key="plan", value=[str(i) for i in range(1001)])),
        "invalid_input",
        "Property group expressions of type plan cannot contain more than 1000 values.",
    ),
    # multivariate
    (
        "variants-sum-below-100",
        {"groups": [], "multivariate": multivariate(50, 40)},
        "invalid_input",
        "Invalid variant definitions: Variant rollout percentages must sum to 100.",
    ),
    (
        "variants-sum-above-100",
        {"groups": [], "multivariate": multivariate(50, 60)},
        "invalid_input",
        "Invalid variant definitions: Variant rollout percentages must sum to 100.",
    ),
    (
        "variant-rollout-over-100",
        {"groups": [], "multivariate": multivariate(150, -50)},
        "invalid_input",
        "multivariate.variants[0].rollout_percentage must be between 0 and 100, got 150",
    ),
    (
        "variant-rollout-string",
        {"groups": [], "multivariate": multivariate("100")},
        "invalid_input",
        "multivariate.variants[0].rollout_percentage must be a number, got str",
    ),
    (
        "variant-rollout-bool",
        {"groups": [], "multivariate": multivariate(True, 99)},
        "invalid_input",
        "multivariate.variants[0].rollout_percentage must be a number, got bool",
    ),
    (
        "variants-empty",
        {"groups": [], "multivariate": {"variants": []}},
        "invalid_input",
        "Invalid variant definitions: multivariate.variants must be a non-empty list.",
    ),
    (
        "multivariate-not-object",
        {"groups": [], "multivariate": ["a"]},
        "invalid_input",
        "Filters are not valid (multivariate must be an object or null)",
    ),
    (
        "variant-key-invalid",
        {"groups": [], "multivariate": {"variants": [{"key": "a b", "rollout_percentage": 100}]}},
        "invalid_input",
        "Invalid variant definitions: multivariate.variants[0].key must be at most 400 letters, numbers, hyphens (-), "
        "underscores (_), dots (.) or slashes (/).",
    ),
    (
        "variant-keys-duplicated",
        {
            "groups": [],
            "multivariate": {
                "variants": [{"key": "a", "rollout_percentage": 50}, {"key": "a", "rollout_percentage": 50}]
            },
        },
        "invalid_input",
        "Invalid variant definitions: Variant keys must be unique, duplicated: a.",
    ),
    (
        "variant-override-missing",
        {"groups": [{"variant": "nope"}], "multivariate": multivariate(100)},
        "invalid_input",
        "Filters are not valid (variant override does not exist)",
    ),
    (
        "variant-override-boolean-flag",
        {"groups": [{"variant": "v0"}]},
        "invalid_input",
        "Filters are not valid (variant override does not exist)",
    ),
    # payloads
    ("payloads-list", {"groups": [], "payloads": ["x"]}, "invalid_input", "Payloads must be passed as a dictionary"),
    (
        "payload-not-json",
        {"groups": [], "payloads": {"true": "{not json"}},
        "invalid_input",
        "Payload value is not valid JSON",
    ),
    (
        "payload-deeply-nested-json",
        {"groups": [], "payloads": {"true": "[" * 100_000 + "]" * 100_000}},
        "invalid_input",
        "Payload value is not valid JSON",
    ),
    (
        "payload-key-boolean-flag",
        {"groups": [], "payloads": {"false": "1"}},
        "invalid_input",
        "Payload keys must be 'true' for boolean flags",
    ),
    (
        "payload-key-not-variant",
        {"groups": [], "multivariate": multivariate(100), "payloads": {"true": "1"}},
        "invalid_input",
        "Payload keys must match a variant key for multivariate flags",
    ),
]


@pytest.mark.parametrize("filters, code, detail", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_filters(filters, code, detail):
    error = error_of(filters)
    assert (error.code, error.detail) == (code, detail)


VALID = [
    ("empty", {"groups": []}),
    ("no-groups-key", {}),
    ("everyone", {"groups": [{"properties": [], "rollout_percentage": None}]}),
    ("zero-percent", {"groups": [{"rollout_percentage": 0}]}),
    ("fractional-percent", {"groups": [{"rollout_percentage": 33.3}]}),
    ("operator-null-means-exact", one_group(person(operator=None))),
    ("operator-absent", one_group({"key": "email", "value": "x", "type": "person"})),
    ("exact-list", one_group(person(value=["a", "b"]))),
    ("is-not", one_group(person(operator="is_not", value=1))),
    ("is-set", one_group(person(operator="is_set", value="is_set"))),
    ("is-not-set", one_group(person(operator="is_not_set", value="is_not_set"))),
    ("relative-date", one_group(person(operator="is_date_before", value="7d"))),
    ("relative-date-negative", one_group(person(operator="is_date_after", value="-3m"))),
    ("relative-date-hours", one_group(person(operator="is_date_after", value="48h"))),
    ("absolute-date", one_group(person(operator="is_date_after", value="2024-05-01"))),
    ("absolute-datetime", one_group(person(operator="is_date_exact", value="2024-05-01T10:00:00Z"))),
    ("string-gt", one_group(person(operator="gt", value="10"))),
    ("alias-min", one_group(person(operator="min", value="10"))),
    ("alias-max", one_group(person(operator="max", value="10"))),
    ("semver", one_group(person(operator="semver_caret", value="1.2.0"))),
    ("icontains-multi", one_group(person(operator="icontains_multi", value=["a", "b"]))),
    ("exactly-1000-values", one_group(person(value=[str(i) for i in range(1000)]))),
    (
        "group-flag",
        {
            **one_group({"key": "name", "value": "x", "type": "group", "group_type_index": 2}),
            "aggregation_group_type_index": 2,
        },
    ),
    ("multivariate", {"groups": [{"variant": "v1"}], "multivariate": multivariate(33.3, 33.3, 33.4)}),
    ("multivariate-null", {"groups": [], "multivariate": None}),
    ("payload-boolean", {"groups": [], "payloads": {"true": '{"a": 1}'}}),
    ("payload-variants", {"groups": [], "multivariate": multivariate(50, 50), "payloads": {"v0": "1", "v1": '"x"'}}),
    (
        "unknown-keys-kept",
        {"groups": [{"description": "d", "sort_key": 3, "properties": [person(label="L")]}], "holdout": None},
    ),
]


@pytest.mark.parametrize("filters", [case[1] for case in VALID], ids=[case[0] for case in VALID])
def test_valid_filters(filters):
    cleaned = filters_clean(filters)
    assert cleaned["groups"] == [
        {
            **group,
            "aggregation_group_type_index": group.get(
                "aggregation_group_type_index", filters.get("aggregation_group_type_index")
            ),
        }
        for group in filters.get("groups", [])
    ]
    assert cleaned["aggregation_group_type_index"] == filters.get("aggregation_group_type_index")


def test_tours_shape_round_trips_exactly_with_key_order():
    """tours-behaviour.md §7.5 T-full-filters-shape-round-trip: only the aggregation keys are added."""
    tours_filters = {
        "groups": [
            {
                "variant": "",
                "rollout_percentage": 100,
                "properties": [
                    {
                        "key": "$product_tour_completed/1",
                        "type": "person",
                        "value": "is_not_set",
                        "operator": "is_not_set",
                    },
                    {
                        "key": "$product_tour_last_seen_date/tour",
                        "value": "7d",
                        "operator": "is_date_before",
                        "type": "person",
                    },
                    {"key": "plan", "value": "pro", "operator": "exact", "type": "person"},
                ],
            }
        ]
    }
    before = json.dumps(tours_filters)
    cleaned = filters_clean(tours_filters)
    assert json.dumps(tours_filters) == before  # the caller's data is not mutated
    group = tours_filters["groups"][0]
    expected = {
        "aggregation_group_type_index": None,
        "groups": [
            {
                "variant": "",
                "rollout_percentage": 100,
                "aggregation_group_type_index": None,
                "properties": group["properties"],
            }
        ],
    }
    assert json.dumps(cleaned) == json.dumps(expected)
    assert filters_clean(cleaned) == cleaned  # idempotent
    assert json.dumps(filters_clean(cleaned)) == json.dumps(cleaned)


def test_normalise_group_inherits_flag_level_aggregation():
    cleaned = filters_normalize(
        {"aggregation_group_type_index": 1, "groups": [{"properties": []}, {"aggregation_group_type_index": None}]}
    )
    assert cleaned == {
        "aggregation_group_type_index": 1,
        "groups": [{"aggregation_group_type_index": 1, "properties": []}, {"aggregation_group_type_index": None}],
    }


def test_explicit_null_group_aggregation_allows_person_properties_in_group_flag():
    filters = {
        "aggregation_group_type_index": 0,
        "groups": [{"aggregation_group_type_index": None, "properties": [person()]}],
    }
    assert filters_clean(filters)["groups"][0]["properties"] == [person()]


def test_payload_values_are_stored_as_json_strings():
    cleaned = filters_clean({"groups": [], "payloads": {"true": {"a": [1, 2]}}})
    assert cleaned["payloads"] == {"true": '{"a": [1, 2]}'}


def test_numeric_flag_property_key_is_kept_as_sent():
    nodes = {7: FlagNode(key="other", active=True)}
    prop = {"key": 7, "value": True, "type": "flag", "operator": "flag_evaluates_to"}
    assert filters_clean(one_group(prop), project_flags=nodes)["groups"][0]["properties"] == [prop]


def test_deeply_nested_unknown_key_is_refused_not_crashing():
    deep: list = []
    for _ in range(2000):
        deep = [deep]
    error = error_of({"groups": [], "extra": deep})
    assert error.detail == "Filters are not valid (filters are nested too deeply)"


# --- flag dependencies ---------------------------------------------------------------------------


def flag_prop(flag_id):
    return {"key": str(flag_id), "value": True, "type": "flag", "operator": "flag_evaluates_to"}


def depends_on(*ids) -> tuple:
    return tuple(str(i) for i in ids)


DEPENDENCY_CASES = [
    (
        "flag-key-not-id",
        one_group({"key": "my-flag", "value": True, "type": "flag", "operator": "flag_evaluates_to"}),
        {},
        None,
        "Flag dependencies must reference flag IDs (integers), not flag keys. Invalid reference: 'my-flag'",
    ),
    ("unknown-flag", one_group(flag_prop(99)), {}, None, "Flag dependency references non-existent flag with ID 99"),
    (
        "disabled-flag",
        one_group(flag_prop(2)),
        {2: FlagNode(key="off", active=False)},
        None,
        "Cannot create dependency on disabled flag 'off' (ID: 2). Flag dependencies must reference active flags only.",
    ),
    ("self", one_group(flag_prop(1)), {}, 1, "Feature flag 'me' cannot depend on itself"),
    (
        "two-cycle",
        one_group(flag_prop(2)),
        {2: FlagNode(key="b", active=True, dependency_refs=depends_on(1))},
        1,
        "Circular dependency detected: me → b → me",
    ),
    (
        "three-cycle",
        one_group(flag_prop(2)),
        {
            2: FlagNode(key="b", active=True, dependency_refs=depends_on(3)),
            3: FlagNode(key="c", active=True, dependency_refs=depends_on(1)),
        },
        1,
        "Circular dependency detected: me → b → c → me",
    ),
]


@pytest.mark.parametrize(
    "filters, nodes, flag_id, detail", [c[1:] for c in DEPENDENCY_CASES], ids=[c[0] for c in DEPENDENCY_CASES]
)
def test_flag_dependency_errors(filters, nodes, flag_id, detail):
    error = error_of(filters, flag_id=flag_id, flag_key="me" if flag_id else None, project_flags=nodes)
    assert (error.code, error.detail) == ("invalid_input", detail)


def test_dependency_chain_without_cycle_is_valid():
    nodes = {
        2: FlagNode(key="b", active=True, dependency_refs=depends_on(3)),
        3: FlagNode(key="c", active=True, dependency_refs=depends_on(4, "not-an-id")),
        4: FlagNode(key="d", active=True),
    }
    filters = {"groups": [{"properties": [flag_prop(2)]}, {"properties": [flag_prop(3)]}]}
    assert len(filters_clean(filters, flag_id=1, flag_key="a", project_flags=nodes)["groups"]) == 2


def test_new_flag_may_depend_on_existing_flag():
    nodes = {5: FlagNode(key="base", active=True)}
    assert filters_clean(one_group(flag_prop(5)), project_flags=nodes)["groups"][0]["properties"] == [flag_prop(5)]
