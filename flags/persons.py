"""Persons: what a flag is evaluated against. posthog-js events update them ($identify, $set, $set_once).

Merging follows PostHog's rules: `$identify` / `$create_alias` make the event's person identified, never
merge an already identified person into another, and ignore generic ids ("anonymous", "null", …) that
stem from client bugs and would otherwise merge every visitor into one person.
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction

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


def person_properties_get(*, project_id: int, distinct_id: str) -> dict:
    row = (
        PersonDistinctId.objects.filter(project_id=project_id, distinct_id=distinct_id)
        .values_list("person__properties", flat=True)
        .first()
    )
    return row if isinstance(row, dict) else {}


def _person_for(project_id: int, distinct_id: str, *, create: bool) -> Person | None:
    link = (
        PersonDistinctId.objects.select_related("person")
        .select_for_update()
        .filter(project_id=project_id, distinct_id=distinct_id)
        .first()
    )
    if link is not None:
        return link.person
    if not create:
        return None
    person = Person.objects.create(project_id=project_id, properties={})
    PersonDistinctId.objects.create(project_id=project_id, person=person, distinct_id=distinct_id)
    return person


def _distinct_id_add(person: Person, distinct_id: str) -> Person:
    PersonDistinctId.objects.create(project_id=person.project_id, person=person, distinct_id=distinct_id)
    return person


def persons_merge(*, project_id: int, target_distinct_id: str, other_distinct_id: str) -> Person:
    """Make both distinct ids one person, identified; the target's properties win over the other's.

    When both already are different persons and the other one is identified, nothing is merged
    (PostHog: an identified person is never merged into anyone): the target's person is returned.
    """
    target = _person_for(project_id, target_distinct_id, create=False)
    other = _person_for(project_id, other_distinct_id, create=False)
    changed: list[str] = []
    if target is None and other is None:
        person = _distinct_id_add(_person_for(project_id, target_distinct_id, create=True), other_distinct_id)
    elif target is None:
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
    properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}

    def pick(key: str, kind: type) -> Any:
        value = event.get(key, properties.get(key))
        return value if isinstance(value, kind) else kind()

    return pick("$set", dict), pick("$set_once", dict), pick("$unset", list)


def _merge_partner(event: dict, distinct_id: str) -> str | None:
    """The other distinct id an `$identify` / `$create_alias` names, when a merge may use it."""
    properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}
    name = event.get("event")
    other = properties.get("$anon_distinct_id") if name == "$identify" else None
    if name == "$create_alias":
        other = properties.get("alias")
    if not isinstance(other, str) or not other or other == distinct_id:
        return None
    if distinct_id_is_illegal(other) or distinct_id_is_illegal(distinct_id):
        return None
    return other[:400]


def person_event_apply(*, project_id: int, distinct_id: str, event: dict) -> None:
    """Apply one event's identify/alias and property updates; runs inside the caller's transaction."""
    properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}
    if properties.get("$process_person_profile") is False:
        return
    set_props, set_once, unset = person_properties_updates(event)
    merge_with = _merge_partner(event, distinct_id)
    if merge_with is None and not (set_props or set_once or unset):
        return
    for attempt in range(2):
        try:
            with transaction.atomic():  # a savepoint: a lost insert race undoes this event only
                _event_apply(project_id, distinct_id, merge_with, set_props, set_once, unset)
            return
        except IntegrityError:
            # Another request created the same distinct id first; the second pass finds it.
            if attempt:
                raise


def _event_apply(
    project_id: int, distinct_id: str, merge_with: str | None, set_props: dict, set_once: dict, unset: list
) -> None:
    if merge_with is not None:
        person = persons_merge(project_id=project_id, target_distinct_id=distinct_id, other_distinct_id=merge_with)
    else:
        person = _person_for(project_id, distinct_id, create=True)
    updated = dict(person.properties or {})
    for key, value in set_once.items():
        updated.setdefault(key, value)
    updated.update(set_props)
    for key in unset:
        if isinstance(key, str):
            updated.pop(key, None)
    if updated != person.properties:
        person.properties = updated
        person.save(update_fields=["properties", "updated_at"])


def person_events_apply(*, project_id: int, events: list[tuple[str, dict]]) -> None:
    """Apply a request's `(distinct_id, event)` pairs in order, in one transaction."""
    with transaction.atomic():
        for distinct_id, event in events:
            person_event_apply(project_id=project_id, distinct_id=distinct_id, event=event)
