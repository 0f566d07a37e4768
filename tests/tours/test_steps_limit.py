"""`PRODUCT_TOURS_MAX_STEPS`: create, PUT, PATCH and publish_draft refuse more steps with a 400 on
`content`, changing nothing; a draft save stays unvalidated (by design), its publish is refused."""

import pytest
from rest_framework import serializers

from tests.support.errors import assert_error
from tests.support.tours import create, make_tour, patch, tour_url
from tours.models import ProductTour
from tours.services.validation import content_validate

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.PRODUCT_TOURS_MAX_STEPS = LIMIT


def steps(count: int) -> list[dict]:
    return [{"id": f"s{i}", "type": "modal", "title": f"Step {i}"} for i in range(count)]


def assert_too_many(response, count: int):
    assert_error(
        response,
        400,
        type="validation_error",
        code="max_length",
        attr="content",
        detail=f"A product tour can have at most {LIMIT} steps (got {count}).",
    )


def test_default_limit_is_100():
    from django.conf import settings as django_settings

    from config import settings as config_settings

    assert config_settings.PRODUCT_TOURS_MAX_STEPS == 100
    assert django_settings.PRODUCT_TOURS_MAX_STEPS == LIMIT  # the fixture's override applies


def test_content_validate_accepts_exactly_the_limit_and_refuses_one_more():
    assert len(content_validate({"steps": steps(LIMIT)})["steps"]) == LIMIT
    with pytest.raises(serializers.ValidationError) as excinfo:
        content_validate({"steps": steps(LIMIT + 1)})
    assert "at most 5 steps (got 6)" in str(excinfo.value)


def test_create_at_the_limit_is_201(tenant):
    response = create(tenant, {"name": "Five", "content": {"steps": steps(LIMIT)}})
    assert response.status_code == 201, response.content
    assert len(response.json()["content"]["steps"]) == LIMIT


def test_create_over_the_limit_is_400_and_creates_nothing(tenant):
    assert_too_many(create(tenant, {"name": "Six", "content": {"steps": steps(LIMIT + 1)}}), LIMIT + 1)
    assert not ProductTour.objects.exists()


def test_create_far_over_the_limit_is_400(tenant):
    assert_too_many(create(tenant, {"name": "Many", "content": {"steps": [{}] * 10_000}}), 10_000)
    assert not ProductTour.objects.exists()


def test_patch_over_the_limit_is_400_and_changes_nothing(tenant):
    tour = make_tour(tenant.project, name="Tour", content={"steps": steps(2)})
    before = ProductTour.objects.values().get(pk=tour.pk)
    assert_too_many(patch(tenant, tour.pk, {"content": {"steps": steps(LIMIT + 1)}}), LIMIT + 1)
    assert ProductTour.objects.values().get(pk=tour.pk) == before


def test_put_over_the_limit_is_400(tenant):
    tour = make_tour(tenant.project, name="Tour", content={"steps": steps(2)})
    response = tenant.client.put(
        tour_url(tenant, tour.pk), {"name": "Tour", "content": {"steps": steps(LIMIT + 1)}}, format="json"
    )
    assert_too_many(response, LIMIT + 1)
    assert len(ProductTour.objects.get(pk=tour.pk).content["steps"]) == 2


def test_patch_at_the_limit_is_200(tenant):
    tour = make_tour(tenant.project, name="Tour", content={"steps": steps(2)})
    response = patch(tenant, tour.pk, {"content": {"steps": steps(LIMIT)}})
    assert response.status_code == 200, response.content
    assert len(ProductTour.objects.get(pk=tour.pk).content["steps"]) == LIMIT


def test_draft_save_over_the_limit_is_kept_and_its_publish_refused(tenant):
    tour = make_tour(tenant.project, name="Tour", content={"steps": steps(2)})
    too_many = {"steps": steps(LIMIT + 1)}

    # Saving a draft validates nothing beyond storability, by design: the editor autosaves work in progress.
    response = tenant.client.patch(tour_url(tenant, tour.pk, "draft/"), {"content": too_many}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["draft_content"]["content"] == too_many

    response = tenant.client.post(tour_url(tenant, tour.pk, "publish_draft/"))
    assert_too_many(response, LIMIT + 1)
    stored = ProductTour.objects.get(pk=tour.pk)
    assert len(stored.content["steps"]) == 2  # live tour unchanged
    assert stored.draft_content["content"] == too_many  # the draft is kept for the editor to fix


def test_publish_with_a_body_over_the_limit_is_refused_and_the_merge_kept(tenant):
    tour = make_tour(tenant.project, name="Tour", content={"steps": steps(2)})
    too_many = {"steps": steps(LIMIT + 3)}
    response = tenant.client.post(tour_url(tenant, tour.pk, "publish_draft/"), {"content": too_many}, format="json")
    assert_too_many(response, LIMIT + 3)
    stored = ProductTour.objects.get(pk=tour.pk)
    assert len(stored.content["steps"]) == 2
    assert stored.draft_content["content"] == too_many


def test_publish_within_the_limit_applies_the_draft(tenant):
    tour = make_tour(tenant.project, name="Tour", content={"steps": steps(2)})
    tenant.client.patch(tour_url(tenant, tour.pk, "draft/"), {"content": {"steps": steps(LIMIT)}}, format="json")
    response = tenant.client.post(tour_url(tenant, tour.pk, "publish_draft/"))
    assert response.status_code == 200, response.content
    stored = ProductTour.objects.get(pk=tour.pk)
    assert len(stored.content["steps"]) == LIMIT and stored.draft_content is None
