"""Activity entries for product tours (scope `ProductTour`, as PostHog's `product_tour.py` records them).

Written inside the tour services' transactions, after the flag and survey side effects, so an
entry exists exactly when its change was committed. Draft saves are not logged; a publish is an
update (it goes through `tour_update`).
"""

from activity.changes import Detail, changes_between
from activity.services import log_activity
from flags.services.activity import flag_activity_hard_deleted
from tours.models import ProductTour

SCOPE = "ProductTour"


def _log(*, tour: ProductTour, user, activity: str, detail: Detail) -> None:
    log_activity(
        organization_id=tour.project.organization_id,
        project_id=tour.project_id,
        user=user,
        item_id=tour.pk,
        scope=SCOPE,
        activity=activity,
        detail=detail,
    )


def tour_activity_created(*, tour: ProductTour, user) -> None:
    _log(tour=tour, user=user, activity="created", detail=Detail(name=tour.name))


def tour_activity_updated(*, before: ProductTour, after: ProductTour, user) -> None:
    """`before`: the locked row as loaded; `after`: saved, with its flag and surveys synced. No changes, no entry."""
    _log(
        tour=after,
        user=user,
        activity="updated",
        detail=Detail(name=after.name, changes=changes_between(SCOPE, before, after)),
    )


def tour_activity_deleted(*, tour: ProductTour, user) -> None:
    """Call before the delete: the tour's name, and its internal flag, which goes with it."""
    _log(tour=tour, user=user, activity="deleted", detail=Detail(name=tour.name))
    flag = tour.internal_targeting_flag if tour.internal_targeting_flag_id is not None else None
    if flag is not None and flag.project_id == tour.project_id:
        flag.project = tour.project
        flag_activity_hard_deleted(flag=flag, user=user)
