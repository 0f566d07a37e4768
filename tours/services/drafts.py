"""Product tour drafts: save (server-side shallow merge), publish, discard (reference §14, DESIGN.md §3.5).

A draft is a dict of the draftable fields kept in `draft_content`. Saving one has no side effects:
no validation beyond "the database can store it", no flag, no analytics, no change to the live tour.
Publishing applies it as a partial update through `tour_apply`, so it gets exactly PATCH's
validation and side effects, and clears it.

Every read-modify-write of `draft_content` holds the tour's row lock (`SELECT … FOR UPDATE`), so
editors saving different fields at the same time lose nothing and a publish never interleaves with
a merge.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import InvalidInput
from tours.fields import json_problem
from tours.models import ProductTour
from tours.services.targeting import targeting_filters_strip
from tours.services.tours import Precondition, TourNameTaken, name_taken, tour_apply, tour_events_emit, tour_lock

DRAFTABLE_FIELDS = ("name", "description", "content", "auto_launch", "targeting_flag_filters", "linked_flag_id")
NO_DRAFT = "No draft to publish."
NOT_AN_OBJECT = "Invalid data. Expected a dictionary, but got {datatype}."
NOT_JSON = "Expected a JSON value."
_JSON_TYPES = (str, int, float, bool, type(None), dict, list)

# Turns a draft (its draftable keys) into validated update input, as the API's input serializer does;
# raises the API's validation error otherwise. The API layer passes it in: services build no serializer.
DraftValidator = Callable[[ProductTour, dict], dict]


class NoDraftToPublish(InvalidInput):
    def __init__(self) -> None:
        super().__init__(NO_DRAFT)


# --- pure functions -------------------------------------------------------------------------


def draft_fields_pick(body: Any) -> dict:
    """The draftable keys of a request body or stored draft; other keys are dropped silently.

    `InvalidInput` for a body that is not an object, and for values the database could not store (NUL
    characters, lone surrogates, infinite numbers, uploaded files; the first such key): never a 500.
    """
    if not isinstance(body, Mapping):
        raise InvalidInput(NOT_AN_OBJECT.format(datatype=type(body).__name__))
    fields = {}
    for key in DRAFTABLE_FIELDS:
        if key not in body:
            continue
        value = body.get(key)  # a form body's last value, as DRF reads forms
        problem = json_problem(value) if isinstance(value, _JSON_TYPES) else NOT_JSON
        if problem:
            raise InvalidInput(problem, attr=key)
        fields[key] = value
    return fields


def draft_seed(*, tour: ProductTour) -> dict:
    """The draft a first save starts from: the live values, targeting as the read side shows it."""
    flag = tour.internal_targeting_flag if tour.internal_targeting_flag_id else None
    targeting = None if flag is None else targeting_filters_strip(tour_id=str(tour.id), filters=flag.filters)
    return {
        "name": tour.name,
        "description": tour.description,
        "content": tour.content,  # raw stored value, steps not normalised
        "auto_launch": tour.auto_launch,
        "targeting_flag_filters": targeting,
        "linked_flag_id": tour.linked_flag_id,
    }


def draft_merge(*, base: Mapping[str, Any], fields: Mapping[str, Any]) -> dict:
    """Shallow: each sent key replaces the draft's whole value (`content` is not deep-merged)."""
    return {**base, **fields}


# --- services -------------------------------------------------------------------------------


def _merged(tour: ProductTour, fields: Mapping[str, Any]) -> dict:
    """The tour's draft (seeded from the live values when it has none) with `fields` merged in."""
    base = tour.draft_content if isinstance(tour.draft_content, Mapping) else draft_seed(tour=tour)
    return draft_merge(base=base, fields=fields)


def _draft_write(*, tour: ProductTour, fields: Mapping[str, Any]) -> None:
    """Merge `fields` into the locked tour's draft and store it."""
    tour.draft_content = _merged(tour, fields)
    tour.updated_at = timezone.now()
    # Two columns only: an autosave must not rewrite the live fields it read under the lock.
    ProductTour.objects.filter(pk=tour.pk).update(draft_content=tour.draft_content, updated_at=tour.updated_at)


def draft_save(*, tour: ProductTour, body: Any, precondition: Precondition | None = None) -> ProductTour:
    """`PATCH /{id}/draft/`: merge the body's draftable keys into the draft; nothing else changes.

    A body without draftable keys changes nothing (a missing draft stays missing).
    """
    fields = draft_fields_pick(body)
    with transaction.atomic():
        locked = tour_lock(tour)
        if precondition is not None:
            precondition(locked)
        if fields:
            _draft_write(tour=locked, fields=fields)
    return locked


def draft_publish(
    *,
    tour: ProductTour,
    user: User,
    body: Any,
    validate: DraftValidator,
    precondition: Precondition | None = None,
) -> ProductTour:
    """`POST /{id}/publish_draft/`: merge the optional body, then apply the draft as a PATCH and clear it.

    Merge and publish share one locked transaction, so no other writer can publish or discard between
    them. When the publish is refused (validation, linked flag, launch readiness, name), that
    transaction rolls back whole — the live tour is unchanged — and the body's fields are then merged
    into the draft on their own (PostHog saves the draft before validating it).
    """
    fields = draft_fields_pick(body)
    locked: ProductTour | None = None
    publishing = False
    try:
        with transaction.atomic():
            locked = tour_lock(tour)
            if precondition is not None:
                precondition(locked)
            draft = _merged(locked, fields) if fields else locked.draft_content
            if draft is None:
                raise NoDraftToPublish()
            publishing = True
            data = validate(locked, draft_fields_pick(draft))
            events = tour_apply(tour=locked, user=user, data=data)
    except Exception as exc:
        if not publishing:
            raise
        name_race = (
            isinstance(exc, IntegrityError)
            and locked is not None
            and name_taken(project_id=locked.project_id, name=locked.name, exclude_id=locked.pk)
        )
        # A refusal (any 4xx: ours, or the validator's) keeps the merge; a server error keeps nothing.
        if fields and (name_race or getattr(exc, "status_code", 500) < 500):
            draft_save(tour=tour, body=fields)
        if name_race:
            raise TourNameTaken() from None  # a concurrent writer took the name after our check
        raise
    tour_events_emit(events, tour=locked, user=user, data=data)
    return locked


def draft_discard(*, tour: ProductTour, precondition: Precondition | None = None) -> ProductTour:
    """`DELETE /{id}/discard_draft/`: drop the draft; succeeds (changing nothing) when there is none."""
    with transaction.atomic():
        locked = tour_lock(tour)
        if precondition is not None:
            precondition(locked)
        if locked.draft_content is not None:
            locked.draft_content = None
            locked.updated_at = timezone.now()
            ProductTour.objects.filter(pk=locked.pk).update(draft_content=None, updated_at=locked.updated_at)
    return locked
