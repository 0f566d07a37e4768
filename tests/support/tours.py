"""Tours and their flags: the tours API's URLs and writes, and ORM-made tours and flags."""

from flags.models import FeatureFlag
from tests.factories import FeatureFlagFactory, ProductTourFactory
from tours.models import ProductTour

NOW = "2025-01-01T12:00:00Z"


def tours_url(tenant, path: str = "") -> str:
    return tenant.url(f"product_tours/{path}")


def tour_url(tenant, tour_id, suffix: str = "") -> str:
    return tenant.url(f"product_tours/{tour_id}/{suffix}")


def create(tenant, body: dict, **kwargs):
    return tenant.client.post(tours_url(tenant), body, format="json", **kwargs)


def patch(tenant, tour_id, body: dict):
    return tenant.client.patch(tour_url(tenant, tour_id), body, format="json")


def flag_of(tour_id) -> FeatureFlag | None:
    tour = ProductTour.objects.select_related("internal_targeting_flag").get(pk=tour_id)
    return tour.internal_targeting_flag


def groups_of(tour_id) -> list[dict]:
    return flag_of(tour_id).filters["groups"]


def make_tour(project, **fields) -> ProductTour:
    """`ProductTourFactory` in `project` (no steps, not launched; `launched=True` for a served one)."""
    return ProductTourFactory(project=project, **fields)


def make_flag(project, key: str = "linked-flag", **fields) -> FeatureFlag:
    """`FeatureFlagFactory` in `project`: everyone in; `variants=[…]`, `no_groups=True` as there."""
    return FeatureFlagFactory(project=project, key=key, **fields)
