"""Create, update and delete a product tour together with its internal targeting flag.

Each operation is one transaction: the tour row and its flag change together or not at all.
Updates read the tour once, under its row lock, so concurrent writers apply one after the other;
the activity entries of one write are inserted together at its end.
"""

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import Project, User
from activity.changes import instance_snapshot
from activity.services import activity_batch
from core.errors import InvalidInput, NotFound
from flags.models import FeatureFlag
from tours.models import TOUR_RELATIONS, ProductTour
from tours.services import validation
from tours.services.activity import tour_activity_created, tour_activity_deleted, tour_activity_updated
from tours.services.surveys import tour_surveys_end, tour_surveys_sync
from tours.services.targeting import UNSET, FlagInputs, tour_flag_sync

logger = logging.getLogger(__name__)

TOUR_CREATED = "product tour created"
TOUR_UPDATED = "product tour updated"
TOUR_LAUNCHED = "product tour launched"
TOUR_STOPPED = "product tour stopped"
TOUR_DELETED = "product tour deleted"

# Plain model fields a request may set directly.
TOUR_FIELDS = ("name", "description", "content", "auto_launch", "start_date", "end_date", "archived")

# Analytics hook: callables (event, *, user, tour_id, properties). Empty — there is no analytics
# backend — but tests and deployments can append to it.
EVENT_HOOKS: list[Callable[..., None]] = []
_events_muted: ContextVar[bool] = ContextVar("tour_events_muted", default=False)


@contextmanager
def tour_events_muted() -> Iterator[None]:
    """No analytics events inside: for writes that are rolled back afterwards (an import's dry run)."""
    token = _events_muted.set(True)
    try:
        yield
    finally:
        _events_muted.reset(token)


def tour_event_emit(event: str, *, user: User | None, tour: ProductTour, properties: Mapping[str, Any]) -> None:
    if _events_muted.get():
        return
    for hook in EVENT_HOOKS:
        try:
            hook(event, user=user, tour_id=str(tour.id), properties={"tour_name": tour.name, **properties})
        except Exception:  # analytics must never break a write
            logger.exception("Product tour event hook failed for %r", event)


def tour_update_events(*, before_start, before_end, after_start, after_end) -> list[str]:
    """`updated`, plus `launched` when start_date became set, else `stopped` when end_date did."""
    events = [TOUR_UPDATED]
    if before_start is None and after_start is not None:
        events.append(TOUR_LAUNCHED)
    elif before_end is None and after_end is not None:
        events.append(TOUR_STOPPED)
    return events


class TourNameTaken(InvalidInput):
    """Another live (non-archived) tour of the project has this name."""

    def __init__(self) -> None:
        super().__init__(validation.DUPLICATE_NAME, attr="name", code="unique")


def name_taken(*, project_id: int, name: str, exclude_id=None) -> bool:
    taken = ProductTour.objects.filter(project_id=project_id, name=name, archived=False)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    return taken.exists()


@contextmanager
def _name_race_as_validation_error(*, project_id: int, name: str, exclude_id=None):
    """A concurrent writer can take the name between our check and our write: same 400 as the check."""
    try:
        yield
    except IntegrityError:
        if name_taken(project_id=project_id, name=name, exclude_id=exclude_id):
            raise TourNameTaken() from None
        raise


# Called with the locked row before a write, e.g. the If-Match check, so check and write are atomic.
Precondition = Callable[[ProductTour], None]


def tour_lock(tour: ProductTour) -> ProductTour:
    """The row of `tour` (any reference: only its id and project are used), read and locked until the
    transaction ends, with what rendering and flag sync need; NotFound when it is gone.

    `of=("self",)`: only the tour row is locked (PostgreSQL refuses to lock the nullable side of the
    outer joins); SQLite has no row locks and serialises writers on the database instead.
    """
    locked = (
        ProductTour.objects.select_for_update(of=("self",))
        .select_related(*TOUR_RELATIONS)
        .filter(pk=tour.pk, project_id=tour.project_id)
        .first()
    )
    if locked is None:
        raise NotFound()
    if ProductTour.project.is_cached(tour):
        locked.project = tour.project  # the caller's project: not read again
    return locked


def _validate_cross_field(*, project: Project, data: Mapping[str, Any], tour: ProductTour | None) -> FeatureFlag | None:
    """PostHog's `validate()` order: linked flag, its variant, then launch readiness."""
    linked_flag = validation.linked_flag_resolve(project=project, data=data, tour=tour)
    validation.linked_flag_variant_validate(content=data.get("content"), flag=linked_flag)
    if validation.is_launch_check_needed(data=data, tour=tour):
        validation.launch_validate(validation.launch_steps(data=data, tour=tour))
    return linked_flag


def tour_create(
    *, project: Project, user: User | None, data: Mapping[str, Any], tour_id: uuid.UUID | None = None
) -> ProductTour:
    """Create a tour (and, with auto_launch, its targeting flag). `data` is validated serializer data.

    `tour_id` keeps an id the tour already has elsewhere (imports): posthog-js person properties and
    browser state name tours by id. `user` None is the system (an import).
    """
    linked_flag = _validate_cross_field(project=project, data=data, tour=None)
    tour = ProductTour(project=project, created_by=user, linked_flag=linked_flag)
    if tour_id is not None:
        tour.id = tour_id
    for field in TOUR_FIELDS:
        if field in data:
            setattr(tour, field, data[field])
    if not tour.archived and name_taken(project_id=project.id, name=tour.name):
        raise TourNameTaken()
    with _name_race_as_validation_error(project_id=project.id, name=tour.name):
        with transaction.atomic(), activity_batch():
            tour.save(force_insert=True)
            tour_flag_sync(tour=tour, user=user, before=None, targeting=data.get("targeting_flag_filters", UNSET))
            tour_surveys_sync(tour=tour, user=user)
            tour_activity_created(tour=tour, user=user)
    tour_event_emit(
        TOUR_CREATED, user=user, tour=tour, properties={"creation_context": data.get("creation_context", "app")}
    )
    return tour


def tour_apply(*, tour: ProductTour, user: User | None, data: Mapping[str, Any]) -> list[str]:
    """Apply validated input to a tour locked by `tour_lock` (inside its transaction): the flag and the
    surveys follow, a direct update discards any draft. Returns the analytics events to emit after commit."""
    project = tour.project
    logged_before = instance_snapshot(tour)  # the activity log's "before": the row as locked
    before = FlagInputs.of(tour)
    before_dates, before_content = (tour.start_date, tour.end_date), tour.content

    linked_flag = _validate_cross_field(project=project, data=data, tour=tour)
    for field in TOUR_FIELDS:
        if field in data:
            setattr(tour, field, data[field])
    if "linked_flag_id" in data:
        tour.linked_flag = linked_flag
    if not tour.archived and ("name" in data or "archived" in data):
        if name_taken(project_id=project.id, name=tour.name, exclude_id=tour.pk):
            raise TourNameTaken()
    tour.draft_content = None
    with activity_batch():
        tour_surveys_sync(tour=tour, user=user, before_content=before_content, save=False)
        tour.save()
        tour_flag_sync(tour=tour, user=user, before=before, targeting=data.get("targeting_flag_filters", UNSET))
        tour_activity_updated(before=logged_before, after=tour, user=user)
    return tour_update_events(
        before_start=before_dates[0], before_end=before_dates[1], after_start=tour.start_date, after_end=tour.end_date
    )


def tour_events_emit(events: list[str], *, tour: ProductTour, user: User | None, data: Mapping[str, Any]) -> None:
    properties = {"creation_context": data.get("creation_context", "app")}
    for event in events:
        tour_event_emit(event, user=user, tour=tour, properties=properties)


def tour_update(
    *, tour: ProductTour, user: User | None, data: Mapping[str, Any], precondition: Precondition | None = None
) -> ProductTour:
    """Apply a PATCH/PUT to `tour` (any reference to it: the row is read under its lock). Returns the
    updated tour, with what rendering needs."""
    locked: ProductTour | None = None
    try:
        with transaction.atomic():
            locked = tour_lock(tour)
            if precondition is not None:
                precondition(locked)
            events = tour_apply(tour=locked, user=user, data=data)
    except IntegrityError:
        # A concurrent writer took the name between our check and our write: same 400 as the check.
        if locked is not None and name_taken(project_id=locked.project_id, name=locked.name, exclude_id=locked.pk):
            raise TourNameTaken() from None
        raise
    tour_events_emit(events, tour=locked, user=user, data=data)
    return locked


def tour_delete(*, tour: ProductTour, user: User, precondition: Precondition | None = None) -> None:
    """Hard delete the tour and its internal targeting flag row."""
    with transaction.atomic(), activity_batch():
        tour = tour_lock(tour)
        if precondition is not None:
            precondition(tour)
        tour_id, flag = tour.pk, tour.internal_targeting_flag
        tour_surveys_end(tour=tour)  # before the delete nulls the surveys' link to the tour
        tour_activity_deleted(tour=tour, user=user)
        tour.delete()
        if flag is not None and flag.project_id == tour.project_id:
            flag.delete()
    tour.pk = tour_id  # Django clears it on delete; the event still names the tour
    tour_event_emit(TOUR_DELETED, user=user, tour=tour, properties={})
