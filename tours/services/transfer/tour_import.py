"""One imported tour, keeping its id: validated like an API request (the API's own input serializer),
written through the tour and draft services, and compared first, so re-importing an equal tour
writes nothing.

The internal targeting flag is never copied: the tour services build it here from the tour's
content and targeting. A source tour whose flag outlived auto-launch (switched off) keeps its
targeting in that inactive flag, so here too it gets one: created with auto-launch on, then
switched off, as the API would have done.
"""

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import DatabaseError, transaction
from rest_framework.exceptions import APIException, ValidationError

from accounts.models import Project
from core.errors import DomainError
from flags.models import FeatureFlag
from tours.models import ProductTour
from tours.serializers import ProductTourSerializerCreateUpdateOnly
from tours.services.drafts import draft_discard, draft_fields_pick, draft_merge, draft_save, draft_seed
from tours.services.targeting import user_groups_extract
from tours.services.tours import tour_create, tour_update
from tours.services.transfer.errors import database_error_text, error_text
from tours.services.transfer.matching import (
    TOUR_INPUT_FIELDS,
    datetime_parse,
    draft_input_build,
    source_draft_flag_id,
    source_has_targeting_flag,
    source_linked_flag_id,
    source_tour_id,
    tour_input_build,
)
from tours.services.transfer.report import CREATED, FAILED, UNCHANGED, UPDATED, TourOutcome

ID_TAKEN = "A product tour with this id already exists in another project here."
NO_ID = "The tour has no valid id (a UUID)."


def tour_import(
    *, project: Project, tour: Mapping[str, Any], flag_ids: Mapping[int, int], flag_errors: Mapping[int, str]
) -> TourOutcome:
    """Create, update or leave one tour; a failure (with its reason) changes nothing of it here."""
    tour_id = source_tour_id(tour)
    if tour_id is None:
        return TourOutcome(FAILED, NO_ID)
    linked_source, draft_source = source_linked_flag_id(tour), source_draft_flag_id(tour)
    for source_id, what in ((linked_source, "Linked feature flag"), (draft_source, "The draft's linked feature flag")):
        if source_id is not None and source_id not in flag_ids:
            reason = flag_errors.get(source_id, f"feature flag {source_id} was not imported")
            return TourOutcome(FAILED, f"{what} could not be imported: {reason}")
    try:
        with transaction.atomic():
            status = _tour_write(
                project=project,
                tour=tour,
                tour_id=tour_id,
                linked_flag_id=None if linked_source is None else flag_ids[linked_source],
                draft_flag_id=None if draft_source is None else flag_ids[draft_source],
            )
    except (APIException, DomainError) as error:
        return TourOutcome(FAILED, error_text(error))
    except DatabaseError as error:
        return TourOutcome(FAILED, database_error_text(error))
    return TourOutcome(status)


def _tour_write(
    *,
    project: Project,
    tour: Mapping[str, Any],
    tour_id: uuid.UUID,
    linked_flag_id: int | None,
    draft_flag_id: int | None,
) -> str:
    existing = ProductTour.objects.select_for_update().filter(pk=tour_id).first()
    if existing is not None and existing.project_id != project.id:
        raise ValidationError(ID_TAKEN)
    local_content = None if existing is None else existing.content
    body = tour_input_build(tour, linked_flag_id=linked_flag_id, local_content=local_content)
    serializer = ProductTourSerializerCreateUpdateOnly(existing, data=body)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    wants_flag = bool(data["auto_launch"]) or source_has_targeting_flag(tour)

    if existing is None:
        saved, status = _create(project=project, tour_id=tour_id, data=data, wants_flag=wants_flag), CREATED
        created_at = datetime_parse(tour.get("created_at"))
        if created_at is not None:  # keeps the list order and when the tour was made
            ProductTour.objects.filter(pk=saved.pk).update(created_at=created_at)
    else:
        existing.project = project
        if _live_differs(tour=existing, data=data, wants_flag=wants_flag):
            saved, status = _update(tour=existing, data=data, wants_flag=wants_flag), UPDATED
        else:
            saved, status = existing, UNCHANGED

    draft = draft_input_build(tour.get("draft_content"), linked_flag_id=draft_flag_id, local_content=saved.content)
    if _draft_sync(tour_id=saved.pk, draft=draft) and status == UNCHANGED:
        status = UPDATED
    return status


def _live_flag(tour: ProductTour) -> FeatureFlag | None:
    flag = tour.internal_targeting_flag if tour.internal_targeting_flag_id else None
    return flag if flag is not None and not flag.deleted else None


def _live_differs(*, tour: ProductTour, data: Mapping[str, Any], wants_flag: bool) -> bool:
    if any(getattr(tour, field) != data.get(field) for field in TOUR_INPUT_FIELDS):
        return True
    if tour.linked_flag_id != data.get("linked_flag_id"):
        return True
    if not wants_flag:
        return False  # without a flag the source's targeting means nothing; a local flag is left alone
    flag = _live_flag(tour)
    if flag is None:
        return True
    tour_id = str(tour.pk)
    return user_groups_extract(tour_id=tour_id, filters=flag.filters) != user_groups_extract(
        tour_id=tour_id, filters=data.get("targeting_flag_filters")
    )


def _create(*, project: Project, tour_id: uuid.UUID, data: Mapping[str, Any], wants_flag: bool) -> ProductTour:
    if wants_flag and not data["auto_launch"]:
        created = tour_create(project=project, user=None, data={**data, "auto_launch": True}, tour_id=tour_id)
        return tour_update(tour=created, user=None, data={"auto_launch": False})
    return tour_create(project=project, user=None, data=data, tour_id=tour_id)


def _update(*, tour: ProductTour, data: Mapping[str, Any], wants_flag: bool) -> ProductTour:
    if not wants_flag or _live_flag(tour) is not None:
        return tour_update(tour=tour, user=None, data=data)
    # The flag is created when auto-launch turns on: turn it on (after off, if it was on without a flag).
    if tour.auto_launch:
        tour = tour_update(tour=tour, user=None, data={"auto_launch": False})
    tour = tour_update(tour=tour, user=None, data={**data, "auto_launch": True})
    if not data["auto_launch"]:
        tour = tour_update(tour=tour, user=None, data={"auto_launch": False})
    return tour


def _draft_sync(*, tour_id: uuid.UUID, draft: Any) -> bool:
    """Make the local draft what the source's would be here; True when it changed."""
    current = ProductTour.objects.select_related("internal_targeting_flag", "project").get(pk=tour_id)
    if draft is None:
        if current.draft_content is None:
            return False
        draft_discard(tour=current)
        return True
    # What `draft_save` stores: the picked keys over the live values (a missing key is seeded).
    wanted = draft_merge(base=draft_seed(tour=current), fields=draft_fields_pick(draft))
    if current.draft_content == wanted:
        return False
    if current.draft_content is not None:
        draft_discard(tour=current)
    draft_save(tour=current, body=draft)
    return True
