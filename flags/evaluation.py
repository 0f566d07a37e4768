"""Feature flag evaluation with PostHog's semantics, as pure functions.

A flag is matched against a distinct id and the person's properties: groups are OR-ed (groups with
a variant override first), properties inside a group AND-ed, rollout by a SHA-1 hash of
`<key>.<distinct_id>`; multivariate flags pick a variant with the `variant`-salted hash.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flags.dates import absolute_date_parse as text_date_parse
from flags.dates import date_value_parse
from flags.regex import regex_search

LONG_SCALE = float(0xFFFFFFFFFFFFFFF)
NUMERIC_OPERATORS = {"gt", "gte", "lt", "lte"}


@dataclass(frozen=True)
class FlagResult:
    key: str
    enabled: bool
    variant: str | None
    reason: str
    condition_index: int | None = None

    @property
    def value(self) -> bool | str:
        return self.variant if self.variant is not None else self.enabled


def rollout_hash(key: str, identifier: str, salt: str = "") -> float:
    digest = hashlib.sha1(f"{key}.{identifier}{salt}".encode()).hexdigest()
    return int(digest[:15], 16) / LONG_SCALE


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def absolute_date_parse(value: Any) -> datetime | None:
    """Parse a person-side or filter-side date: datetime, date, ISO string or unix timestamp."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromtimestamp(float(text), tz=UTC)
        except (ValueError, OverflowError, OSError):
            pass
        return text_date_parse(text)
    return None


def filter_date_parse(value: Any, now: datetime) -> datetime | None:
    """The filter side: relative (`7d`) or absolute, parsed exactly as flag validation parses it."""
    if isinstance(value, str):
        return date_value_parse(value.strip(), now=now)
    return absolute_date_parse(value)


def _semver(value: Any) -> tuple[int, int, int] | None:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    text = str(value).strip().lstrip("vV").split("-")[0].split("+")[0]
    parts = text.split(".")
    if not parts or len(parts) > 3:
        return None
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return None
    while len(numbers) < 3:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2]


def _semver_match(operator: str, person_value: Any, filter_value: Any) -> bool:
    left = _semver(person_value)
    if left is None:
        return False
    if operator == "semver_wildcard":
        pattern = str(filter_value).strip().lstrip("vV").split(".")
        fixed = [p for p in pattern if p not in ("*", "x", "X")]
        try:
            return list(left[: len(fixed)]) == [int(p) for p in fixed]
        except ValueError:
            return False
    right = _semver(filter_value)
    if right is None:
        return False
    if operator == "semver_eq":
        return left == right
    if operator == "semver_neq":
        return left != right
    if operator == "semver_gt":
        return left > right
    if operator == "semver_gte":
        return left >= right
    if operator == "semver_lt":
        return left < right
    if operator == "semver_lte":
        return left <= right
    if operator == "semver_tilde":
        return right <= left < (right[0], right[1] + 1, 0)
    if operator == "semver_caret":
        if right[0] > 0:
            upper = (right[0] + 1, 0, 0)
        elif right[1] > 0:
            upper = (0, right[1] + 1, 0)
        else:
            upper = (0, 0, right[2] + 1)
        return right <= left < upper
    return False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _exact(person_value: Any, filter_value: Any) -> bool:
    if isinstance(filter_value, list):
        return _text(person_value).lower() in [_text(v).lower() for v in filter_value]
    return _text(person_value).lower() == _text(filter_value).lower()


def _compare(operator: str, person_value: Any, filter_value: Any) -> bool:
    try:
        numeric_filter = float(filter_value)
        numeric = not isinstance(person_value, str) and not isinstance(filter_value, bool)
    except (TypeError, ValueError):
        numeric = False
    if numeric:
        try:
            left, right = float(person_value), numeric_filter
        except (TypeError, ValueError):
            return False
    else:
        left, right = _text(person_value), _text(filter_value)
    if operator == "gt":
        return left > right
    if operator == "gte":
        return left >= right
    if operator == "lt":
        return left < right
    return left <= right


def property_match(prop: Mapping[str, Any], properties: Mapping[str, Any], *, now: datetime) -> bool:
    """One filter property against the person's properties (absent key = not set)."""
    result = _property_match(prop, properties, now=now)
    return not result if prop.get("negation") else result


def _property_match(prop: Mapping[str, Any], properties: Mapping[str, Any], *, now: datetime) -> bool:
    key = prop.get("key")
    operator = prop.get("operator") or "exact"
    operator = {"min": "gte", "max": "lte"}.get(operator, operator)
    value = prop.get("value")
    present = key in properties and properties[key] is not None
    if operator == "is_not_set":
        return not present
    if operator == "is_set":
        return present
    if not present:
        return False
    person_value = properties[key]
    if operator == "exact":
        return _exact(person_value, value)
    if operator == "is_not":
        return not _exact(person_value, value)
    if operator == "icontains":
        return _text(value).lower() in _text(person_value).lower()
    if operator == "not_icontains":
        return _text(value).lower() not in _text(person_value).lower()
    if operator in ("icontains_multi", "not_icontains_multi"):
        needles = value if isinstance(value, list) else [value]
        hit = any(_text(n).lower() in _text(person_value).lower() for n in needles)
        return hit if operator == "icontains_multi" else not hit
    if operator in ("regex", "not_regex"):
        found = regex_search(_text(value), _text(person_value))
        if found is None:
            return False  # a pattern RE2 refuses matches nothing, for either operator (as PostHog's server)
        return found if operator == "regex" else not found
    if operator in NUMERIC_OPERATORS:
        return _compare(operator, person_value, value)
    if operator in ("is_date_before", "is_date_after", "is_date_exact"):
        filter_date = filter_date_parse(value, now)
        person_date = absolute_date_parse(person_value)
        if filter_date is None or person_date is None:
            return False
        if operator == "is_date_before":
            return person_date < filter_date
        if operator == "is_date_after":
            return person_date > filter_date
        return person_date == filter_date
    if operator.startswith("semver_"):
        return _semver_match(operator, person_value, value)
    return False  # in / not_in (cohorts) and unknown operators never match here


def variant_lookup(key: str, distinct_id: str, variants: list[Mapping[str, Any]]) -> str | None:
    value = rollout_hash(key, distinct_id, salt="variant")
    cumulative = 0.0
    for variant in variants:
        share = float(variant.get("rollout_percentage") or 0) / 100
        if cumulative <= value < cumulative + share:
            return variant.get("key")
        cumulative += share
    return None


def flag_evaluate(
    flag: Mapping[str, Any],
    *,
    distinct_id: str,
    properties: Mapping[str, Any] | None = None,
    flag_results: Mapping[int, bool | str] | None = None,
    now: datetime | None = None,
) -> FlagResult:
    """Evaluate one flag given as a mapping with `key`, `active`, `deleted`, `filters`."""
    key = flag.get("key", "")
    if not flag.get("active", True) or flag.get("deleted", False):
        return FlagResult(key, False, None, "disabled")
    now = now or datetime.now(UTC)
    properties = properties or {}
    filters = flag.get("filters") if isinstance(flag.get("filters"), Mapping) else {}
    groups = [g for g in (filters.get("groups") or []) if isinstance(g, Mapping)]
    multivariate = filters.get("multivariate")
    variants = multivariate.get("variants") if isinstance(multivariate, Mapping) else None
    variants = [v for v in variants if isinstance(v, Mapping)] if isinstance(variants, list) else []
    variant_keys = {v.get("key") for v in variants}

    ordered = sorted(enumerate(groups), key=lambda pair: 0 if pair[1].get("variant") else 1)
    saw_out_of_bound: int | None = None
    for index, group in ordered:
        props = [p for p in (group.get("properties") or []) if isinstance(p, Mapping)]
        if not all(_group_property_match(p, properties, flag_results or {}, now=now) for p in props):
            continue
        rollout = group.get("rollout_percentage")
        if rollout is not None and rollout_hash(key, distinct_id) > float(rollout) / 100:
            if saw_out_of_bound is None:
                saw_out_of_bound = index
            continue
        override = group.get("variant")
        if override and override in variant_keys:
            variant = override
        else:
            variant = variant_lookup(key, distinct_id, variants) if variants else None
        return FlagResult(key, True, variant, "condition_match", index)
    if saw_out_of_bound is not None:
        return FlagResult(key, False, None, "out_of_rollout_bound", saw_out_of_bound)
    return FlagResult(key, False, None, "no_condition_match", None)


def _group_property_match(
    prop: Mapping[str, Any], properties: Mapping[str, Any], flag_results: Mapping[int, bool | str], *, now: datetime
) -> bool:
    if prop.get("type") == "flag":
        try:
            other = flag_results.get(int(prop.get("key")), False)
        except (TypeError, ValueError):
            return False
        expected = prop.get("value")
        if isinstance(expected, bool) or expected is None:
            return bool(other) == bool(expected if expected is not None else True)
        return other == expected
    if prop.get("type") == "cohort":
        return False
    return property_match(prop, properties, now=now)
