"""Feature flag evaluation with PostHog's semantics, as pure functions.

A flag is matched against a distinct id and the person's properties: groups are OR-ed (groups with
a variant override first), properties inside a group AND-ed, rollout by a SHA-1 hash of
`<key>.<distinct_id>`; multivariate flags pick a variant with the `variant`-salted hash.

`flag_compile` does once what does not depend on the person (conditions parsed, RE2 patterns compiled,
groups ordered, variant bounds summed); `CompiledFlag.evaluate` is the per-request part. `/flags`
keeps a project's compiled flags per revision (sdk/services/flags.py).
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flags.conditions import PropertyTest, absolute_date_parse, property_compile
from flags.dates import date_value_parse

__all__ = [
    "CompiledFlag",
    "FlagResult",
    "absolute_date_parse",
    "flag_compile",
    "flag_evaluate",
    "property_match",
    "rollout_hash",
    "variant_lookup",
]

LONG_SCALE = float(0xFFFFFFFFFFFFFFF)


@dataclass(frozen=True, slots=True)
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


def filter_date_parse(value: Any, now: datetime) -> datetime | None:
    """The filter side: relative (`7d`) or absolute, parsed exactly as flag validation parses it."""
    if isinstance(value, str):
        return date_value_parse(value.strip(), now=now)
    return absolute_date_parse(value)


def property_match(prop: Mapping[str, Any], properties: Mapping[str, Any], *, now: datetime) -> bool:
    """One filter property against the person's properties (absent key = not set)."""
    return property_compile(prop)(properties, now)


def _variant_bounds(variants: list[Mapping[str, Any]]) -> tuple[tuple[float, float, Any], ...]:
    bounds, cumulative = [], 0.0
    for variant in variants:
        share = float(variant.get("rollout_percentage") or 0) / 100
        bounds.append((cumulative, cumulative + share, variant.get("key")))
        cumulative += share
    return tuple(bounds)


def _variant_pick(bounds: tuple[tuple[float, float, Any], ...], key: str, distinct_id: str) -> Any:
    value = rollout_hash(key, distinct_id, salt="variant")
    for low, high, variant in bounds:
        if low <= value < high:
            return variant
    return None


def variant_lookup(key: str, distinct_id: str, variants: list[Mapping[str, Any]]) -> str | None:
    return _variant_pick(_variant_bounds(variants), key, distinct_id)


def _flag_test(prop: Mapping[str, Any]) -> tuple[int | None, Any]:
    """A `flag` property: (the other flag's id, expected value); None as id when it cannot match."""
    try:
        other = int(prop.get("key"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        other = None
    return other, prop.get("value")


def _dependency_met(other: int | None, expected: Any, flag_results: Mapping[int, bool | str]) -> bool:
    if other is None:
        return False
    result = flag_results.get(other, False)
    if isinstance(expected, bool) or expected is None:
        return bool(result) == bool(expected if expected is not None else True)
    return result == expected


@dataclass(frozen=True, slots=True)
class _Group:
    index: int
    person_tests: tuple[PropertyTest, ...]
    flag_tests: tuple[tuple[int | None, Any], ...]
    never: bool  # a cohort condition: never matches here
    threshold: float | None  # rollout / 100; None: everyone who matches
    variant: str | None  # a valid variant override


@dataclass(frozen=True, slots=True)
class CompiledFlag:
    key: str
    enabled: bool  # active and not deleted
    groups: tuple[_Group, ...]  # variant overrides first, as PostHog evaluates them
    variants: tuple[tuple[float, float, Any], ...]
    person_keys: frozenset  # person property keys the conditions read

    def evaluate(
        self,
        *,
        distinct_id: str,
        properties: Mapping[str, Any],
        flag_results: Mapping[int, bool | str],
        now: datetime,
    ) -> FlagResult:
        key = self.key
        if not self.enabled:
            return FlagResult(key, False, None, "disabled")
        out_of_bound: int | None = None
        hashed: float | None = None
        for group in self.groups:
            if group.never:
                continue
            if not all(_dependency_met(other, expected, flag_results) for other, expected in group.flag_tests):
                continue
            if not all(test(properties, now) for test in group.person_tests):
                continue
            if group.threshold is not None and group.threshold < 1.0:
                if hashed is None:
                    hashed = rollout_hash(key, distinct_id)
                if hashed > group.threshold:
                    if out_of_bound is None:
                        out_of_bound = group.index
                    continue
            variant = group.variant
            if variant is None and self.variants:
                variant = _variant_pick(self.variants, key, distinct_id)
            return FlagResult(key, True, variant, "condition_match", group.index)
        if out_of_bound is not None:
            return FlagResult(key, False, None, "out_of_rollout_bound", out_of_bound)
        return FlagResult(key, False, None, "no_condition_match", None)


def flag_compile(flag: Mapping[str, Any]) -> CompiledFlag:
    """Compile a flag given as a mapping with `key`, `active`, `deleted`, `filters`."""
    key = flag.get("key", "")
    filters: Mapping[str, Any] = flag["filters"] if isinstance(flag.get("filters"), Mapping) else {}
    groups = [g for g in (filters.get("groups") or []) if isinstance(g, Mapping)]
    multivariate = filters.get("multivariate")
    variants = multivariate.get("variants") if isinstance(multivariate, Mapping) else None
    variants = [v for v in variants if isinstance(v, Mapping)] if isinstance(variants, list) else []
    variant_keys = {v.get("key") for v in variants}
    compiled: list[_Group] = []
    person_keys: set[str] = set()
    for index, group in sorted(enumerate(groups), key=lambda pair: 0 if pair[1].get("variant") else 1):
        props = [p for p in (group.get("properties") or []) if isinstance(p, Mapping)]
        person_props = [p for p in props if p.get("type") not in ("flag", "cohort")]
        person_keys.update(p["key"] for p in person_props if isinstance(p.get("key"), str))
        rollout = group.get("rollout_percentage")
        override = group.get("variant")
        compiled.append(
            _Group(
                index=index,
                person_tests=tuple(property_compile(p) for p in person_props),
                flag_tests=tuple(_flag_test(p) for p in props if p.get("type") == "flag"),
                never=any(p.get("type") == "cohort" for p in props),
                threshold=float(rollout) / 100 if rollout is not None else None,
                variant=override if override and override in variant_keys else None,
            )
        )
    return CompiledFlag(
        key=key,
        enabled=bool(flag.get("active", True)) and not flag.get("deleted", False),
        groups=tuple(compiled),
        variants=_variant_bounds(variants),
        person_keys=frozenset(person_keys),
    )


def flag_evaluate(
    flag: Mapping[str, Any],
    *,
    distinct_id: str,
    properties: Mapping[str, Any] | None = None,
    flag_results: Mapping[int, bool | str] | None = None,
    now: datetime | None = None,
) -> FlagResult:
    """Evaluate one flag given as a mapping with `key`, `active`, `deleted`, `filters`."""
    return flag_compile(flag).evaluate(
        distinct_id=distinct_id,
        properties=properties or {},
        flag_results=flag_results or {},
        now=now or datetime.now(UTC),
    )
