"""Feature flag `filters`: validation with PostHog's messages and codes, and normalisation (pure, no DB).

`filters_clean()` runs, in PostHog's order: the structural checks (shape and types — our own
messages, PostHog drops or 500s on such input), property types against the aggregation, the
`flag_evaluates_to` rule, flag dependencies, variant sums, per-group/per-property rules, payloads.
The first failure raises `FiltersInvalid(detail, code)`; `flags.services.filters_validate` turns it
into a 400 with attr `filters`.

Normalisation changes nothing but: `aggregation_group_type_index` added when absent (top level and
per group), `groups: []` when absent, payload values JSON-encoded as strings. Key order and unknown
keys are kept, so filters built by the tours code round-trip exactly.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from flags.dates import date_value_parse
from flags.regex import RegexInvalid, regex_validate
from flags.services.dependencies import FlagNode, flag_dependencies_check
from flags.services.errors import FiltersInvalid
from flags.services.operators import (
    DATE_OPERATORS,
    LIST_VALUE_OPERATORS,
    SEMVER_OPERATORS,
    STRING_VALUE_OPERATORS,
    SUPPORTED_OPERATORS,
    canonical_operator,
)

MAX_PROPERTY_VALUES = 1000
REGEX_OPERATORS = frozenset({"regex", "not_regex"})
MAX_GROUP_TYPE_INDEX = 4  # PostHog allows five group types per project (indices 0–4).
PERSON_PROPERTY_TYPES = ("person", "cohort", "flag")

VARIANT_KEY_RE = re.compile(r"^[a-zA-Z0-9_./-]+$")
VARIANT_KEY_MAX_LENGTH = 400


def _not_valid(what: str) -> FiltersInvalid:
    return FiltersInvalid(f"Filters are not valid ({what})")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_GROUP_TYPE_INDEX


def _percentage_check(value: Any, where: str, *, nullable: bool) -> None:
    if value is None and nullable:
        return
    if not _is_number(value):
        kind = "a number or null" if nullable else "a number"
        raise FiltersInvalid(f"{where}.rollout_percentage must be {kind}, got {type(value).__name__}")
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise FiltersInvalid(f"{where}.rollout_percentage must be between 0 and 100, got {value}")


# --- structure -----------------------------------------------------------------------------------


def _property_structure_check(prop: Any, where: str) -> None:
    if not isinstance(prop, dict):
        raise _not_valid(f"{where} must be an object")
    key = prop.get("key")
    # Flag dependencies use the other flag's id as key, which clients may send as a number.
    if isinstance(key, bool) or not (isinstance(key, int) or (isinstance(key, str) and key)):
        raise _not_valid(f"{where}.key must be a non-empty string")
    operator = prop.get("operator")
    if operator is not None and not (isinstance(operator, str) and canonical_operator(operator) in SUPPORTED_OPERATORS):
        raise FiltersInvalid(f"Invalid operator: {operator}", code="invalid_operator")
    value = prop.get("value")
    if not (_is_scalar(value) or (isinstance(value, list) and all(_is_scalar(item) for item in value))):
        raise _not_valid(f"{where}.value must be a string, number, boolean, null or a list of those")
    if prop.get("negation") is not None and not isinstance(prop["negation"], bool):
        raise _not_valid(f"{where}.negation must be a boolean")
    if prop.get("group_type_index") is not None and not _is_index(prop["group_type_index"]):
        raise _not_valid(f"{where}.group_type_index must be null or an integer between 0 and {MAX_GROUP_TYPE_INDEX}")


def _group_structure_check(group: Any, where: str) -> None:
    if not isinstance(group, dict):
        raise _not_valid(f"{where} must be an object")
    _percentage_check(group.get("rollout_percentage"), where, nullable=True)
    if group.get("variant") is not None and not isinstance(group["variant"], str):
        raise _not_valid(f"{where}.variant must be a string or null")
    if group.get("aggregation_group_type_index") is not None and not _is_index(group["aggregation_group_type_index"]):
        raise _not_valid(
            f"{where}.aggregation_group_type_index must be null or an integer between 0 and {MAX_GROUP_TYPE_INDEX}"
        )
    if "properties" in group:
        properties = group["properties"]
        if not isinstance(properties, list):
            raise _not_valid(f"{where}.properties must be a list")
        for index, prop in enumerate(properties):
            _property_structure_check(prop, f"{where}.properties[{index}]")


def _multivariate_structure_check(multivariate: Any) -> None:
    if multivariate is None:
        return
    if not isinstance(multivariate, dict):
        raise _not_valid("multivariate must be an object or null")
    variants = multivariate.get("variants")
    if not isinstance(variants, list) or not variants:
        raise FiltersInvalid("Invalid variant definitions: multivariate.variants must be a non-empty list.")
    seen: set[str] = set()
    for index, variant in enumerate(variants):
        where = f"multivariate.variants[{index}]"
        if not isinstance(variant, dict):
            raise FiltersInvalid(f"Invalid variant definitions: {where} must be an object.")
        key = variant.get("key")
        if not isinstance(key, str) or not VARIANT_KEY_RE.fullmatch(key) or len(key) > VARIANT_KEY_MAX_LENGTH:
            raise FiltersInvalid(
                f"Invalid variant definitions: {where}.key must be at most {VARIANT_KEY_MAX_LENGTH} letters, numbers, "
                "hyphens (-), underscores (_), dots (.) or slashes (/)."
            )
        if key in seen:
            raise FiltersInvalid(f"Invalid variant definitions: Variant keys must be unique, duplicated: {key}.")
        seen.add(key)
        if "rollout_percentage" in variant:
            _percentage_check(variant["rollout_percentage"], where, nullable=False)


MAX_NESTING_DEPTH = 32


def _text_and_depth_check(filters: dict) -> None:
    """Iteratively (deep input must not exhaust the stack): no NUL in any text, bounded nesting."""
    stack: list[tuple[Any, int]] = [(filters, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING_DEPTH:
            raise _not_valid("filters are nested too deeply")
        if isinstance(value, str):
            if "\x00" in value:  # PostgreSQL's jsonb cannot store U+0000
                raise _not_valid("text must not contain null characters")
        elif isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def filters_structure_check(filters: Any) -> None:
    """Shape and types, so that every later rule (and the evaluation engine) can trust them."""
    if not isinstance(filters, dict):
        raise _not_valid("filters must be an object")
    _text_and_depth_check(filters)
    aggregation = filters.get("aggregation_group_type_index")
    if aggregation is not None and not _is_index(aggregation):
        raise _not_valid(
            f"aggregation_group_type_index must be null or an integer between 0 and {MAX_GROUP_TYPE_INDEX}"
        )
    groups = filters.get("groups", [])
    if not isinstance(groups, list):
        raise _not_valid("groups must be a list")
    for index, group in enumerate(groups):
        _group_structure_check(group, f"groups[{index}]")
    _multivariate_structure_check(filters.get("multivariate"))


# --- rules ---------------------------------------------------------------------------------------


def _group_aggregation(filters: dict, group: dict) -> Any:
    # An absent group key falls back to the flag-level aggregation; an explicit one wins.
    return (
        group["aggregation_group_type_index"]
        if "aggregation_group_type_index" in group
        else (filters.get("aggregation_group_type_index"))
    )


def _grouped_properties(filters: dict) -> Iterator[tuple[dict, dict]]:
    for group in filters.get("groups", []):
        for prop in group.get("properties") or []:
            yield group, prop


def _property_types_check(filters: dict) -> None:
    for group, prop in _grouped_properties(filters):
        aggregation = _group_aggregation(filters, group)
        if aggregation is None:
            if prop.get("type") not in PERSON_PROPERTY_TYPES:
                raise _not_valid("can only use person, cohort, and flag properties")
        elif prop.get("type") != "group" or prop.get("group_type_index") != aggregation:
            raise _not_valid("can only use group properties")
    for _group, prop in _grouped_properties(filters):
        if prop.get("type") == "flag" and prop.get("operator") != "flag_evaluates_to":
            raise FiltersInvalid("Flag properties must use the 'flag_evaluates_to' operator")


def _variant_keys(filters: dict) -> list[str]:
    multivariate = filters.get("multivariate")
    return [variant["key"] for variant in multivariate["variants"]] if isinstance(multivariate, dict) else []


def _variants_check(filters: dict) -> None:
    multivariate = filters.get("multivariate")
    if not isinstance(multivariate, dict):
        return
    total = sum(variant.get("rollout_percentage", 0) for variant in multivariate["variants"])
    if abs(total - 100) > 1e-9:
        raise FiltersInvalid("Invalid variant definitions: Variant rollout percentages must sum to 100.")


def _property_rules_check(prop: dict) -> None:
    value = prop.get("value")
    raw_operator = prop.get("operator")
    operator = canonical_operator(raw_operator)
    if isinstance(value, list) and len(value) > MAX_PROPERTY_VALUES:
        raise FiltersInvalid(
            f"Property group expressions of type {prop['key']} cannot contain more than {MAX_PROPERTY_VALUES} values."
        )
    if prop.get("type") == "cohort":
        # This service has no cohorts, so every cohort reference is dangling.
        raise FiltersInvalid(f"Cohort with id {value} does not exist", code="cohort_does_not_exist")
    if operator in DATE_OPERATORS and date_value_parse(value) is None:
        raise FiltersInvalid(f"Invalid date value: {value}", code="invalid_date")
    if operator in STRING_VALUE_OPERATORS and not isinstance(value, str):
        raise FiltersInvalid(f"Invalid value for operator {raw_operator}: {value}", code="invalid_value")
    if operator in REGEX_OPERATORS:
        _regex_check(raw_operator, str(value))
    if operator in SEMVER_OPERATORS and not isinstance(value, str):
        raise FiltersInvalid(f"Invalid value for operator {raw_operator}: {value}", code="invalid_value")
    if operator in LIST_VALUE_OPERATORS and not isinstance(value, list):
        raise FiltersInvalid(f"Invalid value for operator {raw_operator}: {value}", code="invalid_value")
    if operator in ("in", "not_in") and prop.get("type") != "cohort":
        raise FiltersInvalid(
            f"The '{operator}' operator is only valid for cohort properties, not '{prop.get('type')}' properties.",
            code="invalid_operator",
        )


def _regex_check(raw_operator: Any, pattern: str) -> None:
    # Evaluation runs RE2 (linear time); a pattern it cannot run must not be saved.
    try:
        regex_validate(pattern)
    except RegexInvalid as error:
        raise FiltersInvalid(
            f"Invalid value for operator {raw_operator}: {_shortened(pattern)} is not a supported regular "
            f"expression ({_shortened(str(error))})",
            code="invalid_value",
        ) from None


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def _groups_check(filters: dict) -> None:
    variants = set(_variant_keys(filters))
    for group in filters.get("groups", []):
        if group.get("variant") and group["variant"] not in variants:
            raise _not_valid("variant override does not exist")
        for prop in group.get("properties") or []:
            _property_rules_check(prop)


def _payloads_check(filters: dict) -> None:
    payloads = filters.get("payloads", {})
    if payloads is None:
        payloads = {}
    if not isinstance(payloads, dict):
        raise FiltersInvalid("Payloads must be passed as a dictionary")
    for value in payloads.values():
        try:
            if isinstance(value, str):
                json.loads(value)
            else:
                json.dumps(value, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            raise FiltersInvalid("Payload value is not valid JSON") from None
    if filters.get("multivariate"):
        variants = set(_variant_keys(filters))
        if not all(key in variants for key in payloads):
            raise FiltersInvalid("Payload keys must match a variant key for multivariate flags")
    elif any(key != "true" for key in payloads):
        raise FiltersInvalid("Payload keys must be 'true' for boolean flags")


# --- entry points --------------------------------------------------------------------------------


def filters_normalize(filters: dict) -> dict:
    """Add the keys PostHog's serializer adds; change nothing else (order and unknown keys kept)."""
    filters = copy.deepcopy(filters)  # never share nested objects with the caller's data
    aggregation = filters.get("aggregation_group_type_index")
    normalized: dict = {} if "aggregation_group_type_index" in filters else {"aggregation_group_type_index": None}
    for key, value in filters.items():
        if key == "groups":
            value = [_group_normalize(group, aggregation) for group in value]
        elif key == "payloads" and isinstance(value, dict):
            value = {k: v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}
        normalized[key] = value
    if "groups" not in normalized:
        normalized["groups"] = []
    return normalized


def _group_normalize(group: dict, aggregation: Any) -> dict:
    if "aggregation_group_type_index" in group:
        return group
    normalized: dict = {}
    for key, value in group.items():
        if key == "properties":
            normalized["aggregation_group_type_index"] = aggregation
        normalized[key] = value
    normalized.setdefault("aggregation_group_type_index", aggregation)
    return normalized


def filters_clean(
    filters: Any,
    *,
    flag_id: int | None = None,
    flag_key: str | None = None,
    project_flags: Mapping[int, FlagNode] | None = None,
) -> dict:
    """Validate `filters` (first failure raises `FiltersInvalid`) and return the normalised copy.

    `project_flags` holds the project's other live flags by id; only needed when the filters
    contain `flag` properties (see `flag_dependency_refs`).
    """
    filters_structure_check(filters)
    _property_types_check(filters)
    flag_dependencies_check(filters, flag_id=flag_id, flag_key=flag_key, project_flags=project_flags or {})
    _variants_check(filters)
    _groups_check(filters)
    _payloads_check(filters)
    return filters_normalize(filters)
