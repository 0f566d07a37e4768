"""Product tour drafts: save (server-side shallow merge), publish, discard (reference §14, DESIGN.md §3.5).

A draft is a dict of the draftable fields kept in `draft_content`. Saving one has no side effects:
no validation beyond "the database can store it", no flag, no analytics, no change to the live tour.
Publishing applies it as a partial update through `tour_update`, so it gets exactly PATCH's
validation and side effects, and clears it.

Every read-modify-write of `draft_content` holds the tour's row lock (`SELECT … FOR UPDATE`), so
editors saving different fields at the same time lose nothing and a publish never interleaves with
a merge.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from accounts.models import User
from tours.fields import json_problem
from tours.models import ProductTour
from tours.serializers import ProductTourSerializerCreateUpdateOnly
from tours.services.targeting import targeting_filters_strip
from tours.services.tours import Precondition, tour_update

DRAFTABLE_FIELDS = ("name", "description", "content", "auto_launch", "targeting_flag_filters", "linked_flag_id")
NO_DRAFT = "No draft to publish."
NOT_AN_OBJECT = "Invalid data. Expected a dictionary, but got {datatype}."
NOT_JSON = "Expected a JSON value."
_JSON_TYPES = (str, int, float, bool, type(None), dict, list)
# What the read representation needs, loaded with the lock so rendering costs no further query.
_READ_RELATIONS = ("internal_targeting_flag", "linked_flag", "created_by")


# --- pure functions -------------------------------------------------------------------------


def draft_fields_pick(body: Any) -> dict:
    """The draftable keys of a request body or stored draft; other keys are dropped silently.

    400 for a body that is not an object, and for values the database could not store (NUL
    characters, lone surrogates, infinite numbers, uploaded files): never a 500.
    """
    if not isinstance(body, Mapping):
        message = NOT_AN_OBJECT.format(datatype=type(body).__name__)
        raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(message, code="invalid")]})
    fields, errors = {}, {}
    for key in DRAFTABLE_FIELDS:
        if key not in body:
            continue
        value = body.get(key)  # a form body's last value, as DRF reads forms
        problem = json_problem(value) if isinstance(value, _JSON_TYPES) else NOT_JSON
        if problem:
            errors[key] = [ErrorDetail(problem, code="invalid")]
        else:
            fields[key] = value
    if errors:
        raise serializers.ValidationError(errors)
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


def _draft_lock(tour: ProductTour) -> ProductTour:
    """The tour's row locked until the transaction ends, with what rendering needs; 404 if deleted meanwhile.

    `of=("self",)`: only the tour row is locked (PostgreSQL refuses to lock the nullable side of the
    outer joins); SQLite has no row locks and serialises writers on the database instead.
    """
    locked = (
        ProductTour.objects.select_for_update(of=("self",))
        .select_related(*_READ_RELATIONS)
        .filter(pk=tour.pk, project_id=tour.project_id)
        .first()
    )
    if locked is None:
        raise exceptions.NotFound()
    return locked


def _draft_write(*, tour: ProductTour, fields: Mapping[str, Any]) -> None:
    """Merge `fields` into the locked tour's draft (seeding it from live first) and store it."""
    base = tour.draft_content if isinstance(tour.draft_content, Mapping) else draft_seed(tour=tour)
    tour.draft_content = draft_merge(base=base, fields=fields)
    tour.updated_at = timezone.now()
    # Two columns only: an autosave must not rewrite the live fields it read under the lock.
    ProductTour.objects.filter(pk=tour.pk).update(draft_content=tour.draft_content, updated_at=tour.updated_at)


def draft_save(*, tour: ProductTour, body: Any, precondition: Precondition | None = None) -> ProductTour:
    """`PATCH /{id}/draft/`: merge the body's draftable keys into the draft; nothing else changes.

    A body without draftable keys changes nothing (a missing draft stays missing).
    """
    fields = draft_fields_pick(body)
    with transaction.atomic():
        locked = _draft_lock(tour)
        if precondition is not None:
            precondition(locked)
        if fields:
            _draft_write(tour=locked, fields=fields)
    return locked


def draft_publish(*, tour: ProductTour, user: User, body: Any, precondition: Precondition | None = None) -> ProductTour:
    """`POST /{id}/publish_draft/`: merge the optional body, then apply the draft as a PATCH and clear it.

    The merge is kept even when publishing then fails validation (reference §14.3: saved before
    validation); the live tour is then unchanged. Merge and publish share one locked transaction,
    the publish attempt inside a savepoint, so no other writer can publish or discard between
    them (a separately committed merge could be published by someone else, leaving this request
    "No draft to publish.").
    """
    fields = draft_fields_pick(body)
    failure: serializers.ValidationError | None = None
    with transaction.atomic():
        locked = _draft_lock(tour)
        if precondition is not None:
            precondition(locked)
        if fields:
            _draft_write(tour=locked, fields=fields)
        if locked.draft_content is None:
            raise serializers.ValidationError(NO_DRAFT)
        try:
            with transaction.atomic():  # rolled back alone on failure; the merge above still commits
                serializer = ProductTourSerializerCreateUpdateOnly(
                    locked, data=draft_fields_pick(locked.draft_content), partial=True
                )
                serializer.is_valid(raise_exception=True)
                locked.project = tour.project
                # tour_update re-locks the row we hold, so the draft read above is exactly the one
                # applied and cleared.
                return tour_update(tour=locked, user=user, data=serializer.validated_data)
        except serializers.ValidationError as exc:
            failure = exc
    raise failure


def draft_discard(*, tour: ProductTour, precondition: Precondition | None = None) -> ProductTour:
    """`DELETE /{id}/discard_draft/`: drop the draft; succeeds (changing nothing) when there is none."""
    with transaction.atomic():
        locked = _draft_lock(tour)
        if precondition is not None:
            precondition(locked)
        if locked.draft_content is not None:
            locked.draft_content = None
            locked.updated_at = timezone.now()
            ProductTour.objects.filter(pk=locked.pk).update(draft_content=None, updated_at=locked.updated_at)
    return locked
