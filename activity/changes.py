"""What an activity entry says: `Detail`/`Change` and the field-by-field diff of two model versions.

No database access except to render a changed foreign key's related object, so the diff of two
unsaved instances is a pure function.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

# PostHog's `common_field_exclusions`, plus this project's name for the team (`project`).
COMMON_EXCLUSIONS = frozenset(
    {
        "id",
        "uuid",
        "short_id",
        "created_at",
        "created_by",
        "last_modified_at",
        "last_modified_by",
        "updated_at",
        "updated_by",
        "team",
        "team_id",
        "project",
        "project_id",
    }
)

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Change:
    type: str  # the scope, e.g. "ProductTour"
    action: str  # changed | created | deleted
    field: str | None = None
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class Trigger:
    job_type: str
    job_id: str
    payload: dict


@dataclass(frozen=True)
class Detail:
    name: str | None = None
    short_id: str | None = None
    type: str | None = None
    changes: list[Change] | None = None
    trigger: Trigger | None = None
    context: Any = None


def value_is_empty(value: Any, empty_values: Iterable[Any]) -> bool:
    """None or one of the field's empty values (`""`, `[]`, `{}`, ...): `{}` → None is no change."""
    return value is None or value in list(empty_values)


def change_for(scope: str, field: str, before: Any, after: Any, empty_values: Iterable[Any] = ()) -> Change | None:
    empty_values = tuple(empty_values)
    before_empty, after_empty = value_is_empty(before, empty_values), value_is_empty(after, empty_values)
    if before_empty and after_empty:
        return None
    if before_empty:
        return Change(type=scope, action="created", field=field, after=after)
    if after_empty:
        return Change(type=scope, action="deleted", field=field, before=before)
    if before != after:
        return Change(type=scope, action="changed", field=field, before=before, after=after)
    return None


def _related(instance: models.Model, field: Any) -> models.Model | None:
    """The related object (compared by primary key); None when unset or since deleted."""
    related_id = getattr(instance, field.attname)
    if related_id is None:
        return None
    if field.is_cached(instance):
        cached = field.get_cached_value(instance)
        if cached is not None and cached.pk == related_id:
            return cached
    return field.related_model._base_manager.filter(pk=related_id).first()


def _value(instance: models.Model, field: models.Field) -> Any:
    if field.is_relation:
        return _related(instance, field)
    return getattr(instance, field.attname)


def changes_between(
    scope: str, previous: models.Model | None, current: models.Model | None, *, exclude: Iterable[str] = ()
) -> list[Change]:
    """Per concrete field of `current`, minus the common and the caller's exclusions, in model order.

    Reverse relations and many-to-many managers are not compared: PostHog reads them live for both
    versions, so they never differ there either.
    """
    if previous is None or current is None:
        return []
    excluded = COMMON_EXCLUSIONS | set(exclude)
    changes = []
    for field in current._meta.concrete_fields:
        if field.name in excluded or field.attname in excluded:
            continue
        if field.is_relation and getattr(previous, field.attname) == getattr(current, field.attname):
            continue  # same related row: no change, and no query to render it
        change = change_for(scope, field.name, _value(previous, field), _value(current, field), field.empty_values)
        if change is not None:
            changes.append(change)
    return changes


def instance_snapshot(instance: M) -> M:
    """A detached copy of `instance` as it is now: the "before" of an update that mutates it in place."""
    snapshot = copy.copy(instance)
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, (dict, list)):
            setattr(snapshot, field.attname, copy.deepcopy(value))
    return snapshot
