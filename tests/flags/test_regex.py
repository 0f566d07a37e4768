"""Flag `regex` / `not_regex` on RE2: validated on save (flags and tours), linear-time evaluation, capped
input, stored patterns RE2 refuses evaluate to no match and are logged once, and a migration reports them."""

import importlib
import logging
import re
from datetime import UTC, datetime

import pytest
from django.apps import apps as django_apps

from flags import regex as flag_regex
from flags.evaluation import flag_evaluate, property_match
from flags.models import FeatureFlag
from flags.regex import MAX_REGEX_INPUT_CHARS, RegexInvalid, regex_search, regex_validate
from flags.services import FiltersInvalid, filters_clean
from tests.support.errors import assert_error

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def prop(operator: str, value: str) -> dict:
    return {"key": "name", "type": "person", "operator": operator, "value": value}


def filters(operator: str, value: str) -> dict:
    return {"groups": [{"properties": [prop(operator, value)]}]}


@pytest.fixture(autouse=True)
def _fresh_regex_state():
    flag_regex._compiled.cache_clear()
    flag_regex._reported.clear()
    yield
    flag_regex._reported.clear()


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("operator", ["regex", "not_regex"])
@pytest.mark.parametrize(
    "pattern, reason",
    [
        (r"(a)\1", "invalid escape sequence: \\1"),
        ("(?=a)", "invalid perl operator: (?="),
        ("(?<=a)b", "invalid perl operator: (?<="),
        ("[", "missing ]: ["),
        ("a{1001}", "invalid repetition size: {1001}"),
    ],
)
def test_patterns_re2_refuses_are_invalid_value_with_the_reason(operator, pattern, reason):
    with pytest.raises(FiltersInvalid) as raised:
        filters_clean(filters(operator, pattern))
    assert raised.value.code == "invalid_value"
    assert raised.value.detail == (
        f"Invalid value for operator {operator}: {pattern} is not a supported regular expression ({reason})"
    )


@pytest.mark.parametrize("pattern", ["^(a+)+$", r"@acme\.(com|io)$", "(?i)ABC", r"\d{3}-\d{4}", ".*"])
def test_patterns_re2_runs_are_accepted(pattern):
    assert filters_clean(filters("regex", pattern))["groups"][0]["properties"][0]["value"] == pattern


def test_very_long_pattern_shows_a_shortened_value():
    with pytest.raises(FiltersInvalid) as raised:
        filters_clean(filters("regex", "(" + "a" * 500))
    assert raised.value.detail.startswith("Invalid value for operator regex: (" + "a" * 199 + "… is not")
    assert "a" * 200 not in raised.value.detail


def test_regex_validate_raises_regex_invalid():
    with pytest.raises(RegexInvalid, match="missing \\)"):
        regex_validate("(a")
    regex_validate("(a)")


@pytest.mark.django_db
def test_api_create_and_patch_refuse_and_keep_the_stored_filters(tenant):
    response = tenant.client.post(
        tenant.url("feature_flags/"), {"key": "r", "filters": filters("regex", "x")}, format="json"
    )
    assert response.status_code == 201
    flag_id = response.json()["id"]
    patch = tenant.client.patch(
        tenant.url(f"feature_flags/{flag_id}/"), {"filters": filters("regex", r"(x)\1")}, format="json"
    )
    assert_error(patch, 400, code="invalid_value", attr="filters")
    assert FeatureFlag.objects.get(id=flag_id).filters["groups"][0]["properties"][0]["value"] == "x"


@pytest.mark.django_db
def test_tour_targeting_with_a_refused_pattern_is_400_and_saves_nothing(tenant):
    from tours.models import ProductTour

    body = {
        "name": "Regex tour",
        "auto_launch": True,
        "content": {"steps": [{"id": "s1", "type": "modal"}]},
        "targeting_flag_filters": filters("regex", "(?!admin)"),
    }
    response = tenant.client.post(tenant.url("product_tours/"), body, format="json")
    body = assert_error(response, 400, code="invalid_value", attr="targeting_flag_filters")
    assert "is not a supported regular expression" in body["detail"]
    assert not ProductTour.objects.exists() and not FeatureFlag.objects.exists()


# --- evaluation ---------------------------------------------------------------------------------


def test_evaluation_uses_re2_not_pythons_re(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("Python's backtracking re must not run flag patterns")

    for name in ("search", "match", "fullmatch", "compile"):
        monkeypatch.setattr(re, name, forbidden)
    assert property_match(prop("regex", "^(a+)+$"), {"name": "a" * 40 + "!"}, now=NOW) is False
    assert property_match(prop("not_regex", "^(a+)+$"), {"name": "a" * 40 + "!"}, now=NOW) is True


def test_catastrophic_patterns_on_long_values_are_answered():
    # RE2 answers these in time linear in the input; Python's `re` would not finish (test above: never used).
    assert regex_search("^(a+)+$", "a" * 5000 + "!") is False
    assert regex_search("(x+x+)+y", "x" * 5000) is False


def test_semantics_match_posthogs_server_case_insensitive_and_dot_all():
    assert property_match(prop("regex", "^ADA"), {"name": "ada lovelace"}, now=NOW) is True
    assert property_match(prop("regex", "a.b"), {"name": "a\nb"}, now=NOW) is True
    assert property_match(prop("not_regex", "^ada"), {"name": "Grace"}, now=NOW) is True
    assert property_match(prop("regex", "^1$"), {"name": 1}, now=NOW) is True
    assert property_match(prop("regex", "^true$"), {"name": True}, now=NOW) is True


def test_matched_input_is_capped():
    tail = "x" * MAX_REGEX_INPUT_CHARS
    assert regex_search("needle", tail + "needle") is False  # past the cap: not seen
    assert regex_search("needle", tail[:-6] + "needle") is True


def test_stored_pattern_re2_refuses_matches_nothing_and_is_logged_once(caplog):
    flag = {"key": "legacy", "active": True, "filters": filters("regex", r"(a)\1")}
    negated = {"key": "legacy-not", "active": True, "filters": filters("not_regex", r"(a)\1")}
    with caplog.at_level(logging.WARNING, logger="flags.regex"):
        for _ in range(3):
            assert flag_evaluate(flag, distinct_id="u", properties={"name": "aa"}, now=NOW).enabled is False
            assert flag_evaluate(negated, distinct_id="u", properties={"name": "b"}, now=NOW).enabled is False
    lines = [r.getMessage() for r in caplog.records if r.name == "flags.regex"]
    assert lines == [
        "Flag regex '(a)\\\\1' cannot be compiled by RE2 (invalid escape sequence: \\1); it matches nothing"
    ]


@pytest.mark.django_db
def test_flags_endpoint_with_a_stored_refused_pattern_answers_false(tenant, client):
    import json

    FeatureFlag.objects.create(project=tenant.project, key="legacy", filters=filters("regex", "(?=a)"))
    body = {"token": tenant.project.api_token, "distinct_id": "u", "person_properties": {"name": "a"}}
    response = client.post("/flags/?v=2", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["flags"]["legacy"]["enabled"] is False


# --- the reporting migration ----------------------------------------------------------------------


@pytest.mark.django_db
def test_migration_reports_refused_patterns_and_changes_nothing(tenant, capsys):
    bad = FeatureFlag.objects.create(project=tenant.project, key="bad", filters=filters("not_regex", "(?!x)"))
    FeatureFlag.objects.create(project=tenant.project, key="good", filters=filters("regex", "^x"))
    FeatureFlag.objects.create(project=tenant.project, key="gone", deleted=True, filters=filters("regex", r"(a)\1"))
    before = list(FeatureFlag.objects.order_by("id").values())
    migration = importlib.import_module("flags.migrations.0005_report_re2_incompatible_patterns")
    migration.report(django_apps, None)
    out = capsys.readouterr().out
    assert f"Flag 'bad' (id {bad.id}, project {tenant.project.id}): regex '(?!x)'" in out
    assert "invalid perl operator: (?!" in out and "1 flag condition(s)" in out
    assert "'good'" not in out and "'gone'" not in out
    assert list(FeatureFlag.objects.order_by("id").values()) == before
