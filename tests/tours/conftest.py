import pytest

from flags.models import FeatureFlag
from tours.models import ProductTour
from tours.services import tours as tour_services

NOW = "2025-01-01T12:00:00Z"


def tours_url(tenant, path: str = "") -> str:
    return tenant.url(f"product_tours/{path}")


def tour_url(tenant, tour_id, suffix: str = "") -> str:
    return tenant.url(f"product_tours/{tour_id}/{suffix}")


def make_tour(project, **fields) -> ProductTour:
    fields.setdefault("name", f"Tour {ProductTour.objects.count() + 1}")
    fields.setdefault("content", {"steps": []})
    return ProductTour.objects.create(project=project, **fields)


def make_flag(project, key: str = "linked-flag", variants: list[str] | None = None, **fields) -> FeatureFlag:
    filters = {"groups": [{"properties": [], "rollout_percentage": 100}]}
    if variants is not None:
        share = 100 // max(len(variants), 1)
        filters["multivariate"] = {
            "variants": [
                {"key": key_, "rollout_percentage": share + (100 - share * len(variants) if i == 0 else 0)}
                for i, key_ in enumerate(variants)
            ]
        }
    return FeatureFlag.objects.create(project=project, key=key, filters=filters, **fields)


def create(tenant, body: dict, **kwargs):
    return tenant.client.post(tours_url(tenant), body, format="json", **kwargs)


def patch(tenant, tour_id, body: dict):
    return tenant.client.patch(tour_url(tenant, tour_id), body, format="json")


def flag_of(tour_id) -> FeatureFlag | None:
    tour = ProductTour.objects.select_related("internal_targeting_flag").get(pk=tour_id)
    return tour.internal_targeting_flag


def groups_of(tour_id) -> list[dict]:
    return flag_of(tour_id).filters["groups"]


@pytest.fixture
def events():
    """Analytics events the tour services emit, as (event, properties) pairs."""
    recorded: list[tuple[str, dict]] = []

    def hook(event, *, user, tour_id, properties):
        recorded.append((event, {"tour_id": tour_id, **properties}))

    tour_services.EVENT_HOOKS.append(hook)
    yield recorded
    tour_services.EVENT_HOOKS.remove(hook)
