"""The tour's internal targeting flag: pure filter building plus the service that keeps the flag in sync.

The flag decides who is eligible for an auto-launched tour. Its filters are, per group:
base exclusions (by `content.displayFrequency`) + one wait-period alternative per seen-tour type
+ one group of the user's own targeting. Groups are OR'd, properties in a group AND'd, so the
wait period ("never seen OR seen more than N days ago", per type) expands into the cartesian
product of alternatives.
"""

import itertools
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.text import slugify
from rest_framework import serializers

from core.errors import InvalidInput
from flags.models import FeatureFlag
from flags.services import feature_flag_create, feature_flag_update

TARGETING_FLAG_PREFIX = "product-tour-targeting-"
TARGETING_FLAG_CREATION_CONTEXT = "product_tours"
SHOWN = "$product_tour_shown"
COMPLETED = "$product_tour_completed"
DISMISSED = "$product_tour_dismissed"
LAST_SEEN_DATE = "$product_tour_last_seen_date"

# 2^types groups per user group: keep the flag (and its evaluation) bounded.
MAX_WAIT_PERIOD_TYPES = 8
MAX_FLAG_GROUPS = 1024
MAX_FLAG_KEY_LENGTH = 400

UNSET: Any = object()  # "the request did not mention targeting_flag_filters"


# --- pure functions -------------------------------------------------------------------------


def _is_not_set(key: str) -> dict:
    return {"key": key, "type": "person", "value": "is_not_set", "operator": "is_not_set"}


def base_exclusions(*, tour_id: str, display_frequency: Any) -> list[dict]:
    """Person properties that stop a tour re-appearing, by display frequency (default: until_interacted)."""
    if display_frequency == "always":
        return []
    if display_frequency == "show_once":
        return [_is_not_set(f"{SHOWN}/{tour_id}")]
    return [_is_not_set(f"{COMPLETED}/{tour_id}"), _is_not_set(f"{DISMISSED}/{tour_id}")]


@dataclass(frozen=True)
class WaitPeriod:
    days: int
    types: tuple


def wait_period_parse(content: Any) -> WaitPeriod | None:
    """`content.conditions.seenTourWaitPeriod` when usable (days ≥ 1, non-empty types), else None."""
    conditions = content.get("conditions") if isinstance(content, dict) else None
    wait = conditions.get("seenTourWaitPeriod") if isinstance(conditions, dict) else None
    if not isinstance(wait, dict):
        return None
    days, types = wait.get("days"), wait.get("types")
    if isinstance(days, bool) or not isinstance(days, (int, float)) or not days >= 1:
        return None
    if not isinstance(types, list) or not types:
        return None
    return WaitPeriod(days=int(days), types=tuple(types))


def wait_period_combinations(wait: WaitPeriod | None) -> list[list[dict]]:
    """One property list per combination: per type, never seen OR last seen more than `days` ago."""
    if wait is None:
        return [[]]
    per_type = []
    for kind in wait.types:
        key = f"{LAST_SEEN_DATE}/{kind}"
        per_type.append(
            [
                {"key": key, "value": "is_not_set", "operator": "is_not_set", "type": "person"},
                {"key": key, "value": f"{wait.days}d", "operator": "is_date_before", "type": "person"},
            ]
        )
    return [list(combination) for combination in itertools.product(*per_type)]


def _group(properties: list[dict]) -> dict:
    return {"variant": "", "rollout_percentage": 100, "aggregation_group_type_index": None, "properties": properties}


def targeting_filters_build(*, tour_id: str, content: Any, user_groups: list[list[dict]]) -> dict:
    """The flag's complete filters. No (non-empty) user groups → base and wait-period groups only."""
    display_frequency = content.get("displayFrequency") if isinstance(content, dict) else None
    base = base_exclusions(tour_id=tour_id, display_frequency=display_frequency)
    combinations = wait_period_combinations(wait_period_parse(content))
    if not any(user_groups):
        user_groups = [[]]
    if len(user_groups) * len(combinations) > MAX_FLAG_GROUPS:
        raise InvalidInput(
            f"Targeting would need more than {MAX_FLAG_GROUPS} flag condition groups; "
            "use fewer groups or fewer seen-tour wait period types.",
            attr="targeting_flag_filters",
        )
    groups = [_group(base + combination + user) for user in user_groups for combination in combinations]
    return {"aggregation_group_type_index": None, "groups": groups}


def property_is_system_managed(prop: Any, *, tour_id: str) -> bool:
    key = prop.get("key") if isinstance(prop, dict) else None
    if not isinstance(key, str):
        return False
    return key in {f"{SHOWN}/{tour_id}", f"{COMPLETED}/{tour_id}", f"{DISMISSED}/{tour_id}"} or key.startswith(
        f"{LAST_SEEN_DATE}/"
    )


def _signature(properties: list) -> frozenset:
    return frozenset(
        repr((p.get("key"), p.get("value"), p.get("operator"), p.get("type"))) if isinstance(p, dict) else repr(p)
        for p in properties
    )


def _user_groups_with_source(*, tour_id: str, filters: Any) -> list[tuple[dict, list]]:
    """(original group, its user properties) — system properties stripped, duplicate groups dropped."""
    groups = filters.get("groups") if isinstance(filters, dict) else None
    seen: set[frozenset] = set()
    result = []
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, dict):
            continue
        properties = group.get("properties")
        properties = properties if isinstance(properties, list) else []
        user_properties = [p for p in properties if not property_is_system_managed(p, tour_id=tour_id)]
        signature = _signature(user_properties)
        if signature not in seen:
            seen.add(signature)
            result.append((group, user_properties))
    return result


def user_groups_extract(*, tour_id: str, filters: Any) -> list[list[dict]]:
    """The user's own property groups inside (flag or request) filters."""
    return [properties for _, properties in _user_groups_with_source(tour_id=tour_id, filters=filters)]


def targeting_filters_strip(*, tour_id: str, filters: Any) -> dict | None:
    """Read-side `targeting_flag_filters`: the flag's filters minus everything the system manages.

    Groups are de-duplicated (the wait period repeats each user group 2^types times), so a
    GET → edit → PATCH round trip rebuilds the same flag. None when no user targeting is left.
    """
    pairs = _user_groups_with_source(tour_id=tour_id, filters=filters)
    if not any(properties for _, properties in pairs):
        return None
    return {"groups": [{**group, "properties": properties} for group, properties in pairs]}


def targeting_flag_key(tour_name: str) -> str:
    """`product-tour-targeting-<slug>-<8 hex>`; the slug is cut so the key fits the 400-char limit."""
    slug = slugify(tour_name)[: MAX_FLAG_KEY_LENGTH - len(TARGETING_FLAG_PREFIX) - 9]
    return f"{TARGETING_FLAG_PREFIX}{slug}-{secrets.token_hex(4)}"


def targeting_flag_name(tour_name: str) -> str:
    return f"Product Tour: {tour_name}"


def targeting_flag_active(*, start_date: datetime | None, end_date: datetime | None, archived: bool) -> bool:
    return start_date is not None and end_date is None and not archived


def targeting_input_validate(value: Any) -> Any:
    """Shape check of a request's `targeting_flag_filters` (properties themselves: the flag validator)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise serializers.ValidationError("targeting_flag_filters must be an object or null.")
    groups = value.get("groups")
    if groups is None:
        return value
    if not isinstance(groups, list):
        raise serializers.ValidationError("targeting_flag_filters.groups must be a list.")
    for index, group in enumerate(groups):
        if not isinstance(group, dict):
            raise serializers.ValidationError(f"targeting_flag_filters.groups[{index}] must be an object.")
        properties = group.get("properties")
        if properties is None:
            continue
        if not isinstance(properties, list) or not all(isinstance(p, dict) for p in properties):
            raise serializers.ValidationError(
                f"targeting_flag_filters.groups[{index}].properties must be a list of objects."
            )
    return value


# --- the service ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagInputs:
    """What of a tour the targeting flag depends on, captured before an update."""

    auto_launch: bool
    start_date: datetime | None
    end_date: datetime | None
    archived: bool
    display_frequency: Any
    wait_period: Any

    @classmethod
    def of(cls, tour) -> "FlagInputs":
        content = tour.content if isinstance(tour.content, dict) else {}
        conditions = content.get("conditions")
        return cls(
            auto_launch=tour.auto_launch,
            start_date=tour.start_date,
            end_date=tour.end_date,
            archived=tour.archived,
            display_frequency=content.get("displayFrequency"),
            wait_period=conditions.get("seenTourWaitPeriod") if isinstance(conditions, dict) else None,
        )


def _flag_of(tour) -> FeatureFlag | None:
    flag = tour.internal_targeting_flag if tour.internal_targeting_flag_id else None
    return flag if flag is not None and not flag.deleted else None


def tour_flag_sync(*, tour, user, before: FlagInputs | None, targeting: Any = UNSET) -> None:
    """Create, (de)activate or rebuild the tour's internal flag after the tour row was saved.

    `before` is None on create. `targeting` is the request's `targeting_flag_filters` (UNSET when
    absent; None resets to base filters). Must run inside the tour's transaction.
    """
    tour_id = str(tour.id)
    after = FlagInputs.of(tour)
    flag = _flag_of(tour)
    try:
        if flag is None:
            if after.auto_launch and (before is None or not before.auto_launch):
                groups = [] if targeting is UNSET else user_groups_extract(tour_id=tour_id, filters=targeting)
                _flag_create(tour=tour, user=user, user_groups=groups)
            return  # without a flag, targeting_flag_filters is ignored
        if before is None:
            return  # a new tour has no flag yet

        changes: dict[str, Any] = {}
        active = flag.active
        if before.auto_launch != after.auto_launch:
            active = targeting_flag_active(**_state(tour)) if after.auto_launch else False
        elif after.auto_launch and _state(before) != _state(tour):
            active = targeting_flag_active(**_state(tour))
        if active != flag.active:
            changes["active"] = active

        user_groups: list[list[dict]] | None = None  # None: the filters stay as they are
        if targeting is not UNSET:
            user_groups = user_groups_extract(tour_id=tour_id, filters=targeting)
        elif before.display_frequency != after.display_frequency or before.wait_period != after.wait_period:
            # Keep the user's targeting; re-derive what the system manages.
            user_groups = user_groups_extract(tour_id=tour_id, filters=flag.filters)
        if user_groups is not None:
            filters = targeting_filters_build(tour_id=tour_id, content=tour.content, user_groups=user_groups)
            if filters != flag.filters:
                changes["filters"] = filters

        if changes:
            feature_flag_update(flag=flag, user=user, flag_project=tour.project, savepoint=False, **changes)
    except InvalidInput as exc:
        # The flag's validation reports on `filters` or `key`; the caller sent `targeting_flag_filters`.
        raise InvalidInput(exc.detail, attr="targeting_flag_filters", code=exc.code) from exc


def _state(source) -> dict:
    return {"start_date": source.start_date, "end_date": source.end_date, "archived": source.archived}


def _flag_create(*, tour, user, user_groups: list[list[dict]]) -> FeatureFlag:
    filters = targeting_filters_build(tour_id=str(tour.id), content=tour.content, user_groups=user_groups)
    flag = feature_flag_create(
        project=tour.project,
        user=user,
        key=targeting_flag_key(tour.name),
        name=targeting_flag_name(tour.name),
        filters=filters,
        active=targeting_flag_active(**_state(tour)),
        savepoint=False,
    )
    tour.internal_targeting_flag = flag
    tour.save(update_fields=["internal_targeting_flag"])
    return flag
