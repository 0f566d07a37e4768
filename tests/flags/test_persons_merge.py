"""PostHog's person rules for `$identify` / `$create_alias`: merge anonymous into identified, mark the
result identified, never merge an identified person into another, ignore generic ids."""

import pytest
from django.db import transaction

from flags.models import Person, PersonDistinctId
from flags.persons import distinct_id_is_illegal, person_event_apply, person_events_apply, persons_merge

pytestmark = pytest.mark.django_db


def person_of(project, distinct_id: str) -> Person | None:
    link = PersonDistinctId.objects.filter(project=project, distinct_id=distinct_id).select_related("person").first()
    return link.person if link else None


def ids_of(person: Person) -> set[str]:
    return set(person.distinct_ids.values_list("distinct_id", flat=True))


def seen(project, distinct_id: str, **props) -> Person:
    person_event_apply(project_id=project.id, distinct_id=distinct_id, event={"event": "$pageview", "$set": props})
    return person_of(project, distinct_id)


def identify(project, distinct_id: str, anon: str, **set_props) -> None:
    event = {"event": "$identify", "properties": {"$anon_distinct_id": anon, "$set": set_props}}
    person_event_apply(project_id=project.id, distinct_id=distinct_id, event=event)


def test_new_ids_are_anonymous_until_identified(tenant):
    assert seen(tenant.project, "anon-1", plan="free").is_identified is False


def test_identify_merges_the_anonymous_person_and_marks_identified(tenant):
    project = tenant.project
    seen(project, "anon-1", plan="free", color="red")
    seen(project, "user-1", plan="pro")
    identify(project, "user-1", "anon-1")
    person = person_of(project, "user-1")
    assert person.is_identified is True
    assert ids_of(person) == {"user-1", "anon-1"}
    assert person.properties == {"plan": "pro", "color": "red"}  # the event's own person wins
    assert Person.objects.filter(project=project).count() == 1


@pytest.mark.parametrize("known", ["neither", "target", "other"])
def test_identify_with_one_or_no_known_id_links_both_and_marks_identified(tenant, known):
    project = tenant.project
    if known == "target":
        seen(project, "user-1", a=1)
    if known == "other":
        seen(project, "anon-1", a=1)
    identify(project, "user-1", "anon-1")
    person = person_of(project, "user-1")
    assert person == person_of(project, "anon-1") and person.is_identified is True
    assert ids_of(person) == {"user-1", "anon-1"}


def test_an_identified_person_is_never_merged_into_another(tenant):
    project = tenant.project
    seen(project, "anon-v", email="v@example.com")
    identify(project, "victim", "anon-v")
    attacker = seen(project, "attacker", plan="free")
    identify(project, "attacker", "victim", stolen=True)
    victim = person_of(project, "victim")
    assert victim.pk != attacker.pk
    assert ids_of(victim) == {"victim", "anon-v"} and victim.properties == {"email": "v@example.com"}
    attacker = person_of(project, "attacker")
    assert ids_of(attacker) == {"attacker"}
    assert attacker.properties == {"plan": "free", "stolen": True}  # the event's own $set still applies
    assert attacker.is_identified is True  # PostHog marks the event's person identified all the same


def test_create_alias_follows_the_same_rule(tenant):
    project = tenant.project
    seen(project, "anon-v", x=1)
    identify(project, "victim", "anon-v")
    seen(project, "attacker", y=2)
    event = {"event": "$create_alias", "properties": {"alias": "victim"}}
    person_event_apply(project_id=project.id, distinct_id="attacker", event=event)
    assert person_of(project, "victim").pk != person_of(project, "attacker").pk


def test_alias_merges_an_anonymous_person(tenant):
    project = tenant.project
    seen(project, "anon-2", x=1)
    seen(project, "user-2", y=2)
    event = {"event": "$create_alias", "properties": {"alias": "anon-2"}}
    person_event_apply(project_id=project.id, distinct_id="user-2", event=event)
    person = person_of(project, "user-2")
    assert ids_of(person) == {"user-2", "anon-2"} and person.properties == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    "generic", ["anonymous", "Guest", '"undefined"', "null", "0", "[object Object]", " ", "'distinct_id'"]
)
def test_generic_ids_never_merge(tenant, generic):
    project = tenant.project
    seen(project, "user-3", a=1)
    identify(project, "user-3", generic)
    assert person_of(project, generic) is None
    assert ids_of(person_of(project, "user-3")) == {"user-3"}


def test_illegal_id_list_matches_posthog():
    assert distinct_id_is_illegal("ANONYMOUS") and distinct_id_is_illegal("NaN") and distinct_id_is_illegal("")
    assert not distinct_id_is_illegal("nan") and not distinct_id_is_illegal("user-1")


def test_merge_of_the_same_person_changes_nothing_but_identified(tenant):
    project = tenant.project
    identify(project, "user-4", "anon-4")
    person = persons_merge(project_id=project.id, target_distinct_id="anon-4", other_distinct_id="user-4")
    assert person == person_of(project, "user-4") and Person.objects.filter(project=project).count() == 1


def test_events_of_one_request_apply_in_order_in_one_transaction(tenant, monkeypatch):
    """A failure half-way leaves nothing of the request: one transaction, not one per event."""
    import flags.persons as persons

    def failing_merge(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(persons, "_event_apply", failing_merge)
    events = [(f"u{i}", {"event": "$pageview", "$set": {"i": i}}) for i in range(5)]
    events[2] = ("u2", {"event": "$identify", "properties": {"$anon_distinct_id": "anon-2"}})
    with pytest.raises(RuntimeError), transaction.atomic():  # the request's transaction, as capture opens it
        person_events_apply(project_id=tenant.project.id, events=events)
    assert not Person.objects.exists() and not PersonDistinctId.objects.exists()
