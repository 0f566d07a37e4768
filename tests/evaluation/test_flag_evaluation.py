"""The evaluation engine against PostHog's published consistency vectors and the operator table."""

from datetime import UTC, datetime, timedelta

import pytest

from flags.evaluation import (
    absolute_date_parse,
    flag_evaluate,
    property_match,
    rollout_hash,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

# PostHog's cross-library consistency vectors: "simple-flag" at 45%, distinct_id_0 … distinct_id_31.
SIMPLE_FLAG_RESULTS = [
    False,
    True,
    True,
    False,
    True,
    False,
    False,
    True,
    False,
    True,
    False,
    True,
    True,
    False,
    True,
    False,
    False,
    False,
    True,
    True,
    False,
    True,
    False,
    False,
    True,
    False,
    True,
    True,
    False,
    False,
    False,
    True,
]

# "multivariate-flag" at 55% with five variants (50/20/20/5/5), distinct_id_0 … distinct_id_39.
MULTIVARIATE_RESULTS = [
    "second-variant",
    "second-variant",
    "first-variant",
    False,
    False,
    "second-variant",
    "first-variant",
    False,
    False,
    False,
    "first-variant",
    "third-variant",
    False,
    "first-variant",
    "second-variant",
    "first-variant",
    False,
    False,
    "fourth-variant",
    "first-variant",
    False,
    "third-variant",
    False,
    False,
    False,
    "first-variant",
    "first-variant",
    "first-variant",
    "first-variant",
    "first-variant",
    "first-variant",
    "third-variant",
    False,
    "third-variant",
    "second-variant",
    "first-variant",
    False,
    "third-variant",
    False,
    False,
]


def flag(key="f", groups=None, variants=None, **kwargs):
    filters = {"groups": groups if groups is not None else [{"properties": [], "rollout_percentage": 100}]}
    if variants is not None:
        filters["multivariate"] = {"variants": variants}
    return {"key": key, "active": True, "deleted": False, "filters": filters, **kwargs}


def test_simple_flag_consistency_vectors():
    simple = flag("simple-flag", [{"properties": [], "rollout_percentage": 45}])
    for i, expected in enumerate(SIMPLE_FLAG_RESULTS):
        result = flag_evaluate(simple, distinct_id=f"distinct_id_{i}", now=NOW)
        assert result.enabled is expected, i
        assert result.reason == ("condition_match" if expected else "out_of_rollout_bound")
        assert result.condition_index == 0


def test_multivariate_consistency_vectors():
    multivariate = flag(
        "multivariate-flag",
        [{"properties": [], "rollout_percentage": 55}],
        variants=[
            {"key": "first-variant", "rollout_percentage": 50},
            {"key": "second-variant", "rollout_percentage": 20},
            {"key": "third-variant", "rollout_percentage": 20},
            {"key": "fourth-variant", "rollout_percentage": 5},
            {"key": "fifth-variant", "rollout_percentage": 5},
        ],
    )
    for i, expected in enumerate(MULTIVARIATE_RESULTS):
        assert flag_evaluate(multivariate, distinct_id=f"distinct_id_{i}", now=NOW).value == expected, i


def test_legacy_beta_feature_vector():
    beta = flag("beta-feature", [{"properties": [], "rollout_percentage": 50}])
    assert flag_evaluate(beta, distinct_id="example_id", now=NOW).enabled is True
    assert flag_evaluate(beta, distinct_id="another_id", now=NOW).enabled is False


def test_hash_is_in_unit_interval_and_salted():
    value = rollout_hash("k", "id")
    assert 0 <= value <= 1
    assert value != rollout_hash("k", "id", salt="variant")


def test_inactive_and_deleted_are_disabled():
    assert flag_evaluate(flag(active=False), distinct_id="a").reason == "disabled"
    assert flag_evaluate(flag(deleted=True), distinct_id="a").enabled is False


def test_groups_or_properties_and():
    f = flag(
        groups=[
            {
                "properties": [
                    {"key": "plan", "value": "pro", "operator": "exact", "type": "person"},
                    {"key": "country", "value": "FR", "operator": "exact", "type": "person"},
                ]
            },
            {"properties": [{"key": "email", "value": "@acme.com", "operator": "icontains", "type": "person"}]},
        ]
    )
    assert flag_evaluate(f, distinct_id="a", properties={"plan": "pro", "country": "fr"}).condition_index == 0
    assert flag_evaluate(f, distinct_id="a", properties={"plan": "pro"}).enabled is False
    assert flag_evaluate(f, distinct_id="a", properties={"email": "x@ACME.com"}).condition_index == 1
    assert flag_evaluate(f, distinct_id="a", properties={}).reason == "no_condition_match"


def test_empty_group_matches_everyone_and_no_groups_matches_no_one():
    assert flag_evaluate(flag(groups=[{"properties": []}]), distinct_id="x").enabled is True
    assert flag_evaluate(flag(groups=[]), distinct_id="x").enabled is False


def test_variant_override_groups_first():
    f = flag(
        groups=[
            {"properties": [], "rollout_percentage": 100},
            {"properties": [{"key": "beta", "value": "true", "operator": "exact", "type": "person"}], "variant": "b"},
        ],
        variants=[{"key": "a", "rollout_percentage": 100}, {"key": "b", "rollout_percentage": 0}],
    )
    assert flag_evaluate(f, distinct_id="x", properties={"beta": True}).value == "b"
    assert flag_evaluate(f, distinct_id="x", properties={}).value == "a"


@pytest.mark.parametrize(
    "operator, value, person, expected",
    [
        ("exact", "Pro", "pro", True),
        ("exact", ["a", "b"], "B", True),
        ("exact", "true", True, True),
        ("is_not", "pro", "free", True),
        ("is_not", "pro", "PRO", False),
        ("icontains", "acme", "bob@ACME.com", True),
        ("not_icontains", "acme", "bob@x.com", True),
        ("regex", r"^bob@", "bob@x.com", True),
        ("regex", "[", "x", False),
        ("not_regex", r"^bob@", "al@x.com", True),
        ("gt", "5", 10, True),
        ("gt", "5", 3, False),
        ("lte", "5", 5, True),
        ("gt", "b", "c", True),
        ("is_set", "is_set", "x", True),
        ("is_date_before", "7d", (NOW - timedelta(days=8)).isoformat(), True),
        ("is_date_before", "7d", (NOW - timedelta(days=6)).isoformat(), False),
        ("is_date_after", "2026-01-01", "2026-06-01T00:00:00Z", True),
        ("is_date_before", "2026-01-01", 1600000000, True),
        ("is_date_exact", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00", True),
        ("semver_gte", "1.2.0", "1.10.0", True),
        ("semver_lt", "1.2.0", "1.10.0", False),
        ("semver_caret", "1.2.3", "1.9.0", True),
        ("semver_tilde", "1.2.3", "1.3.0", False),
        ("semver_wildcard", "1.2.*", "1.2.9", True),
    ],
)
def test_operators(operator, value, person, expected):
    prop = {"key": "p", "value": value, "operator": operator, "type": "person"}
    assert property_match(prop, {"p": person}, now=NOW) is expected


def test_absent_property_is_not_set():
    for operator in ("exact", "is_not", "icontains", "regex", "gt", "is_date_before", "is_set"):
        assert property_match({"key": "p", "value": "x", "operator": operator}, {}, now=NOW) is False
    assert property_match({"key": "p", "value": "is_not_set", "operator": "is_not_set"}, {}, now=NOW) is True
    assert property_match({"key": "p", "operator": "is_not_set"}, {"p": None}, now=NOW) is True
    assert property_match({"key": "p", "operator": "is_not_set"}, {"p": 1}, now=NOW) is False


def test_negation():
    prop = {"key": "p", "value": "x", "operator": "exact", "negation": True}
    assert property_match(prop, {"p": "x"}, now=NOW) is False
    assert property_match(prop, {"p": "y"}, now=NOW) is True


def test_person_side_dates():
    assert absolute_date_parse("not a date") is None
    assert absolute_date_parse(1600000000) == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert absolute_date_parse("1600000000") == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert absolute_date_parse("2026-01-02") == datetime(2026, 1, 2, tzinfo=UTC)
    assert absolute_date_parse(True) is None


@pytest.mark.parametrize(
    "value, delta", [("7d", timedelta(days=7)), ("-2h", timedelta(hours=2)), ("1w", timedelta(weeks=1))]
)
def test_relative_filter_dates(value, delta):
    person = {"p": (NOW - delta - timedelta(minutes=1)).isoformat()}
    assert property_match({"key": "p", "value": value, "operator": "is_date_before"}, person, now=NOW) is True
    person = {"p": (NOW - delta + timedelta(minutes=1)).isoformat()}
    assert property_match({"key": "p", "value": value, "operator": "is_date_before"}, person, now=NOW) is False


def test_product_tour_wait_period_filters():
    """The shape tours generate: not seen, or last seen more than 7 days ago, and not completed."""
    tour_id = "t1"
    base = [
        {
            "key": f"$product_tour_completed/{tour_id}",
            "type": "person",
            "value": "is_not_set",
            "operator": "is_not_set",
        },
        {
            "key": f"$product_tour_dismissed/{tour_id}",
            "type": "person",
            "value": "is_not_set",
            "operator": "is_not_set",
        },
    ]
    seen = "$product_tour_last_seen_date/tour"
    f = flag(
        "product-tour-targeting-x",
        groups=[
            {
                "variant": "",
                "rollout_percentage": 100,
                "properties": base + [{"key": seen, "value": "is_not_set", "operator": "is_not_set", "type": "person"}],
            },
            {
                "variant": "",
                "rollout_percentage": 100,
                "properties": base + [{"key": seen, "value": "7d", "operator": "is_date_before", "type": "person"}],
            },
        ],
    )
    assert flag_evaluate(f, distinct_id="u", properties={}, now=NOW).enabled is True
    recent = {seen: (NOW - timedelta(days=1)).isoformat()}
    assert flag_evaluate(f, distinct_id="u", properties=recent, now=NOW).enabled is False
    old = {seen: (NOW - timedelta(days=30)).isoformat()}
    assert flag_evaluate(f, distinct_id="u", properties=old, now=NOW).enabled is True
    done = {f"$product_tour_completed/{tour_id}": True}
    assert flag_evaluate(f, distinct_id="u", properties=done, now=NOW).enabled is False


def test_flag_dependency():
    f = flag(groups=[{"properties": [{"key": "7", "type": "flag", "value": True, "operator": "flag_evaluates_to"}]}])
    assert flag_evaluate(f, distinct_id="u", flag_results={7: True}).enabled is True
    assert flag_evaluate(f, distinct_id="u", flag_results={7: False}).enabled is False
    v = flag(groups=[{"properties": [{"key": "7", "type": "flag", "value": "b", "operator": "flag_evaluates_to"}]}])
    assert flag_evaluate(v, distinct_id="u", flag_results={7: "b"}).enabled is True
