"""Persons: what a flag is evaluated against. posthog-js events update them ($identify, $set, $set_once).

Merging follows PostHog's rules: `$identify` / `$create_alias` make the event's person identified, never
merge an already identified person into another, and ignore generic ids ("anonymous", "null", …) that
stem from client bugs and would otherwise merge every visitor into one person.
"""

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from flags.models import Person, PersonDistinctId

logger = logging.getLogger(__name__)

_CASE_INSENSITIVE_ILLEGAL = (
    "anonymous", "guest", "distinctid", "distinct_id", "id", "not_authenticated", "email", "undefined", "true",
    "false",
)  # fmt: skip
_CASE_SENSITIVE_ILLEGAL = ("[object Object]", "NaN", "None", "none", "null", "0", "undefined")


def _quoted(ids: tuple[str, ...]) -> set[str]:
    return {*ids, *(f"'{i}'" for i in ids), *(f'"{i}"' for i in ids)}


CASE_INSENSITIVE_ILLEGAL_IDS = frozenset(_quoted(_CASE_INSENSITIVE_ILLEGAL))
CASE_SENSITIVE_ILLEGAL_IDS = frozenset(_quoted(_CASE_SENSITIVE_ILLEGAL))


def distinct_id_is_illegal(distinct_id: str) -> bool:
    """PostHog's list of ids no merge may use."""
    return (
        distinct_id.strip() == ""
        or distinct_id.lower() in CASE_INSENSITIVE_ILLEGAL_IDS
        or distinct_id in CASE_SENSITIVE_ILLEGAL_IDS
    )


# Plain SQL: `/flags` reads a person on every request, and building the ORM query costs more than running it.
_PROPERTIES_SQL = (
    f"SELECT p.properties FROM {PersonDistinctId._meta.db_table} d "
    f"JOIN {Person._meta.db_table} p ON p.id = d.person_id WHERE d.project_id = %s AND d.distinct_id = %s"
)


def person_properties_get(*, project_id: int, distinct_id: str) -> dict:
    """The properties of the person known by `distinct_id` (empty when there is none)."""
    with connection.cursor() as cursor:
        cursor.execute(_PROPERTIES_SQL, [project_id, distinct_id])
        row = cursor.fetchone()
    if row is None:
        return {}
    value = json.loads(row[0]) if isinstance(row[0], (str, bytes)) else row[0]
    return value if isinstance(value, dict) else {}


def _person_create(project_id: int, distinct_id: str) -> Person:
    person = Person.objects.create(project_id=project_id, properties={})
    PersonDistinctId.objects.create(project_id=project_id, person=person, distinct_id=distinct_id)
    return person


def _person_for(project_id: int, distinct_id: str) -> Person | None:
    link = (
        PersonDistinctId.objects.select_related("person")
        .select_for_update()
        .filter(project_id=project_id, distinct_id=distinct_id)
        .first()
    )
    return link.person if link is not None else None


def _distinct_id_add(person: Person, distinct_id: str) -> Person:
    PersonDistinctId.objects.create(project_id=person.project_id, person=person, distinct_id=distinct_id)
    return person


def persons_merge(*, project_id: int, target_distinct_id: str, other_distinct_id: str) -> Person:
    """Make both distinct ids one person, identified; the target's properties win over the other's.

    When both already are different persons and the other one is identified, nothing is merged
    (PostHog: an identified person is never merged into anyone): the target's person is returned.
    """
    target = _person_for(project_id, target_distinct_id)
    other = _person_for(project_id, other_distinct_id)
    changed: list[str] = []
    if target is None:
        if other is None:
            person = _distinct_id_add(_person_create(project_id, target_distinct_id), other_distinct_id)
        else:
            person = _distinct_id_add(other, target_distinct_id)
    elif other is None:
        person = _distinct_id_add(target, other_distinct_id)
    elif other.pk == target.pk:
        person = target
    elif other.is_identified:
        logger.warning("Refused to merge an already identified person via $identify or $create_alias")
        person = target
    else:
        target.properties = {**(other.properties or {}), **(target.properties or {})}
        PersonDistinctId.objects.filter(person=other).update(person=target)
        other.delete()
        person, changed = target, ["properties"]
    if not person.is_identified:
        person.is_identified = True
        changed.append("is_identified")
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return person


def person_properties_updates(event: dict) -> tuple[dict, dict, list]:
    """($set, $set_once, $unset) carried by an event, at top level or inside its properties."""
    properties = event.get("properties")
    properties = properties if isinstance(properties, dict) else {}

    def pick(key: str, kind: type) -> Any:
        value = event.get(key, properties.get(key))
        return value if isinstance(value, kind) else kind()

    return pick("$set", dict), pick("$set_once", dict), pick("$unset", list)


def _merge_partner(event: dict, distinct_id: str) -> str | None:
    """The other distinct id an `$identify` / `$create_alias` names, when a merge may use it."""
    properties = event.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    name = event.get("event")
    other = properties.get("$anon_distinct_id") if name == "$identify" else None
    if name == "$create_alias":
        other = properties.get("alias")
    if not isinstance(other, str) or not other or other == distinct_id:
        return None
    if distinct_id_is_illegal(other) or distinct_id_is_illegal(distinct_id):
        return None
    return other[:400]


@dataclass(frozen=True, slots=True)
class _Update:
    """What one event does to its person: a merge partner, then `$set_once`, `$set`, `$unset`."""

    distinct_id: str
    merge_with: str | None
    set_props: dict
    set_once: dict
    unset: list


def _update_of(distinct_id: str, event: dict) -> _Update | None:
    properties = event.get("properties")
    if isinstance(properties, dict) and properties.get("$process_person_profile") is False:
        return None
    set_props, set_once, unset = person_properties_updates(event)
    merge_with = _merge_partner(event, distinct_id)
    if merge_with is None and not (set_props or set_once or unset):
        return None
    return _Update(distinct_id, merge_with, set_props, set_once, unset)


def _properties_updated(properties: dict, update: _Update) -> dict:
    updated = dict(properties)
    for key, value in update.set_once.items():
        updated.setdefault(key, value)
    updated.update(update.set_props)
    for key in update.unset:
        if isinstance(key, str):
            updated.pop(key, None)
    return updated


def _event_apply(project_id: int, update: _Update) -> None:
    """One event with a merge: the merge, then its property updates."""
    assert update.merge_with is not None
    person = persons_merge(
        project_id=project_id, target_distinct_id=update.distinct_id, other_distinct_id=update.merge_with
    )
    updated = _properties_updated(person.properties or {}, update)
    if updated != person.properties:
        person.properties = updated
        person.save(update_fields=["properties", "updated_at"])


def _with_retry(apply: Callable[[], None]) -> None:
    """Run `apply` in a savepoint; once more when another request created one of its distinct ids first
    (the insert race is lost: the second pass finds the row)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                apply()
            return
        except IntegrityError:
            if attempt:
                raise


@dataclass(slots=True)
class _Known:
    pk: int
    properties: Any


def _json_loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _persons_locked(project_id: int, distinct_ids: set[str]) -> dict[str, _Known]:
    """The persons of `distinct_ids` that exist, locked until the transaction ends (plain SQL: this runs
    on every `/e` request, and the ORM's query building cost more than the query)."""
    ids = sorted(distinct_ids)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite locks the whole file
    sql = (
        f"SELECT d.distinct_id, p.id, p.properties FROM {PersonDistinctId._meta.db_table} d "
        f"JOIN {Person._meta.db_table} p ON p.id = d.person_id "
        f"WHERE d.project_id = %s AND d.distinct_id IN ({', '.join(['%s'] * len(ids))}){lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [project_id, *ids])
        return {distinct_id: _Known(pk, _json_loaded(properties)) for distinct_id, pk, properties in cursor.fetchall()}


def _person_properties_set(pk: int, properties: dict) -> None:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Person._meta.db_table} SET properties = %s{cast}, updated_at = %s WHERE id = %s",
            [json.dumps(properties), timezone.now(), pk],
        )


def _persons_create(project_id: int, properties: dict[str, dict]) -> None:
    """One new person per distinct id, with its properties: two bulk inserts."""
    distinct_ids = list(properties)
    persons = Person.objects.bulk_create(
        [Person(project_id=project_id, properties=properties[d]) for d in distinct_ids]
    )
    PersonDistinctId.objects.bulk_create(
        [
            PersonDistinctId(project_id=project_id, person=person, distinct_id=distinct_id)
            for person, distinct_id in zip(persons, distinct_ids, strict=True)
        ]
    )


def _updates_apply(project_id: int, updates: list[_Update]) -> None:
    """Property updates without merges, in order: one locking read of every person concerned, one bulk
    insert of those not known yet (with their final properties), one UPDATE per known person whose
    properties changed."""
    wanted = set(u.distinct_id for u in updates)
    for attempt in range(2):
        persons = _persons_locked(project_id, wanted)
        # Known persons by primary key (two distinct ids may be one person), new ones by distinct id.
        keys = {d: ("person", persons[d].pk) if d in persons else ("new", d) for d in wanted}
        properties: dict[tuple, dict] = {("person", p.pk): dict(p.properties or {}) for p in persons.values()}
        for update in updates:
            key = keys[update.distinct_id]
            properties[key] = _properties_updated(properties.get(key, {}), update)
        new = {key[1]: value for key, value in properties.items() if key[0] == "new"}
        if not new:
            break
        try:
            with transaction.atomic():  # a savepoint: a lost insert race undoes only these inserts
                _persons_create(project_id, new)
            break
        except IntegrityError:
            if attempt:  # another request created one of these distinct ids first: read them again
                raise
    for person in {p.pk: p for p in persons.values()}.values():
        if properties[("person", person.pk)] != person.properties:
            _person_properties_set(person.pk, properties[("person", person.pk)])


def person_event_apply(*, project_id: int, distinct_id: str, event: dict) -> None:
    """Apply one event's identify/alias and property updates; runs inside the caller's transaction."""
    person_events_apply(project_id=project_id, events=[(distinct_id, event)])


def person_events_apply(*, project_id: int, events: list[tuple[str, dict]]) -> None:
    """Apply a request's `(distinct_id, event)` pairs with the effect of applying them one by one in order,
    in the caller's transaction (or one of its own). Runs of events without merges are applied together
    (`_updates_apply`); an `$identify` / `$create_alias` merge is applied on its own, in its place."""
    updates = [u for u in (_update_of(d, e) for d, e in events) if u is not None]
    if not updates:
        return
    with transaction.atomic(savepoint=False):
        run: list[_Update] = []
        for update in updates:
            if update.merge_with is None:
                run.append(update)
                continue
            if run:
                _updates_apply(project_id, run)
                run = []
            _with_retry(functools.partial(_event_apply, project_id, update))
        if run:
            _updates_apply(project_id, run)
