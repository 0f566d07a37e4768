"""Persons: what a flag is evaluated against. posthog-js events update them ($identify, $set, $set_once)."""

from typing import Any

from django.db import IntegrityError, transaction

from flags.models import Person, PersonDistinctId


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


def persons_merge(*, project_id: int, target_distinct_id: str, other_distinct_id: str) -> Person:
    """Make both distinct ids one person; the target's properties win over the other's."""
    target = _person_for(project_id, target_distinct_id, create=False)
    other = _person_for(project_id, other_distinct_id, create=False)
    if target is None and other is None:
        target = _person_for(project_id, target_distinct_id, create=True)
        PersonDistinctId.objects.create(project_id=project_id, person=target, distinct_id=other_distinct_id)
        return target
    if target is None:
        PersonDistinctId.objects.create(project_id=project_id, person=other, distinct_id=target_distinct_id)
        return other
    if other is None:
        PersonDistinctId.objects.create(project_id=project_id, person=target, distinct_id=other_distinct_id)
        return target
    if other.pk != target.pk:
        target.properties = {**(other.properties or {}), **(target.properties or {})}
        target.save(update_fields=["properties", "updated_at"])
        PersonDistinctId.objects.filter(person=other).update(person=target)
        other.delete()
    return target


def person_properties_updates(event: dict) -> tuple[dict, dict, list]:
    """($set, $set_once, $unset) carried by an event, at top level or inside its properties."""
    properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}

    def pick(key: str, kind: type) -> Any:
        value = event.get(key, properties.get(key))
        return value if isinstance(value, kind) else kind()

    return pick("$set", dict), pick("$set_once", dict), pick("$unset", list)


def person_event_apply(*, project_id: int, distinct_id: str, event: dict) -> None:
    properties = event.get("properties") if isinstance(event.get("properties"), dict) else {}
    if properties.get("$process_person_profile") is False:
        return
    name = event.get("event")
    set_props, set_once, unset = person_properties_updates(event)
    merge_with = None
    if name == "$identify":
        merge_with = properties.get("$anon_distinct_id")
    elif name == "$create_alias":
        merge_with = properties.get("alias")
    if not isinstance(merge_with, str) or not merge_with or merge_with == distinct_id:
        merge_with = None
    if merge_with is None and not (set_props or set_once or unset):
        return
    for attempt in range(2):
        try:
            with transaction.atomic():
                if merge_with is not None:
                    person = persons_merge(
                        project_id=project_id, target_distinct_id=distinct_id, other_distinct_id=merge_with
                    )
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
            return
        except IntegrityError:
            # Another request created the same distinct id first; the second pass finds it.
            if attempt:
                raise
